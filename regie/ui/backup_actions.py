"""Backups from the window: « Sauvegarder maintenant », « Restaurer une sauvegarde… », and the
automatic backups (at opening, every hour, at closing) of the SQLite database.

The copy and the checks of a backup run in a thread (:class:`Task`); swapping the restored
file in happens on the GUI thread once the window's connections are closed, then the window
builds every screen again on the restored database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from regie.backups.copies import Backup, back_up
from regie.backups.restore import RestorePlan, apply_restore, prepare_restore
from regie.backups.rights import record_restore
from regie.backups.settings import BackupSettings, backup_settings
from regie.db import Database, is_sqlite
from regie.errors import UserError
from regie.i18n import _, format_datetime
from regie.logs import describe_failure
from regie.people.actor import audit_actor
from regie.people.roles import Permission
from regie.settings.laptop import LaptopSettings
from regie.ui.forms.file_dialogs import file_dialog
from regie.ui.inventory.messages import confirm, show_error, show_info
from regie.ui.permissions import behind
from regie.ui.tasks import Task

log = logging.getLogger(__name__)
STATUS_SECONDS = 15


@dataclass(frozen=True, kw_only=True)
class BackupSeat:
    """What the backups need from the window they serve (given down, not looked up)."""

    window: QMainWindow  # the dialogs' parent; its status bar says how backups go
    database: Callable[[], Database]  # the window's, as it is when a backup starts
    settings: LaptopSettings
    release_database: Callable[[], None]  # close what holds the file (the card monitor)
    read_again: Callable[[], None]  # every screen built again on the restored database


class BackupActions(QObject):
    def __init__(self, seat: BackupSeat) -> None:
        super().__init__(seat.window)
        self.seat = seat
        self.window = seat.window
        self.timer = QTimer(self)
        self.timer.timeout.connect(lambda: self.back_up_now(automatic=True))
        self.tasks: list[Task] = []
        self.last: Backup | None = None
        self.plan: RestorePlan | None = None

    @property
    def settings(self) -> BackupSettings:
        return backup_settings(self.seat.settings)

    def add_to_menu(self, menu: QMenu) -> None:
        """The two entries, added to the File menu (built again with the menus)."""
        save = QAction(_("&Sauvegarder maintenant"), self.window)
        save.setObjectName("backupNow")
        save.triggered.connect(lambda: self.back_up_now())
        restore = QAction(_("&Restaurer une sauvegarde…"), self.window)
        restore.setObjectName("restoreBackup")
        restore.triggered.connect(self.choose_backup)
        menu.addActions([save, restore])

    # -- automatic backups -----------------------------------------------------------------
    def start_automatic(self) -> None:
        """A backup now, then every ``backup.interval_minutes``; not for PostgreSQL."""
        if not is_sqlite(self.seat.database().url):
            note = _("Base PostgreSQL : pas de sauvegarde automatique, c'est le travail du serveur")
            log.info("automatic backups skipped: the database is on a PostgreSQL server")
            self._status(note + " (pg_dump).")
            return
        self.back_up_now(automatic=True)
        self.timer.start(self.settings.interval_minutes * 60_000)

    def back_up_on_close(self) -> None:
        """The last backup, as Régie closes (in the closing thread: it must be done)."""
        self.timer.stop()
        if not is_sqlite(self.seat.database().url):
            return
        settings = self.settings
        try:
            back_up(self.seat.database().url, settings.folder, keep=settings.keep)
        except Exception:  # closing must go on; the log says why
            log.exception("backup at closing failed")

    def back_up_now(self, automatic: bool = False) -> Task:
        settings, url = self.settings, self.seat.database().url
        task = Task(
            "backup",
            lambda _task: back_up(url, settings.folder, keep=settings.keep),
            self,
            responsive=False,
        )
        task.succeeded.connect(self._backed_up)
        task.failed.connect(lambda error: self._backup_failed(error, automatic))
        return self._run(task)

    def _backed_up(self, backup: Backup) -> None:
        self.last = backup
        self._status(
            _("Sauvegarde faite ({moment}) : {path}").format(
                moment=format_datetime(backup.taken_at), path=backup.path.name
            )  # the name alone: a whole path ran into who is signed in (the folder is a setting)
        )

    def _backup_failed(self, error: BaseException, automatic: bool) -> None:
        message = str(error) if isinstance(error, UserError) else describe_failure(error)
        log.warning("backup failed: %s", message)
        if automatic:
            self._status(_("Sauvegarde automatique impossible : {reason}").format(reason=message))
        else:
            show_error(self.window, message, _("Sauvegarde impossible"))

    # -- restoring ---------------------------------------------------------------------------
    def choose_backup(self) -> QFileDialog:
        dialog = file_dialog(
            self.window,
            _("Restaurer une sauvegarde"),
            filters=_("Sauvegardes de Régie (*.sqlite3);;Tous les fichiers (*)"),
            start=Path(self.settings.folder),  # the backups' own folder, not the last one used
        )
        dialog.setObjectName("restoreChooser")
        dialog.fileSelected.connect(lambda name: self.restore_from(Path(name)))
        dialog.open()
        return dialog

    def restore_from(self, path: Path) -> Task:
        """Check ``path`` in a thread, then ask before replacing the database with it."""
        url = self.seat.database().url
        # an administrator of the base being replaced (the core's rule, checked where it runs)
        check = behind(self.seat.database(), Permission.RESTORE, lambda _task: None)
        task = Task(
            "restore-check", lambda task: (check(task), prepare_restore(url, path))[1], self
        )
        task.succeeded.connect(self._confirm_restore)
        task.failed.connect(self._restore_refused)
        self._status(_("Vérification de la sauvegarde {path}…").format(path=path))
        return self._run(task)

    def _confirm_restore(self, plan: RestorePlan) -> None:
        self.plan = plan
        box = confirm(
            self.window,
            _("Restaurer une sauvegarde"),
            _("Remplacer la base actuelle par cette sauvegarde ?"),
            _("Restaurer"),
            self._apply,
            destructive=True,
        )
        box.setObjectName("restoreConfirmation")
        box.setInformativeText(
            "\n".join(plan.contents.lines(short=True))
            + "\n\n"
            + _(
                "La base actuelle est d'abord sauvegardée : vous pourrez revenir en arrière "
                "en restaurant cette sauvegarde-là."
            )
        )
        box.finished.connect(self._discard_plan)

    def _discard_plan(self, *_args: Any) -> None:
        if self.plan is not None:
            self.plan.discard()  # nothing if it was applied: the checked copy was moved
            self.plan = None

    def _apply(self) -> None:
        plan, self.plan = self.plan, None
        if plan is None:
            return
        seat, settings = self.seat, self.settings
        seat.release_database()
        db = seat.database()
        db.dispose()  # no connection of ours may hold the file being replaced
        try:
            safety = apply_restore(plan, db.url, settings.folder, keep=settings.keep)
        except Exception as error:
            plan.discard()
            self._restore_refused(error)
            return
        log.info("database restored from %s", plan.contents.source)
        record_restore(db.url, plan, audit_actor(), rescue=False)
        seat.read_again()  # every screen reads the restored database
        detail = (
            _("La base remplacée est sauvegardée dans {path}.").format(path=safety.path)
            if safety is not None
            else ""
        )
        show_info(
            self.window,
            _("Sauvegarde restaurée"),
            _("La base est revenue à la sauvegarde du {moment}.").format(
                moment=format_datetime(plan.contents.taken_at)
            ),
            detail,
        ).setObjectName("restoreDone")

    def _restore_refused(self, error: BaseException) -> None:
        message = str(error) if isinstance(error, UserError) else describe_failure(error)
        log.warning("restore refused: %s", message)
        self._status("")
        show_error(self.window, message, _("Restauration refusée")).setObjectName("restoreRefused")

    # -- helpers -----------------------------------------------------------------------------
    def _run(self, task: Task) -> Task:
        self.tasks.append(task)
        task.finished.connect(lambda: self.tasks.remove(task))
        return task.start()

    def _status(self, message: str) -> None:
        self.window.statusBar().showMessage(message, STATUS_SECONDS * 1000)

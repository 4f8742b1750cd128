"""The fleet: tick terminals, give each its port, push their configuration to all at once
with a progress bar per terminal, retry the failed ones, pull their journals into the ledger.

Everything that touches a port runs in a ``Task`` (``regie.ui.tasks``; one more thread per
port for a fleet push); the table follows the progress through Qt signals.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import _, ngettext
from regie.terminals.bundle import Bundle
from regie.terminals.ports import PortChoice, candidate_ports
from regie.terminals.pull import PullResult, pull_terminal
from regie.terminals.push import PushJob, PushPlan, PushResult, plan_push, push_fleet
from regie.terminals.registry import TerminalInfo, list_terminals, remember_port
from regie.terminals.status import terminal_status
from regie.ui.device_choice import SERIAL_PORT, saved_device
from regie.ui.inventory.messages import attempt, report_failure, show_error, show_info
from regie.ui.inventory.table_models import make_table
from regie.ui.tasks import Task
from regie.ui.terminals.delegates import PortDelegate, ProgressDelegate
from regie.ui.terminals.fleet_model import PORT, PROGRESS, RESULT, FleetModel, FleetRow
from regie.ui.terminals.push_dialog import PushDialog

log = logging.getLogger(__name__)


class FleetScreen(QWidget):
    changed = Signal()  # the registry changed (versions, journals): other screens re-read
    ledger_changed = Signal()  # journal lines went into the ledger

    def __init__(self, db: Database, parent: QWidget | None = None, timeout: float = 3.0):
        super().__init__(parent)
        self.db = db
        self.timeout = timeout
        self.work: Task | None = None
        self.push_dialog: PushDialog | None = None
        self.last_push: list[PushJob] = []

        intro = QLabel(
            _(
                "Cochez les terminaux et donnez le port de chacun (double-clic dans la colonne "
                "Port : un chemin comme /dev/ttyACM0, ou une adresse comme "
                "socket://192.168.1.50:7000)."
            )
        )
        intro.setWordWrap(True)
        self.model = FleetModel(self)
        self.model.port_edited.connect(self._save_port)
        self.table = make_table("fleetTable", self.model, stretch=RESULT, editable=True)
        self.table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.table))
        saved = functools.partial(saved_device, self, SERIAL_PORT)
        ports = PortDelegate(self._port_choices, self.table, saved)
        self.table.setItemDelegateForColumn(PORT, ports)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS, 150)
        # A port can be a long /dev/serial/by-id/… name: its end tells them apart.
        header.setSectionResizeMode(PORT, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(PORT, 190)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())

        self.check_button = QPushButton(_("T&out cocher"))
        self.check_button.setObjectName("fleetCheckAll")
        self.status_button = QPushButton(_("Lire l'é&tat"))
        self.status_button.setObjectName("fleetStatus")
        self.push_button = QPushButton(_("&Envoyer la configuration…"))
        self.push_button.setObjectName("fleetPush")
        self.retry_button = QPushButton(_("&Relancer les échecs"))
        self.retry_button.setObjectName("fleetRetry")
        self.pull_button = QPushButton(_("Relever les &journaux"))
        self.pull_button.setObjectName("fleetPull")
        buttons = QHBoxLayout()
        for button in (self.check_button, self.status_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.push_button, self.retry_button, self.pull_button):
            buttons.addWidget(button)

        self.summary = QLabel("")
        self.summary.setObjectName("fleetSummary")
        self.summary.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setObjectName("fleetDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lines = self.fontMetrics().lineSpacing()
        self.summary.setMinimumHeight(lines * 2 + 4)
        self.detail.setMinimumHeight(lines * 3 + 4)  # the name, then a long message

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.detail)

        self.check_button.clicked.connect(self._toggle_all)
        self.status_button.clicked.connect(self.read_status)
        self.push_button.clicked.connect(self.ask_push)
        self.retry_button.clicked.connect(self.retry_failed)
        self.pull_button.clicked.connect(self.pull_checked)
        self.refresh()

    # -- the registry ----------------------------------------------------------------------
    def refresh(self) -> None:
        infos = attempt(self, lambda: _read(self.db))
        if infos is not None:
            index = self.table.currentIndex()
            current = self.model.rows()[index.row()].name if index.isValid() else None
            self.model.load(infos)
            names = [row.name for row in self.model.rows()]
            if current in names:  # the same terminal stays picked across a reload
                self.table.setCurrentIndex(self.model.index(names.index(current), 0))
            self._show_detail()
        self._update_buttons()

    def _save_port(self, name: str, port: str) -> None:
        def save() -> None:
            with self.db.session() as session:
                remember_port(session, name, port)

        attempt(self, save)

    def _port_choices(self) -> list[PortChoice]:
        return candidate_ports([row.port for row in self.model.rows()])

    def _toggle_all(self) -> None:
        rows = self.model.rows()
        self.model.check_all(not all(row.checked for row in rows))
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.work is not None
        for button in (self.push_button, self.pull_button, self.status_button, self.check_button):
            button.setEnabled(not busy)
        self.retry_button.setEnabled(
            not busy and bool(self.model.failed()) and bool(self.last_push)
        )

    def _show_detail(self) -> None:
        index = self.table.currentIndex()
        rows = self.model.rows()
        text = self.model.describe(rows[index.row()]) if index.isValid() and rows else ""
        self.detail.setText(text)

    def _jobs(self, rows: list[FleetRow]) -> list[PushJob] | None:
        if not rows:
            show_error(self, _("Cochez au moins un terminal."))
            return None
        missing = [row.name for row in rows if not row.port]
        if missing:
            show_error(
                self,
                _("Quel port pour {terminals} ? Double-cliquez sa case Port.").format(
                    terminals=", ".join(missing)
                ),
            )
            return None
        return [PushJob(row.name, row.port) for row in rows]

    def _start(self, work: Task) -> None:
        self.work = work
        work.stepped.connect(self.model.set_progress)
        work.failed.connect(lambda error: report_failure(self, error))
        work.finished.connect(self._finished)
        self._update_buttons()
        work.start()

    def _finished(self) -> None:
        self.work = None
        self.refresh()
        self._show_detail()
        self.changed.emit()

    # -- push ------------------------------------------------------------------------------
    def ask_push(self) -> None:
        jobs = self._jobs(self.model.checked())
        if jobs is None or self.work is not None:
            return
        self.summary.setText(_("Préparation des configurations…"))
        work = Task("push-plan", lambda _work: plan_push(self.db, jobs), self, responsive=False)
        work.succeeded.connect(self._confirm)
        self._start(work)

    def _confirm(self, plans: list[PushPlan]) -> None:
        self.summary.setText("")
        dialog = PushDialog(plans, self)
        self.push_dialog = dialog
        bundles = {p.job.terminal: p.bundle for p in plans if p.bundle is not None}
        jobs = [p.job for p in plans if p.bundle is not None]
        for plan in plans:
            if plan.bundle is None:
                self.model.set_result(plan.job.terminal, False, plan.problem)
        dialog.accepted.connect(lambda: self.start_push(jobs, bundles))
        dialog.open()

    def start_push(self, jobs: list[PushJob], bundles: dict[str, Bundle] | None = None) -> None:
        if not jobs or self.work is not None:
            return
        self.last_push = jobs
        for job in jobs:
            self.model.set_progress(job.terminal, "attente", 0, 0)
        db, timeout = self.db, self.timeout

        def run(work: Task) -> list[PushResult]:
            return push_fleet(
                db,
                jobs,
                progress=work.step,
                timeout=timeout,
                bundles=bundles,
                on_result=work.result,
            )

        work = Task("fleet-push", run, self, responsive=False)
        work.resulted.connect(lambda r: self.model.set_result(r.terminal, r.ok, r.message))
        work.succeeded.connect(self._pushed)
        self.summary.setText(
            ngettext("Envoi à {n} terminal…", "Envoi à {n} terminaux…", len(jobs)).format(
                n=len(jobs)
            )
        )
        self._start(work)

    def _pushed(self, results: list[PushResult]) -> None:
        failed = [r for r in results if not r.ok]
        done = len(results) - len(failed)
        text = ngettext("{n} terminal à jour", "{n} terminaux à jour", done).format(n=done)
        if failed:
            names = ", ".join(r.terminal for r in failed)
            text += ngettext(
                ", {count} échec : {terminals}. Le détail est sous le tableau (cliquez sa "
                "ligne) ; réglez le problème puis « Relancer les échecs »",
                ", {count} échecs : {terminals}. Le détail est sous le tableau (cliquez leur "
                "ligne) ; réglez le problème puis « Relancer les échecs »",
                len(failed),
            ).format(count=len(failed), terminals=names)
            if any(r.staged for r in failed):  # a port that never opened sent nothing
                text += _(" : l'envoi reprendra où il s'est arrêté")
            text += "."
            self.table.setCurrentIndex(
                self.model.index(self.model.row_named(failed[0].terminal), 0)
            )
        self.summary.setText(text if failed else text + ".")
        self.summary.setStyleSheet("color: #b3261e;" if failed else "color: #1e7a34;")

    def retry_failed(self) -> None:
        failed = {row.name: row.port for row in self.model.failed()}
        jobs = [
            PushJob(j.terminal, failed[j.terminal]) for j in self.last_push if j.terminal in failed
        ]
        self.start_push(jobs)

    # -- pull ------------------------------------------------------------------------------
    def pull_checked(self) -> None:
        jobs = self._jobs(self.model.checked())
        if jobs is None or self.work is not None:
            return
        db, timeout = self.db, self.timeout

        def run(work: Task) -> list[PullResult]:
            results = []
            for job in jobs:  # one after the other: each import takes the ledger's lock
                work.step(job.terminal, "attente", 0, 0)
            for job in jobs:
                result = pull_terminal(
                    db,
                    job.terminal,
                    job.port,
                    timeout=timeout,
                    progress=functools.partial(work.step, job.terminal),
                )
                work.result(result)
                results.append(result)
            return results

        work = Task("journal-pull", run, self, responsive=False)
        work.resulted.connect(lambda r: self.model.set_result(r.terminal, r.ok, r.message))
        work.succeeded.connect(self._pulled)
        self.summary.setText(
            ngettext("Relevé de {n} journal…", "Relevé de {n} journaux…", len(jobs)).format(
                n=len(jobs)
            )
        )
        self._start(work)

    def _pulled(self, results: list[PullResult]) -> None:
        imported = sum(r.imported for r in results)
        failed = [r for r in results if not r.ok]
        pulled = len(results) - len(failed)
        text = _("{pulled} : {imported} au grand livre").format(
            pulled=ngettext("{n} journal relevé", "{n} journaux relevés", pulled).format(n=pulled),
            imported=ngettext(
                "{n} opération importée", "{n} opérations importées", imported
            ).format(n=imported),
        )
        if failed:
            text += ngettext(
                " ; {count} relevé interrompu — relancez-le : il reprendra",
                " ; {count} relevés interrompus — relancez-les : ils reprendront",
                len(failed),
            ).format(count=len(failed))
        self.summary.setText(text + ".")
        self.summary.setStyleSheet("color: #b3261e;" if failed else "color: #1e7a34;")
        if imported:
            self.ledger_changed.emit()

    # -- status ----------------------------------------------------------------------------
    def read_status(self) -> None:
        index = self.table.currentIndex()
        rows = self.model.rows()
        picked = [rows[index.row()]] if index.isValid() else self.model.checked()
        row = picked[0] if picked else None
        if row is None or not row.port:
            show_error(self, _("Choisissez un terminal qui a un port."))
            return
        db, port, timeout = self.db, row.port, self.timeout
        work = Task(
            "status", lambda _w: terminal_status(db, port, timeout=timeout), self, responsive=False
        )
        work.succeeded.connect(
            lambda status: show_info(self, _("État du terminal"), "\n".join(status.lines()))
        )
        self._start(work)


def _read(db: Database) -> list[TerminalInfo]:
    with db.session() as session:
        return list_terminals(session)

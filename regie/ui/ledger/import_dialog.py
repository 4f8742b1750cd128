"""Import terminal journals (JSON Lines): files, a progress bar, and a Cancel that leaves the
ledger exactly as it was.

The import runs in a worker thread with its own session: all the files in one transaction,
committed at the end, rolled back on a cancel or a rejected file. A rejected file lists its
problems by file, line and field; nothing of it is imported.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _, format_number, ngettext
from regie.ledger import journal_mapper
from regie.ledger.journal_import import (
    ImportCancelled,
    ImportResult,
    JournalRejected,
    LineProblem,
    import_journals,
)
from regie.ledger.journal_trust import fleet_trust
from regie.logs import describe_failure
from regie.terminals.trust import install as know_the_fleet
from regie.ui.forms.file_dialogs import open_paths
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.notices import emit
from regie.ui.tasks import Task

PROBLEM_COLUMNS: list[Column[LineProblem]] = [
    Column(N_("Fichier"), lambda p: Path(p.path).name),
    Column(N_("Ligne"), lambda p: str(p.line), numeric=True),
    Column(N_("Champ"), lambda p: p.field or "—"),
    Column(N_("Problème"), lambda p: p.message),
]
STEPS = 1000
log = logging.getLogger(__name__)


class ImportDialog(QDialog):
    imported = Signal(object)  # the ImportResult, once committed

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("journalImport")
        self.setWindowTitle(_("Importer des journaux de terminaux"))
        self.resize(760, 420)
        self.task: Task | None = None
        self.outcome: ImportResult | None = None
        self._close_when_done = False
        # The import's second process, started as soon as the files are big enough for one:
        # its start (a tenth of a second here, more on a slow laptop) is over while the files
        # are chosen, not after « Importer ».
        self.mapper: journal_mapper.Mapper | None = None

        intro = QLabel(
            _(
                "Fichiers JSON Lines des terminaux (une opération par ligne). Une ligne déjà "
                "importée ne change rien ; un fichier avec une erreur n'importe rien."
            )
        )
        intro.setWordWrap(True)
        self.files = QListWidget()
        self.files.setObjectName("importFiles")
        self.files.setMaximumHeight(150)  # a few files; the room below is for the problems
        self.add_button = QPushButton(_("&Ajouter des fichiers…"))
        self.add_button.setObjectName("importAdd")
        self.remove_button = QPushButton(_("&Retirer"))
        self.remove_button.setObjectName("importRemove")
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch(1)
        file_row = QHBoxLayout()
        file_row.addWidget(self.files, 1)
        file_row.addLayout(file_buttons)

        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setRange(0, STEPS)
        self.progress.setFormat(_("%p %"))
        self.status = QLabel(_("Choisissez un ou plusieurs fichiers."))
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.problems = RowsModel(PROBLEM_COLUMNS, parent=self)
        self.problem_table = make_table("importProblemsTable", self.problems, stretch=3)
        self.problem_table.hide()
        # Lines must be signed by a paired terminal; a file nobody signed is a manager's
        # choice, with its reason written in the audit trail.
        self.unsigned = QCheckBox(_("Fichiers &non signés (responsable), parce que :"))
        self.unsigned.setObjectName("importUnsigned")
        self.unsigned_reason = QLineEdit()
        self.unsigned_reason.setObjectName("importUnsignedReason")
        self.unsigned_reason.setPlaceholderText(_("ex. terminal en panne, journal sauvé sur clé"))
        self.unsigned_reason.setEnabled(False)
        self.unsigned.toggled.connect(self.unsigned_reason.setEnabled)
        unsigned_row = QHBoxLayout()
        unsigned_row.addWidget(self.unsigned)
        unsigned_row.addWidget(self.unsigned_reason, 1)

        self.start_button = QPushButton(_("&Importer"))
        self.start_button.setObjectName("importStart")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton(_("A&nnuler l'import"))
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton(_("&Fermer"))
        self.close_button.setObjectName("importClose")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addLayout(unsigned_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.problem_table, 1)
        layout.addStretch(0)  # takes the room while there is no problem to list
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.ask_files)
        self.remove_button.clicked.connect(self._remove_selected)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._quitting)
        self._update_buttons()

    # -- files -------------------------------------------------------------------------
    def ask_files(self) -> None:
        self.add_files(
            open_paths(
                self,
                _("Journaux à importer"),
                _("Journaux de terminaux (*.jsonl *.json);;Tous (*)"),
            )
        )

    def add_files(self, paths: list[Path]) -> None:
        present = set(self.paths())
        for path in paths:
            if path not in present:
                item = QListWidgetItem(str(path))
                if path.is_file():
                    size = round(Decimal(path.stat().st_size) / 1_000_000, 1)
                    item.setToolTip(
                        _("{file} : {size} Mo").format(file=path.name, size=format_number(size))
                    )
                self.files.addItem(item)
        if self.mapper is None:
            self.mapper = journal_mapper.start(self.paths())
        self._update_buttons()

    def paths(self) -> list[Path]:
        return [Path(self.files.item(row).text()) for row in range(self.files.count())]

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._update_buttons()

    @property
    def running(self) -> bool:
        return self.task is not None

    def _update_buttons(self) -> None:
        running = self.running
        self.start_button.setEnabled(not running and self.files.count() > 0)
        self.cancel_button.setEnabled(running)
        for widget in (self.add_button, self.remove_button, self.files, self.unsigned):
            widget.setEnabled(not running)

    # -- the import ----------------------------------------------------------------------
    def start(self) -> None:
        paths = self.paths()
        if self.running or not paths:
            return
        db = self.db
        unsigned = self.unsigned_reason.text() if self.unsigned.isChecked() else None
        know_the_fleet()
        mapper, self.mapper = self.mapper, None  # this import's: it closes it

        def work(task: Task) -> ImportResult:
            try:
                with db.session() as session:  # its own session, in its own thread
                    trust = fleet_trust(session, unsigned=unsigned)
                    return import_journals(session, paths, task.report, trust=trust, mapper=mapper)
            finally:
                if mapper is not None:  # closed by the import, unless it never began
                    mapper.close()

        self.outcome = None
        self.problems.set_rows([])
        self.problem_table.hide()
        self.progress.setValue(0)
        self.status.setText(_("Import en cours…"))
        self.status.setStyleSheet("")
        self.task = Task("journal-import", work, self)
        self.task.progressed.connect(self._progressed)
        self.task.succeeded.connect(self._succeeded)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self._finished)
        self.task.start()
        self._update_buttons()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText(_("Annulation…"))
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(done * STEPS // max(total, 1))

    def _succeeded(self, result: ImportResult) -> None:
        self.outcome = result
        self.progress.setValue(STEPS)
        self._say(
            result.summary(),
            "#0b6b2f",
        )
        emit(self.imported, result)

    def _failed(self, error: Exception) -> None:
        self.progress.setValue(0)
        if isinstance(error, ImportCancelled):
            self._say(_("Import annulé : rien n'a été importé."), "#8a4b00")
        elif isinstance(error, JournalRejected):
            problems = error.result.problems
            self.problems.set_rows(problems)
            self.problem_table.show()
            self._say(
                ngettext(
                    "Import refusé : {count} ligne en erreur sur {lines}. Rien n'a été importé.",
                    "Import refusé : {count} lignes en erreur sur {lines}. Rien n'a été importé.",
                    len(problems),
                ).format(count=len(problems), lines=error.result.lines),
                "#b3261e",
            )
        elif isinstance(error, UserError):
            self._say(_("{reason} Rien n'a été importé.").format(reason=error), "#b3261e")
        else:
            log.error("journal import failed", exc_info=error)
            self._say(describe_failure(error), "#b3261e")

    def _say(self, text: str, colour: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def _finished(self) -> None:
        self.task = None
        self._update_buttons()
        if self._close_when_done:
            super().reject()

    # -- closing -----------------------------------------------------------------------
    def _quitting(self) -> None:
        """Régie quits mid-import: cancel, and let the worker roll back before the end."""
        self._drop_mapper()
        task = self.task
        if task is not None:
            task.cancel()
            task.wait(30)

    def reject(self) -> None:
        """Closing during an import cancels it; the dialog closes once it is rolled back."""
        if self.task is not None:
            self._close_when_done = True
            self.cancel()
            return
        self._drop_mapper()
        super().reject()

    def _drop_mapper(self) -> None:
        """Closed without importing: the second process started for the files ends too."""
        mapper, self.mapper = self.mapper, None
        if mapper is not None:
            mapper.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.task is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

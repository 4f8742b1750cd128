"""Exports of the journal (CSV, hledger, FEC) and « Vérifier le journal ».

Both read the whole journal (a million transfers): they run in a worker thread, one at a
time, and say where they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, ngettext
from regie.ledger.exports import export_csv, export_fec, export_hledger
from regie.ledger.verify import VerifyReport, verify
from regie.ui.forms.file_dialogs import save_path
from regie.ui.inventory.messages import report_failure
from regie.ui.tasks import Task

EXPORTS: dict[str, tuple[str, str, str, Callable[..., int]]] = {
    # format: (button, what it is, file name offered, operation)
    "csv": (
        N_("Exporter en &CSV…"),
        N_("Tous les transferts, une ligne chacun, pour un tableur."),
        "grand-livre.csv",
        export_csv,
    ),
    "hledger": (
        N_("&Exporter pour hledger…"),
        N_("Le journal en texte brut, que hledger et ledger lisent pour recompter les soldes."),
        "grand-livre.journal",
        export_hledger,
    ),
    "fec": (
        N_("Expor&ter le FEC…"),
        N_("Le fichier des écritures comptables (18 colonnes) pour le cabinet comptable."),
        "FEC.txt",
        export_fec,
    ),
}


class ChecksScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.task: Task | None = None
        self.buttons: dict[str, QPushButton] = {}
        exports = QGroupBox(_("Exporter le journal"))
        grid = QGridLayout(exports)
        for row, (name, (label, what, _file, _operation)) in enumerate(EXPORTS.items()):
            button = QPushButton(_(label))
            button.setObjectName(f"export-{name}")
            button.clicked.connect(lambda _c=False, n=name: self.ask_export(n))
            self.buttons[name] = button
            description = QLabel(_(what))
            description.setWordWrap(True)
            grid.addWidget(button, row, 0)
            grid.addWidget(description, row, 1)
        grid.setColumnStretch(1, 1)
        self.export_status = QLabel("")
        self.export_status.setObjectName("exportStatus")
        self.export_status.setWordWrap(True)
        grid.addWidget(self.export_status, len(EXPORTS), 0, 1, 2)

        checks = QGroupBox(_("Vérifier le journal"))
        self.verify_button = QPushButton(_("Vérifier le jour&nal"))
        self.verify_button.setObjectName("verifyStart")
        explain = QLabel(
            _(
                "Recalcule la chaîne d'empreintes de chaque transfert, la numérotation et les "
                "montants des Z, les soldes, et nomme la première ligne modifiée, supprimée ou "
                "insérée en dehors de Régie."
            )
        )
        explain.setWordWrap(True)
        self.verify_progress = QProgressBar()
        self.verify_progress.setObjectName("verifyProgress")
        self.verify_progress.setRange(0, 1000)
        self.verify_progress.setFormat(_("%p %"))
        self.verdict = QLabel("")
        self.verdict.setObjectName("verifyVerdict")
        self.verdict.setWordWrap(True)
        self.verify_progress.hide()  # until a verification runs
        start_row = QHBoxLayout()
        start_row.addWidget(self.verify_button)
        start_row.addWidget(self.verify_progress, 1)
        start_row.addStretch(0)  # takes the room while the bar is hidden
        box = QVBoxLayout(checks)
        box.addWidget(explain)
        box.addLayout(start_row)
        box.addWidget(self.verdict)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(exports)
        layout.addWidget(checks)
        layout.addStretch(1)
        self.verify_button.clicked.connect(self.start_verify)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def refresh(self) -> None:
        """The journal changed (an import, a Z): an earlier verdict no longer holds."""
        if self.task is None and self.verdict.text():
            self.verify_progress.setValue(0)
            self.verdict.setText(_("Le journal a changé depuis la dernière vérification."))
            self.verdict.setStyleSheet("color: #5b6b7a;")

    def _run(
        self,
        name: str,
        work: Callable[[Task], Any],
        done: Callable[[Any], None],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.task = Task(name, work, self)
        if progress is not None:
            self.task.progressed.connect(progress)
        self.task.succeeded.connect(done)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self._finished)
        for button in [*self.buttons.values(), self.verify_button]:
            button.setEnabled(False)
        self.task.start()

    def _finished(self) -> None:
        self.task = None
        for button in [*self.buttons.values(), self.verify_button]:
            button.setEnabled(True)

    def _failed(self, error: Exception) -> None:
        self.export_status.setText("")
        self.verdict.setText("")
        report_failure(self, error)

    # -- exports -----------------------------------------------------------------------
    def ask_export(self, name: str) -> None:
        _label, _what, offered, _operation = EXPORTS[name]
        path = save_path(self, _("Exporter le journal"), offered)
        if path:
            self.export(name, path)

    def export(self, name: str, path: Path) -> None:
        operation = EXPORTS[name][3]

        def work(_task: Task) -> int:
            with self.db.session() as session:
                return operation(session, path)

        self.export_status.setText(_("Export de {file} en cours…").format(file=path.name))
        self.export_status.setStyleSheet("")
        self._run(f"export-{name}", work, lambda count: self._exported(path, count))

    def _exported(self, path: Path, count: int) -> None:
        self.export_status.setText(
            ngettext(
                "{n} écriture exportée dans {path}",
                "{n} écritures exportées dans {path}",
                count,
            ).format(n=count, path=path)
        )
        self.export_status.setStyleSheet("color: #0b6b2f; font-weight: bold;")

    # -- verification ------------------------------------------------------------------
    def start_verify(self) -> None:
        def work(task: Task) -> VerifyReport:
            def progress(done: int, total: int) -> None:
                task.report(done, total)

            with self.db.session() as session:
                return verify(session, progress)

        self.verify_progress.setValue(0)
        self.verify_progress.show()
        self.verdict.setText(_("Vérification en cours…"))
        self.verdict.setStyleSheet("")
        self._run("verify", work, self._verified, self._verify_progressed)

    def _verify_progressed(self, done: int, total: int) -> None:
        self.verify_progress.setValue(done * 1000 // max(total, 1))

    def _verified(self, report: VerifyReport) -> None:
        self.verify_progress.setValue(1000)
        if report.ok:
            self.verdict.setText(
                _(
                    "Journal intègre : {transfers} transferts et {closures} Z vérifiés (chaîne "
                    "d'empreintes, numérotation et montants des Z, soldes)."
                ).format(transfers=report.transfers, closures=report.closures)
            )
            self.verdict.setStyleSheet("color: #0b6b2f; font-weight: bold;")
        else:
            shown = "\n".join(f"• {problem}" for problem in report.problems[:20])
            count, more = len(report.problems), len(report.problems) - 20
            self.verdict.setText(
                ngettext(
                    "JOURNAL ALTÉRÉ : {count} problème", "JOURNAL ALTÉRÉ : {count} problèmes", count
                ).format(count=count)
                + f"\n{shown}"
                + (
                    "\n"
                    + ngettext("… et {more} autre", "… et {more} autres", more).format(more=more)
                    if more > 0
                    else ""
                )
            )
            self.verdict.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.verdict.setProperty("intact", report.ok)

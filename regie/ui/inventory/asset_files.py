"""CSV import and export of assets, and the PDF of QR labels, from the equipment table.

A file with bad rows imports nothing: its problems are listed by line and column, and the
user may then import the correct rows only, after saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, ngettext
from regie.inventory.asset_csv import CsvImportError, ImportReport, Problem, import_assets
from regie.inventory.asset_csv import export_assets as write_csv
from regie.inventory.asset_window import AssetFilter
from regie.inventory.assets import list_assets
from regie.ui.forms.file_dialogs import open_path, save_path
from regie.ui.inventory.messages import attempt, report_failure, show_info
from regie.ui.inventory.table_models import Column, RowsModel

PROBLEM_COLUMNS: list[Column[Problem]] = [
    Column(N_("Ligne"), lambda p: str(p.line), numeric=True),
    Column(N_("Colonne"), lambda p: p.field or "—"),
    Column(N_("Problème"), lambda p: p.message),
]


def good_rows(report: ImportReport) -> int:
    """Rows without a problem; none when the header itself is wrong."""
    if any(problem.line == 1 for problem in report.problems):
        return 0
    return report.rows - len({problem.line for problem in report.problems})


class ImportProblemsDialog(QDialog):
    """The problems of a CSV file; "import the correct rows anyway" needs a click."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProblems")
        self.setWindowTitle(_("Import refusé"))
        self.resize(720, 380)
        good = good_rows(report)
        bad = report.rows - good if good else report.rows
        name = Path(report.path).name
        if good:
            text = ngettext(
                "<b>{name}</b> : {bad} ligne sur {rows} a une erreur. Rien n'a été importé.",
                "<b>{name}</b> : {bad} lignes sur {rows} ont une erreur. Rien n'a été importé.",
                bad,
            ).format(name=name, bad=bad, rows=report.rows)
        else:
            text = _("<b>{name}</b> ne peut pas être importé : rien n'a été importé.").format(
                name=name
            )
        self.summary = QLabel(text)
        self.summary.setWordWrap(True)
        self.problems = RowsModel(PROBLEM_COLUMNS, parent=self)
        self.problems.set_rows(report.problems)
        view = QTableView()
        view.setObjectName("importProblemsTable")
        view.setModel(self.problems)
        view.verticalHeader().hide()
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setWordWrap(True)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox()
        self.import_good = QPushButton(
            _("Importer quand même les lignes correctes ({good})").format(good=good)
        )
        self.import_good.setObjectName("importGoodRows")
        self.import_good.setEnabled(good > 0)
        self.cancel = QPushButton(_("Annuler"))
        buttons.addButton(self.import_good, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        # Importing part of a file is never what Enter does.
        self.import_good.setAutoDefault(False)
        self.cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.cancel.setDefault(True)  # the button box picks the accept button when shown
        self.cancel.setFocus()


class AssetFiles(QObject):
    imported = Signal()

    def __init__(
        self, db: Database, screen: QWidget, shown: Callable[[], AssetFilter] = AssetFilter
    ) -> None:
        super().__init__(screen)
        self.db = db
        self.screen = screen
        self.shown = shown  # the filter of the table: export writes what the user sees
        self.problems_dialog: ImportProblemsDialog | None = None

    # -- import ------------------------------------------------------------------------
    def ask_import(self) -> None:
        path = open_path(
            self.screen,
            _("Importer du matériel"),
            _("Fichiers CSV (*.csv);;Tous les fichiers (*)"),
        )
        if path:
            self.import_file(path)

    def import_file(self, path: Path, *, good_rows_only: bool = False) -> ImportReport | None:
        def run() -> ImportReport:
            with self.db.session() as session:
                return import_assets(session, path, good_rows_only=good_rows_only)

        try:
            report = run()
        except CsvImportError as error:
            self._show_problems(path, error.report)
            return None
        except Exception as error:
            report_failure(self.screen, error)
            return None
        self.imported.emit()
        skipped = len({p.line for p in report.problems})
        show_info(
            self.screen,
            _("Import terminé"),
            ngettext(
                "{imported} matériel importé depuis {name}.",
                "{imported} matériels importés depuis {name}.",
                report.imported,
            ).format(imported=report.imported, name=path.name),
            ngettext(
                "{skipped} ligne en erreur laissée de côté.",
                "{skipped} lignes en erreur laissées de côté.",
                skipped,
            ).format(skipped=skipped)
            if skipped
            else "",
        )
        return report

    def _show_problems(self, path: Path, report: ImportReport) -> None:
        dialog = ImportProblemsDialog(report, self.screen)
        self.problems_dialog = dialog
        dialog.accepted.connect(lambda: self.import_file(path, good_rows_only=True))
        dialog.open()

    # -- export and labels -------------------------------------------------------------
    def ask_export(self) -> None:
        where = self.shown()
        path = save_path(
            self.screen,
            _("Exporter le matériel affiché"),
            "materiel.csv",
            _("Fichiers CSV (*.csv)"),
        )
        if path:
            self.export_file(path, where)

    def export_file(self, path: Path, where: AssetFilter | None = None) -> int | None:
        def run() -> int:
            with self.db.session() as session:
                return write_csv(session, path, list_assets(session, where))

        count = attempt(self.screen, run)
        if count is not None:
            show_info(
                self.screen,
                _("Export terminé"),
                ngettext(
                    "{count} matériel écrit dans {path}.",
                    "{count} matériels écrits dans {path}.",
                    count,
                ).format(count=count, path=path),
            )
        return count

    def ask_labels(self, tags: list[str]) -> None:
        what = (
            ngettext("{tags} matériel choisi", "{tags} matériels choisis", len(tags)).format(
                tags=len(tags)
            )
            if tags
            else _("tout le matériel")
        )
        path = save_path(
            self.screen,
            _("Étiquettes de {what}").format(what=what),
            "etiquettes.pdf",
            _("Documents PDF (*.pdf)"),
        )
        if path:
            self.labels_file(path, tags)

    def labels_file(self, path: Path, tags: list[str]) -> int | None:
        def run() -> int:
            from regie.inventory.labels import labels_for, write_labels  # reportlab: 0.2 s

            with self.db.session() as session:
                labels = labels_for(session, tags or None)
            return write_labels(labels, path)

        pages = attempt(self.screen, run)
        if pages is not None:
            show_info(
                self.screen,
                _("Étiquettes prêtes"),
                ngettext(
                    "{pages} page d'étiquettes écrite dans {path}.",
                    "{pages} pages d'étiquettes écrites dans {path}.",
                    pages,
                ).format(pages=pages, path=path),
                _("Planche A4 de 21 étiquettes (63,5 × 38,1 mm)."),
            )
        return pages

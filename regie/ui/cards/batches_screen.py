"""Card batches: the list with the cards of each counted per state; import a factory file,
export for TiBillet, generate a new batch for the printer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.batches import ExportResult, GeneratedBatch, export_tibillet, select_cards
from regie.cards.models import CardState
from regie.cards.overview import BatchSummary, CardChoices, batch_summaries, card_choices
from regie.db import Database
from regie.i18n import N_, _, format_date, ngettext
from regie.ui.cards.batch_dialogs import FactoryImportDialog, GenerateDialog
from regie.ui.forms.file_dialogs import save_path
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table


def _count(state: CardState) -> Column[BatchSummary]:
    labels = {
        CardState.ACTIVE: N_("Actives"),
        CardState.BLOCKED: N_("Bloquées"),
        CardState.LOST: N_("Perdues"),
        CardState.RETURNED: N_("Rendues"),
        CardState.DESTROYED: N_("Détruites"),
    }
    return Column(labels[state], lambda b: str(b.count(state)), numeric=True)


COLUMNS: list[Column[BatchSummary]] = [
    Column(N_("Lot de cartes"), lambda b: b.name),
    Column(N_("Propriétaire"), lambda b: b.owner),
    Column(N_("Lot d'inventaire"), lambda b: b.lot or "—"),
    Column(N_("Cartes"), lambda b: str(b.cards), numeric=True),
    Column(N_("Associées"), lambda b: str(b.paired), numeric=True),
    Column(N_("Encodées"), lambda b: str(b.encoded), numeric=True),
    Column(N_("À ré-encoder"), lambda b: str(b.to_reencode), numeric=True),
    *(_count(state) for state in CardState),
    Column(N_("Créé le"), lambda b: format_date(b.created_at, "short") if b.created_at else "—"),
]


class BatchesScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.dialog: FactoryImportDialog | GenerateDialog | None = None
        self.model: RowsModel[BatchSummary] = RowsModel(COLUMNS, parent=self)
        self.table = make_table("batchTable", self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.summary = QLabel("")
        self.summary.setObjectName("batchSummary")
        self.import_button = QPushButton(_("&Importer un fichier d'usine…"))
        self.import_button.setObjectName("batchImport")
        self.export_button = QPushButton(_("E&xporter pour TiBillet…"))
        self.export_button.setObjectName("batchExport")
        self.generate_button = QPushButton(_("&Générer un lot à imprimer…"))
        self.generate_button.setObjectName("batchGenerate")
        self.source = QLabel("")
        self.source.setObjectName("batchSource")
        self.source.setWordWrap(True)
        self.status = QLabel("")
        self.status.setObjectName("batchStatus")
        self.status.setStyleSheet("color: #0b6b2f; font-weight: bold;")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        for button in (self.import_button, self.export_button, self.generate_button):
            top.addWidget(button)
        hint = QLabel(
            _(
                "L'export écrit le lot sélectionné (toutes les cartes si aucun ne l'est) au format "
                "que TiBillet importe : url,number,tag_id (les 4 premiers octets de l'UID)."
            )
        )
        hint.setObjectName("pageComing")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.source)
        layout.addWidget(self.status)
        layout.addWidget(hint)
        self.import_button.clicked.connect(self.open_import)
        self.export_button.clicked.connect(self.ask_export)
        self.generate_button.clicked.connect(self.open_generate)
        self.table.selectionModel().selectionChanged.connect(self._show_source)
        self.model.modelReset.connect(self._show_source)
        self.refresh()

    def refresh(self) -> None:
        def load() -> list[BatchSummary]:
            with self.db.session() as session:
                return batch_summaries(session)

        chosen = self.selected()
        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        cards = sum(row.cards for row in rows)
        self.summary.setText(
            _("{batches}, {cards}").format(
                batches=ngettext("{n} lot de cartes", "{n} lots de cartes", len(rows)).format(
                    n=len(rows)
                ),
                cards=ngettext("{n} carte", "{n} cartes", cards).format(n=cards),
            )
        )
        if chosen is not None:
            self.select(chosen.name)

    def select(self, name: str) -> None:
        for row, batch in enumerate(self.model.rows()):
            if batch.name == name:
                self.table.selectRow(row)

    def selected(self) -> BatchSummary | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_source(self, *_args: object) -> None:
        batch = self.selected()
        self.source.setText(
            _("Lot {name} — source : {source}").format(name=batch.name, source=batch.source)
            if batch and batch.source
            else ""
        )

    def _choices(self) -> CardChoices | None:
        def load() -> CardChoices:
            with self.db.session() as session:
                return card_choices(session)

        return attempt(self, load)

    # -- import and generate -----------------------------------------------------------
    def open_import(self) -> FactoryImportDialog | None:
        choices = self._choices()
        if choices is None:
            return None
        dialog = FactoryImportDialog(self.db, choices, self)
        dialog.imported.connect(lambda result: self._added(result.batch))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_generate(self) -> GenerateDialog | None:
        choices = self._choices()
        if choices is None:
            return None
        dialog = GenerateDialog(self.db, choices, self)
        dialog.generated.connect(self._generated)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _generated(self, result: GeneratedBatch) -> None:
        kept = (
            _(" et enregistrées : lot {batch}").format(batch=result.batch) if result.batch else ""
        )
        self.status.setText(
            _("{cards} cartes générées dans {path}{kept}.").format(
                cards=result.cards, path=result.path, kept=kept
            )
        )
        if result.batch:
            self._added(result.batch)

    def _added(self, batch: str) -> None:
        self.refresh()
        self.select(batch)
        self.changed.emit()

    # -- export ------------------------------------------------------------------------
    def ask_export(self) -> None:
        batch = self.selected()
        offered = f"{batch.name}.csv" if batch else "cartes-tibillet.csv"
        path = save_path(self, _("Exporter pour TiBillet"), offered, _("Fichiers CSV (*.csv)"))
        if path:
            self.export_file(path, batch.name if batch else None)

    def export_file(self, path: Path, batch: str | None) -> ExportResult | None:
        def run() -> ExportResult:
            with self.db.session() as session:
                return export_tibillet(session, path, select_cards(session, batch=batch))

        result = attempt(self, run)
        if result is None:
            return None
        what = _("du lot {batch}").format(batch=batch) if batch else _("de tous les lots")
        detail = (
            ngettext(
                "{without_uid} carte sans puce associée laissée de côté : TiBillet ne prend "
                "pas une carte sans tag_id.",
                "{without_uid} cartes sans puce associée laissées de côté : TiBillet ne prend "
                "pas une carte sans tag_id.",
                result.without_uid,
            ).format(without_uid=result.without_uid)
            if result.without_uid
            else ""
        )
        self.status.setText(
            ngettext(
                "{written} carte {what} exportée dans {path}.",
                "{written} cartes {what} exportées dans {path}.",
                result.written,
            ).format(written=result.written, what=what, path=path)
        )
        show_info(
            self,
            _("Export TiBillet"),
            ngettext(
                "{written} carte {what} écrite dans {path}.",
                "{written} cartes {what} écrites dans {path}.",
                result.written,
            ).format(written=result.written, what=what, path=path),
            detail,
        )
        return result

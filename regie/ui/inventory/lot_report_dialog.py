"""The lots at the end of a prestation: cards lent and returned, the lost ones counted and
priced at the lot's unit cost (``loans.lot_report``)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.inventory.loans import LotReport, lot_report
from regie.inventory.references import references
from regie.money import format_money
from regie.ui.inventory.forms import count
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table


def still_out(row: LotReport) -> str:
    return count(row.still_out) if row.still_out else "—"


COLUMNS: list[Column[LotReport]] = [
    Column("Lot", lambda row: row.lot),
    Column("Prêtés", lambda row: count(row.lent), numeric=True),
    Column("Rendus", lambda row: count(row.returned), numeric=True),
    Column("Perdus", lambda row: count(row.lost), numeric=True),
    Column("Valeur perdue", lambda row: format_money(row.lost_value_cents), numeric=True),
    Column("Encore dehors", lambda row: still_out(row), numeric=True),
]
LOST = QColor("#b3261e")


class LotReportDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("lotReport")
        self.setWindowTitle("Bilan des lots d'une prestation")
        self.resize(760, 280)
        self.prestation = QComboBox()
        self.prestation.setObjectName("lotReportPrestation")
        self.prestation.setMinimumWidth(320)
        label = QLabel("&Prestation :")
        label.setBuddy(self.prestation)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.prestation)
        top.addStretch(1)
        self.model: RowsModel[LotReport] = RowsModel(
            COLUMNS, tone=lambda row: LOST if row.lost else None, parent=self
        )
        self.view = make_table("lotReportTable", self.model, stretch=0)
        self.view.setSizeAdjustPolicy(QTableView.SizeAdjustPolicy.AdjustToContents)
        self.total = QLabel("")
        self.total.setObjectName("lotReportTotal")
        self.total.setWordWrap(True)
        self.total.setStyleSheet("font-size: 14px;")
        note = QLabel(
            "Les lots non rendus sont comptés perdus au retour et valorisés au coût unitaire "
            "du lot ; leur incident est dans l'onglet Incidents (qui paie, selon la convention)."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #5b6b7a;")
        buttons = QDialogButtonBox()
        buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view)
        layout.addWidget(self.total)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(buttons)

        with db.session() as session:
            choices = references(session).prestations
        for p in choices:
            self.prestation.addItem(f"{p.name} — du {p.starts_on:%d/%m} au {p.ends_on:%d/%m/%Y}",
                                    p.name)  # fmt: skip
        self.prestation.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def choose(self, name: str) -> None:
        self.prestation.setCurrentIndex(self.prestation.findData(name))

    def refresh(self) -> None:
        name = str(self.prestation.currentData() or "")
        if not name:
            self.model.set_rows([])
            self.total.setText("Aucune prestation.")
            return

        def load() -> list[LotReport]:
            with self.db.session() as session:
                return lot_report(session, name)

        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        if not rows:
            self.total.setText(f"Aucun lot prêté pour {name}.")
            return
        lent, back = sum(r.lent for r in rows), sum(r.returned for r in rows)
        lost, value = sum(r.lost for r in rows), sum(r.lost_value_cents for r in rows)
        out = sum(r.still_out for r in rows)
        still = f", {count(out)} encore dehors." if out else "."
        self.total.setText(
            f"{name} : <b>{count(lent)}</b> prêtés, <b>{count(back)}</b> rendus, "
            f"<b style='color:{LOST.name()}'>{count(lost)} perdus</b> pour "
            f"<b>{format_money(value)}</b>{still}"
        )

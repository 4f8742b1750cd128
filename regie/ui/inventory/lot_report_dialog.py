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
from regie.i18n import N_, _
from regie.inventory.loans import LotReport, lot_report
from regie.inventory.references import references
from regie.money import format_money
from regie.ui.inventory.forms import count, dated
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table


def still_out(row: LotReport) -> str:
    return count(row.still_out) if row.still_out else "—"


COLUMNS: list[Column[LotReport]] = [
    Column(N_("Lot"), lambda row: row.lot),
    Column(N_("Prêtés"), lambda row: count(row.lent), numeric=True),
    Column(N_("Rendus"), lambda row: count(row.returned), numeric=True),
    Column(N_("Perdus"), lambda row: count(row.lost), numeric=True),
    Column(N_("Valeur perdue"), lambda row: format_money(row.lost_value_cents), numeric=True),
    Column(N_("Encore dehors"), lambda row: still_out(row), numeric=True),
]
LOST = QColor("#b3261e")


class LotReportDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("lotReport")
        self.setWindowTitle(_("Bilan des lots d'une prestation"))
        self.resize(760, 280)
        self.prestation = QComboBox()
        self.prestation.setObjectName("lotReportPrestation")
        self.prestation.setMinimumWidth(320)
        label = QLabel(_("&Prestation :"))
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
            _(
                "Les lots non rendus sont comptés perdus au retour et valorisés au coût unitaire "
                "du lot ; leur incident est dans l'onglet Incidents (qui paie, selon la "
                "convention)."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #5b6b7a;")
        buttons = QDialogButtonBox()
        buttons.addButton(_("Fermer"), QDialogButtonBox.ButtonRole.RejectRole)
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
            self.prestation.addItem(dated(p.name, p.starts_on, p.ends_on), p.name)
        self.prestation.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def choose(self, name: str) -> None:
        self.prestation.setCurrentIndex(self.prestation.findData(name))

    def refresh(self) -> None:
        name = str(self.prestation.currentData() or "")
        if not name:
            self.model.set_rows([])
            self.total.setText(_("Aucune prestation."))
            return

        def load() -> list[LotReport]:
            with self.db.session() as session:
                return lot_report(session, name)

        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        if not rows:
            self.total.setText(_("Aucun lot prêté pour {name}.").format(name=name))
            return
        lent, back = sum(r.lent for r in rows), sum(r.returned for r in rows)
        lost, value = sum(r.lost for r in rows), sum(r.lost_value_cents for r in rows)
        out = sum(r.still_out for r in rows)
        still = _(", {count} encore dehors.").format(count=count(out)) if out else "."
        self.total.setText(
            _(
                "{name} : <b>{lent}</b> prêtés, <b>{back}</b> rendus, "
                "<b style='color:{colour}'>{lost} perdus</b> pour <b>{value}</b>{still}"
            ).format(
                name=name,
                lent=count(lent),
                back=count(back),
                colour=LOST.name(),
                lost=count(lost),
                value=format_money(value),
                still=still,
            )
        )

"""Incidents: breakage, theft, loss, repair; what happens to the item; who pays.

Each button is one operation of ``regie.inventory.incidents``; writing an item off asks
first. A move the incident's state does not allow is refused by the core, in French.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from regie.db import Database
from regie.i18n import N_, _, format_date, ngettext
from regie.inventory import incidents
from regie.inventory.incidents import (
    CLOSED,
    KIND_LABELS,
    PAYER_LABELS,
    STATUS_LABELS,
    IncidentRow,
    list_incidents,
)
from regie.inventory.models import Payer
from regie.money import format_money
from regie.people.roles import Permission
from regie.ui.inventory.forms import MoneyField
from regie.ui.inventory.messages import attempt, confirm
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.permissions import guard

COLUMNS: list[Column[IncidentRow]] = [
    Column(N_("N°"), lambda i: str(i.id), numeric=True),
    Column(N_("Ouvert le"), lambda i: format_date(i.opened_at, "short")),
    Column(N_("Type"), lambda i: _(KIND_LABELS[i.kind])),
    Column(N_("Élément"), lambda i: i.item),
    Column(N_("Qté"), lambda i: str(i.quantity), numeric=True),
    Column(N_("État"), lambda i: _(STATUS_LABELS[i.status])),
    Column(N_("Coût"), lambda i: format_money(i.cost_cents), numeric=True),
    Column(N_("À la charge de"), lambda i: _(PAYER_LABELS[i.payer])),
    Column(N_("Description"), lambda i: i.description),
]


def tone(row: IncidentRow) -> QColor | None:
    return QColor("#7a8590") if row.status in CLOSED else QColor("#a35a00")


class CostDialog(QDialog):
    """An amount, and optionally who pays it and a word on what was done."""

    def __init__(self, title: str, row: IncidentRow, parent: QWidget, *, payer: bool) -> None:
        super().__init__(parent)
        self.setObjectName("incidentCost")
        self.setWindowTitle(title)
        self.cost = MoneyField("incidentCostAmount", row.cost_cents if payer else 0)
        self.payer = QComboBox()
        self.payer.setObjectName("incidentPayer")
        for value, label in PAYER_LABELS.items():
            self.payer.addItem(_(label), value)
        self.payer.setCurrentIndex(self.payer.findData(row.payer))
        self.detail = QLineEdit()
        self.detail.setObjectName("incidentDetail")
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                _("Incident n°{id} — {kind} — {item}").format(
                    id=row.id, kind=_(KIND_LABELS[row.kind]), item=row.item
                )
            )
        )
        form.addRow(_("&Coût :"), self.cost)
        if payer:
            form.addRow(_("&Payé par :"), self.payer)
        else:
            form.addRow(_("&Travaux faits :"), self.detail)
        buttons = QDialogButtonBox()
        buttons.addButton(_("&Enregistrer"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class IncidentsScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.dialog: CostDialog | None = None
        self.show_all = QComboBox()
        self.show_all.setObjectName("incidentFilter")
        self.show_all.addItem(_("Incidents en cours"), False)
        self.show_all.addItem(_("Tous les incidents"), True)
        self.model: RowsModel[IncidentRow] = RowsModel(COLUMNS, tone=tone, parent=self)
        self.view = make_table("incidentTable", self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, label, slot in (
            ("repair", _("Mettre en réparati&on"), self.start_repair),
            ("repaired", _("&Réparé…"), self.ask_repaired),
            ("found", _("R&etrouvé"), self.mark_found),
            ("write_off", _("Sortir de &l'inventaire…"), self.ask_write_off),
            ("cost", _("Coût et pa&yeur…"), self.ask_cost),
        ):
            button = QPushButton(label)
            button.setObjectName(f"incident-{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)
        self.may_write_off = guard(self.buttons["write_off"], db, Permission.WRITE_OFF)
        self.count = QLabel("")

        top = QHBoxLayout()
        top.addWidget(self.show_all)
        top.addWidget(self.count)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)

        self.show_all.currentIndexChanged.connect(self.refresh)
        self.view.selectionModel().selectionChanged.connect(self._enable)
        self.model.modelReset.connect(self._enable)
        self.refresh()

    def refresh(self) -> None:
        everything = bool(self.show_all.currentData())
        chosen = self.selected()

        def load() -> list[IncidentRow]:
            with self.db.session() as session:
                return list_incidents(session, open_only=not everything)

        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        self.count.setText(
            ngettext("{count} incident", "{count} incidents", len(rows)).format(count=len(rows))
        )
        if chosen is not None:
            self.select(chosen.id)

    def select(self, number: int) -> None:
        for row, incident in enumerate(self.model.rows()):
            if incident.id == number:
                self.view.selectRow(row)

    def selected(self) -> IncidentRow | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _enable(self, *_args: object) -> None:
        row = self.selected()
        on_asset = row is not None and row.status not in CLOSED
        for key in ("repair", "repaired", "found"):
            self.buttons[key].setEnabled(on_asset)
        self.buttons["write_off"].setEnabled(on_asset and self.may_write_off)
        self.buttons["cost"].setEnabled(row is not None)

    def _run(self, operation: Callable[[Session, int], object]) -> None:
        row = self.selected()
        if row is None:
            return

        def run() -> bool:
            with self.db.session() as session:
                operation(session, row.id)
            return True

        if attempt(self, run):
            self.refresh()
            self.changed.emit()

    def start_repair(self) -> None:
        self._run(lambda session, number: incidents.start_repair(session, number))

    def mark_found(self) -> None:
        self._run(lambda session, number: incidents.mark_found(session, number))

    def ask_write_off(self) -> None:
        row = self.selected()
        if row is None:
            return
        confirm(
            self,
            _("Sortir de l'inventaire"),
            _(
                "Sortir {item} de l'inventaire (incident n°{id}) ? Il sera compté comme perdu et "
                "entièrement amorti ; ce choix ne peut pas être annulé."
            ).format(item=row.item, id=row.id),
            _("&Sortir de l'inventaire"),
            lambda: self._run(lambda session, number: incidents.write_off(session, number)),
            destructive=True,
        )

    def ask_repaired(self) -> None:
        self._ask_cost(_("Matériel réparé"), payer=False)

    def ask_cost(self) -> None:
        self._ask_cost(_("Coût et payeur"), payer=True)

    def _ask_cost(self, title: str, *, payer: bool) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = CostDialog(title, row, self, payer=payer)
        self.dialog = dialog

        def save() -> None:
            cost = attempt(self, dialog.cost.cents)
            if cost is None:
                return
            chosen: Payer = dialog.payer.currentData()
            detail = dialog.detail.text().strip()
            if payer:
                self._run(lambda s, n: incidents.settle_cost(s, n, cost, chosen))
            else:
                self._run(lambda s, n: incidents.mark_repaired(s, n, cost, detail))

        dialog.accepted.connect(save)
        dialog.open()

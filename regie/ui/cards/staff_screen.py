"""Staff cards (TiBillet's "primary cards"): who holds one, what it opens, until when, and
whether a terminal accepts it today; make one, revoke one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.overview import card_choices
from regie.cards.staff import (
    ALL_POINTS_OF_SALE,
    StaffInfo,
    check_staff_card,
    revoke_staff_card,
    staff_cards,
)
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _, format_datetime, ngettext
from regie.ui.cards.reason_dialog import ReasonDialog
from regie.ui.cards.staff_dialog import StaffCardDialog
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table

VALID = N_("valide")


@dataclass(frozen=True)
class StaffRow:
    info: StaffInfo
    verdict: str  # "valide", or why a terminal refuses it now


def places(info: StaffInfo) -> str:
    if ALL_POINTS_OF_SALE in info.points_of_sale:
        return _("tous les points de vente")
    return ", ".join(info.points_of_sale)


COLUMNS: list[Column[StaffRow]] = [
    Column(N_("Personne"), lambda r: r.info.person),
    Column(N_("Carte"), lambda r: r.info.number),
    Column("UID", lambda r: r.info.uid or "—"),
    Column(N_("Points de vente"), lambda r: places(r.info)),
    Column(N_("Gérant"), lambda r: _("oui") if r.info.manager else _("non")),
    Column(
        N_("Expire le"),
        lambda r: format_datetime(r.info.expires_at) if r.info.expires_at else "—",
    ),
    Column(N_("Aujourd'hui"), lambda r: _(r.verdict)),
]


def tone(row: StaffRow) -> QColor | None:
    return None if row.verdict == VALID else QColor("#8a4b00")


def load_staff(db: Database) -> list[StaffRow]:
    """Every staff card with what a terminal would say of it now."""
    with db.session() as session:
        rows = []
        for info in staff_cards(session):
            place = info.points_of_sale[0] if info.points_of_sale else ALL_POINTS_OF_SALE
            check = check_staff_card(session, info.uid or "", place)
            rows.append(StaffRow(info, VALID if check.allowed else check.reason))
        return rows


class StaffScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.devices = devices
        self.dialog: QWidget | None = None
        self.model: RowsModel[StaffRow] = RowsModel(COLUMNS, tone=tone, parent=self)
        self.table = make_table("staffTable", self.model, stretch=3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.count = QLabel("")
        self.count.setObjectName("staffCount")
        self.new_button = QPushButton(_("&Nouvelle carte staff…"))
        self.new_button.setObjectName("staffNew")
        self.revoke_button = QPushButton(_("Ré&voquer…"))
        self.revoke_button.setObjectName("staffRevoke")
        top = QHBoxLayout()
        top.addWidget(self.count)
        top.addStretch(1)
        top.addWidget(self.new_button)
        top.addWidget(self.revoke_button)
        hint = QLabel(
            _(
                "Une carte staff ouvre les points de vente listés (tous : *), en mode gérant ou "
                "non, jusqu'à sa date d'expiration. Expirée, révoquée, bloquée ou perdue, les "
                "terminaux la refusent."
            )
        )
        hint.setObjectName("pageComing")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        self.new_button.clicked.connect(self.open_new)
        self.revoke_button.clicked.connect(self.ask_revoke)
        self.table.selectionModel().selectionChanged.connect(self._enable)
        self.model.modelReset.connect(self._enable)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        rows = attempt(self, lambda: load_staff(self.db))
        if rows is None:
            return
        self.model.set_rows(rows)
        valid = sum(1 for row in rows if row.verdict == VALID)
        self.count.setText(
            _("{cards}, dont {valid} aujourd'hui").format(
                cards=ngettext("{n} carte staff", "{n} cartes staff", len(rows)).format(
                    n=len(rows)
                ),
                valid=ngettext("{n} valide", "{n} valides", valid).format(n=valid),
            )
        )
        if chosen is not None:
            self.select(chosen.info.number)

    def select(self, number: str) -> None:
        for row, staff in enumerate(self.model.rows()):
            if staff.info.number == number:
                self.table.selectRow(row)

    def selected(self) -> StaffRow | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _enable(self, *_args: object) -> None:
        row = self.selected()
        self.revoke_button.setEnabled(row is not None and not row.info.revoked)

    def open_new(self) -> StaffCardDialog | None:
        def load() -> list[str]:
            with self.db.session() as session:
                return card_choices(session).points_of_sale

        names = attempt(self, load)
        if names is None:
            return None
        dialog = StaffCardDialog(self.db, self.devices, names, self)
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, info: StaffInfo) -> None:
        self.refresh()
        self.select(info.number)
        self.changed.emit()

    def ask_revoke(self) -> ReasonDialog | None:
        row = self.selected()
        if row is None:
            return None
        number = row.info.number
        dialog = ReasonDialog(
            _("Révoquer la carte staff {number}").format(number=number),
            _(
                "La carte {number} de {person} n'ouvrira plus aucun point de vente. Elle reste "
                "une carte ordinaire."
            ).format(number=number, person=row.info.person),
            _("Ré&voquer"),
            self,
        )

        def revoke() -> None:
            def run() -> StaffInfo:
                with self.db.session() as session:
                    return revoke_staff_card(session, number, reason=dialog.reason())

            if attempt(self, run) is not None:
                self._saved(row.info)

        dialog.accepted.connect(revoke)
        self.dialog = dialog
        dialog.open()
        return dialog

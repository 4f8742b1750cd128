"""The Z closures made so far, the last one first, and the wizard that makes the next one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _, format_datetime
from regie.ledger.browse import FilterChoices, ZRow, filter_choices, past_z
from regie.ledger.labels import amount, period_label, scope_label, signed
from regie.people.roles import Permission
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.ledger.closure_wizard import ClosureWizard
from regie.ui.ledger.ticket_printer import TicketPrinter
from regie.ui.notices import emit
from regie.ui.permissions import refusal


def _counted(row: ZRow) -> str:
    return "—" if row.cash_counted is None else amount(row.cash_counted)


def _difference(row: ZRow) -> str:
    gap = row.cash_difference
    return "—" if gap is None else signed(gap)


Z_COLUMNS: list[Column[ZRow]] = [
    Column(N_("Z n°"), lambda r: str(r.number), numeric=True),
    Column(N_("Portée"), lambda r: scope_label(r.scope)),
    Column(N_("Période"), lambda r: period_label(r.period)),
    Column(N_("Clôturé le"), lambda r: format_datetime(r.closed_at)),
    Column(
        N_("Transferts"),
        lambda r: _("{first} à {last}").format(first=r.first_transfer_id, last=r.last_transfer_id),
    ),
    Column(N_("Ventes nettes"), lambda r: amount(r.sales_total), numeric=True),
    Column(N_("Total cumulé"), lambda r: amount(r.grand_total), numeric=True),
    Column(N_("Fond de caisse"), lambda r: amount(r.cash_float), numeric=True),
    Column(N_("Attendu"), lambda r: amount(r.cash_expected), numeric=True),
    Column(N_("Compté"), _counted, numeric=True),
    Column(N_("Écart"), _difference, numeric=True),
]


def _tone(row: ZRow) -> QColor | None:
    return QColor("#b3261e") if row.cash_difference else None


class ClosuresScreen(QWidget):
    CONCERNS = frozenset({"closure"})  # the list of past Z; the wizard reads the rest itself
    changed = Signal()  # a Z was made (and maybe a cash difference booked)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.wizard: ClosureWizard | None = None
        self.close_button = QPushButton(_("&Clôturer une caisse ou l'événement…"))
        self.close_button.setObjectName("closureStart")
        refused = refusal(db, Permission.CLOSE_Z)
        if refused:  # the X stays open to everyone: only the wizard's last step is refused
            self.close_button.setText(_("Lire un &X…"))
            tip = _("Lecture X seulement. {refusal}").format(refusal=refused)
            self.close_button.setToolTip(tip)
        self.count = QLabel("")
        self.count.setObjectName("closureCount")
        explain = QLabel(
            _(
                "Un X se lit à tout moment ; un Z clôt définitivement les opérations depuis le "
                "Z précédent de sa portée, avec le comptage des espèces."
            )
        )
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #5b6b7a;")
        top = QHBoxLayout()
        top.addWidget(self.close_button)
        top.addWidget(self.count, 1)
        self.model = RowsModel(Z_COLUMNS, tone=_tone, parent=self)
        self.table = make_table("closureTable", self.model, stretch=1)
        self.ticket = TicketPrinter(db, self.selected_number, self)
        self.ticket.button.setEnabled(False)  # until a Z is chosen in the list
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.ticket)
        self.close_button.clicked.connect(self.open_wizard)
        self.table.selectionModel().selectionChanged.connect(self._chosen)
        self.refresh()

    def selected_number(self) -> int | None:
        """The number of the Z chosen in the list, None when none is."""
        chosen = self.table.selectionModel().selectedRows()
        rows = self.model.rows()
        return rows[chosen[0].row()].number if chosen and chosen[0].row() < len(rows) else None

    def _chosen(self) -> None:
        self.ticket.button.setEnabled(self.selected_number() is not None)

    def refresh(self) -> None:
        def load() -> list[ZRow]:
            with self.db.session() as session:
                return past_z(session)

        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        self.count.setText(
            _("{count} Z, le dernier en haut").format(count=len(rows))
            if rows
            else _("Aucun Z pour l'instant.")
        )
        self._chosen()

    def open_wizard(self) -> ClosureWizard | None:
        def load() -> FilterChoices:
            with self.db.session() as session:
                return filter_choices(session)

        found = attempt(self, load)
        if found is None:
            return None
        self.wizard = ClosureWizard(
            self.db, found.points_of_sale, self.model.rows(), self, events=found.events
        )
        self.wizard.closed.connect(self._closed)
        self.wizard.open()
        return self.wizard

    def _closed(self) -> None:
        self.refresh()
        emit(self.changed)

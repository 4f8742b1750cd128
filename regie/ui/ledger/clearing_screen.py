"""The federation clearing statement: what each organisation took in and saw spent in
federated euros, and the payments that settle them (fewest payments).

The statement reads every federated-euro transfer: it is computed in a worker thread."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _
from regie.ledger.clearing import Payment, Position, Statement, statement
from regie.ledger.labels import amount
from regie.ui.inventory.messages import report_failure
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.tasks import Task


def _balance(position: Position) -> str:
    owes = position.owes
    if owes == 0:
        return _("à l'équilibre")
    if owes > 0:
        return _("garde {amount}").format(amount=amount(owes))
    return _("à recevoir {amount}").format(amount=amount(-owes))


POSITION_COLUMNS: list[Column[Position]] = [
    Column(N_("Organisation"), lambda p: p.organisation),
    Column(N_("Rechargé chez elle"), lambda p: amount(p.collected), numeric=True),
    Column(N_("Dépensé chez elle"), lambda p: amount(p.spent_here), numeric=True),
    Column(N_("Remboursé"), lambda p: amount(p.refunded), numeric=True),
    Column(N_("Encaissé moins dépensé chez elle"), _balance, numeric=True),
]
PAYMENT_COLUMNS: list[Column[Payment]] = [
    Column(N_("Qui paie"), lambda p: p.debtor),
    Column(N_("À qui"), lambda p: p.creditor),
    Column(N_("Montant"), lambda p: amount(p.amount), numeric=True),
]


def fit_rows(table: QTableView) -> None:
    """A short list is as tall as its rows (no grey void under three organisations)."""
    table.setSizeAdjustPolicy(QTableView.SizeAdjustPolicy.AdjustToContents)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class ClearingScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        explain = QLabel(
            _(
                "Euro fédéré (FED) : une organisation encaisse les recharges faites à ses "
                "points de vente et doit aux autres ce qui a été dépensé chez elles."
            )
        )
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #5b6b7a;")
        reload = QPushButton(_("A&ctualiser"))
        reload.setObjectName("clearingRefresh")
        top = QHBoxLayout()
        top.addWidget(explain, 1)
        top.addWidget(reload)
        self.positions = RowsModel(POSITION_COLUMNS, parent=self)
        self.payments = RowsModel(PAYMENT_COLUMNS, parent=self)
        self.summary = QLabel("")
        self.summary.setObjectName("clearingSummary")
        self.summary.setStyleSheet("font-weight: bold; padding: 4px 0;")
        positions_title = QLabel(_("Positions par organisation"))
        payments_title = QLabel(_("Règlements à faire"))
        for title in (positions_title, payments_title):
            title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        self.positions_table = make_table("clearingPositions", self.positions, stretch=0)
        self.payments_table = make_table("clearingPayments", self.payments, stretch=1)
        fit_rows(self.positions_table)
        fit_rows(self.payments_table)
        layout.addWidget(positions_title)
        layout.addWidget(self.positions_table)
        layout.addWidget(payments_title)
        layout.addWidget(self.payments_table)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self._task: Task | None = None
        reload.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        if self._task is not None:
            return

        def load(_task: Task) -> Statement:
            with self.db.session() as session:
                return statement(session)

        self.summary.setText(_("Calcul de la compensation…"))
        self._task = Task("clearing", load, self)
        self._task.succeeded.connect(self._show)
        self._task.failed.connect(lambda error: report_failure(self, error))
        self._task.finished.connect(self._finished)
        self._task.start()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _finished(self) -> None:
        self._task = None

    def _show(self, found: Statement) -> None:
        self.positions.set_rows(found.positions)
        self.payments.set_rows(found.payments)
        on_cards = sum(position.owes for position in found.positions)
        if not found.positions:
            self.summary.setText(_("Aucune opération en euro fédéré."))
            return
        said = [
            _("{debtor} verse {amount} à {creditor}").format(
                debtor=p.debtor, amount=amount(p.amount), creditor=p.creditor
            )
            for p in found.payments
        ]
        if not said:
            said = [_("Aucun règlement entre organisations")]
        if on_cards > 0:  # topped up, not spent yet: kept by who collected it
            said.append(
                _("{amount} d'euros fédérés sont encore sur les cartes").format(
                    amount=amount(on_cards)
                )
            )
        self.summary.setText(_(" ; ").join(said) + ".")

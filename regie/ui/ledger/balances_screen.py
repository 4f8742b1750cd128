"""Balances per account and asset, and the sum of each asset, which must be zero.

A festival has tens of thousands of card wallets: the balances are read in a worker thread
and the list shows them when they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _, format_number, ngettext
from regie.ledger.browse import FilterChoices, filter_choices
from regie.ledger.labels import account_label, amount
from regie.ledger.reports import BalanceRow, balances, totals_by_asset
from regie.ui.inventory.messages import attempt, report_failure
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.ledger.journal_screen import combo
from regie.ui.tasks import Readings, Task

BALANCE_COLUMNS: list[Column[BalanceRow]] = [
    # the account's technical name (as in the exports) only on demand, in the tooltip
    Column(
        N_("Compte"),
        lambda r: account_label(r.account),
        tip=lambda r: _("{label} — dans les exports : {name}").format(
            label=account_label(r.account), name=r.account
        ),
    ),
    Column(N_("Actif"), lambda r: r.asset),
    Column(N_("Solde"), lambda r: amount(r.amount, r.asset), numeric=True),
]
FAMILIES = (
    (N_("Cartes"), "wallet:"),
    (N_("Points de vente"), "pos:"),
    (N_("Stripe"), "stripe:"),
    (N_("Fédération"), "fed:"),
)


@dataclass(frozen=True)
class Balances:
    rows: list[BalanceRow]
    totals: dict[str, int]


class BalancesScreen(QWidget):
    # The balances, their accounts and assets, and the filters' prestations and points of sale.
    CONCERNS = frozenset(
        {"balance", "transfer", "account", "ledger_asset", "pos", "prestation", "ledger_source"}
    )

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.account = combo("balanceAccount", _("Tous les comptes"))
        self.asset = combo("balanceAsset", _("Tous les actifs"))
        self.card = QLineEdit()
        self.card.setObjectName("balanceCard")
        self.card.setPlaceholderText(_("Début de l'UID d'une carte"))
        self.card.setClearButtonEnabled(True)
        self.card.setMinimumWidth(230)
        filters = QHBoxLayout()
        for widget in (self.account, self.asset, self.card):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.count = QLabel("")
        self.count.setObjectName("balanceCount")
        self.totals = QLabel("")
        self.totals.setObjectName("balanceTotals")
        self.model = RowsModel(BALANCE_COLUMNS, parent=self)
        self.table = make_table("balanceTable", self.model, stretch=0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

        self.readings = Readings(
            "balances", self, shown=self._show, failed=self._failed, again=self.refresh
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)
        self.card.textChanged.connect(self._timer.start)
        self.account.currentIndexChanged.connect(self.refresh)
        self.asset.currentIndexChanged.connect(self.refresh)
        self._load_choices()
        self.refresh()

    def _load_choices(self) -> None:
        def load() -> FilterChoices:
            with self.db.session() as session:
                return filter_choices(session)

        found = attempt(self, load)
        if found is None:
            return
        for box in (self.account, self.asset):
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
        for label, prefix in FAMILIES:
            self.account.addItem(_(label), prefix)
        for name in found.points_of_sale:
            self.account.addItem(_("Point de vente : {name}").format(name=name), f"pos:{name}:")
        for code, name in found.assets:
            self.asset.addItem(f"{code} — {name}", code)
        for box in (self.account, self.asset):
            box.blockSignals(False)

    def prefix(self) -> str:
        uid = "".join(self.card.text().split()).upper()
        return f"wallet:{uid}" if uid else (self.account.currentData() or "")

    def refresh(self) -> None:
        """Read the balances again in a worker (one read at a time; the latest filter wins)."""
        self._timer.stop()
        prefix, asset = self.prefix(), self.asset.currentData() or ""

        def work(_task: Task) -> Balances:
            with self.db.session() as session:
                return Balances(
                    balances(session, account=prefix, asset=asset), totals_by_asset(session)
                )

        if self.readings.read(work):
            self.count.setText(_("Lecture des soldes…"))

    @property
    def busy(self) -> bool:
        return self.readings.busy

    def _failed(self, error: Exception) -> None:
        self.count.setText("")
        report_failure(self, error)

    def _show(self, found: Balances) -> None:
        self.model.set_rows(found.rows)
        count = len(found.rows)
        self.count.setText(
            ngettext("{n} solde non nul", "{n} soldes non nuls", count).format(
                n=format_number(count)
            )
        )
        parts = [f"{code} {amount(total, code)}" for code, total in sorted(found.totals.items())]
        balanced = all(total == 0 for total in found.totals.values())
        verdict = (
            _("le grand livre est équilibré")
            if balanced
            else _("ATTENTION : un actif ne s'équilibre pas, lancez « Vérifier le journal »")
        )
        self.totals.setText(
            _("Somme de tous les comptes par actif : {totals} — {verdict}").format(
                totals=" · ".join(parts), verdict=verdict
            )
        )
        colour = "#0b6b2f" if balanced else "#b3261e"
        self.totals.setStyleSheet(f"color: {colour}; font-weight: bold; padding: 6px 0;")
        self.totals.setProperty("balanced", balanced)

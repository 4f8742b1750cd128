"""Sales reports in the window: net sales grouped by point of sale, category, product, VAT
rate or hour, drawn as a chart under them, and the top-ups by payment method (what
``regie ledger report`` prints).

The top-ups are summed over every transfer (a million on a big festival): both reports are
read in a worker thread and shown when they arrive.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QWidget

from regie.db import Database
from regie.i18n import N_, _, format_number, ngettext
from regie.ledger.labels import amount, method_label, sales_key_label
from regie.ledger.reports import SalesRow, sales, topups_by_method
from regie.ui.inventory.messages import report_failure
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.ledger.sales_chart import SalesChart, bars_of
from regie.ui.tasks import Readings, Task

TopUp = tuple[str, str, int, int]  # method, asset, count, amount
GROUPS = (
    ("pos", N_("point de vente"), N_("Point de vente")),
    ("category", N_("catégorie"), N_("Catégorie")),
    ("product", N_("produit"), N_("Produit")),
    ("vat", N_("taux de TVA"), N_("Taux de TVA")),
    ("hour", N_("heure"), N_("Heure")),
)  # (the core's key, the choice, the first column's header)


def sales_columns(by: str, header: str) -> list[Column[SalesRow]]:
    return [
        Column(header, lambda r: sales_key_label(by, r.key)),
        Column(N_("Quantité"), lambda r: format_number(r.quantity), numeric=True),
        Column(N_("Montant TTC"), lambda r: amount(r.amount), numeric=True),
    ]


TOPUP_COLUMNS: list[Column[TopUp]] = [
    Column(N_("Moyen"), lambda t: method_label(t[0])),
    Column(N_("Actif"), lambda t: t[1]),
    Column(N_("Recharges"), lambda t: format_number(t[2]), numeric=True),
    Column(N_("Montant"), lambda t: amount(t[3], t[1]), numeric=True),
]


@dataclass(frozen=True)
class Report:
    by: str
    sales: list[SalesRow]
    topups: list[TopUp]


class SalesScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.group = QComboBox()
        self.group.setObjectName("salesGroup")
        for by, label, _header in GROUPS:
            self.group.addItem(_(label), by)
        self.group.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        group_label = QLabel(_("Re&grouper par :"))
        group_label.setBuddy(self.group)
        choice = QHBoxLayout()
        choice.setSpacing(6)
        choice.addWidget(group_label)
        choice.addWidget(self.group)
        choice.addStretch(1)

        self.by = "pos"
        self.model: RowsModel[SalesRow] = RowsModel(sales_columns("pos", GROUPS[0][2]), parent=self)
        self.table = make_table("salesTable", self.model, stretch=0)
        self.total = QLabel("")
        self.total.setObjectName("salesTotal")
        self.total.setStyleSheet("font-weight: bold; padding: 4px 0;")

        topups_title = QLabel(_("Recharges par moyen"))
        topups_title.setStyleSheet("font-weight: bold; padding: 5px 0;")
        self.topups = RowsModel(TOPUP_COLUMNS, parent=self)
        self.topups_table = make_table("salesTopups", self.topups, stretch=0)
        self.topups_total = QLabel("")
        self.topups_total.setObjectName("salesTopupsTotal")
        self.topups_total.setStyleSheet("font-weight: bold; padding: 4px 0;")
        self.topups_total.setWordWrap(True)

        # Sales on the left, top-ups on the right: their choice and title, tables and
        # totals on the same lines.
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setHorizontalSpacing(16)
        layout.addLayout(choice, 0, 0)
        layout.addWidget(topups_title, 0, 1)
        layout.addWidget(self.table, 1, 0)
        layout.addWidget(self.topups_table, 1, 1)
        layout.addWidget(self.total, 2, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.topups_total, 2, 1, Qt.AlignmentFlag.AlignTop)
        self.chart = SalesChart(self)  # the sales table's rows, as bars
        layout.addWidget(self.chart, 3, 0, 1, 2)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        layout.setRowStretch(1, 3)
        layout.setRowStretch(3, 2)

        self.readings = Readings(
            "sales", self, shown=self._show, failed=self._failed, again=self.refresh
        )
        self.group.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Read both reports again in a worker (one read at a time; the latest choice wins)."""
        by = self.group.currentData()

        def work(_task: Task) -> Report:
            with self.db.session() as session:
                return Report(by, sales(session, by), topups_by_method(session))

        if self.readings.read(work):
            self.total.setText(_("Lecture des ventes…"))

    @property
    def busy(self) -> bool:
        return self.readings.busy

    def _failed(self, error: Exception) -> None:
        self.total.setText("")
        report_failure(self, error)

    def _show(self, found: Report) -> None:
        if found.by != self.by:  # another first column: another model
            header = next(header for by, _choice, header in GROUPS if by == found.by)
            old, self.by = self.model, found.by
            self.model = RowsModel(sales_columns(found.by, header), parent=self)
            self.table.setModel(self.model)
            old.deleteLater()
        self.model.set_rows(found.sales)
        choice = next(choice for by, choice, _header in GROUPS if by == found.by)
        title = _("Ventes TTC par {group}").format(group=_(choice))
        self.chart.set_bars(title, bars_of(found.by, found.sales))
        self.topups.set_rows(found.topups)
        self.total.setText(sales_total(found.sales))
        self.topups_total.setText(topups_total(found.topups))


def sales_total(rows: list[SalesRow]) -> str:
    if not rows:
        return _("Aucune vente dans le grand livre.")
    quantity = sum(row.quantity for row in rows)
    return ngettext(
        "Total : {n} article vendu, {amount} TTC",
        "Total : {n} articles vendus, {amount} TTC",
        quantity,
    ).format(n=format_number(quantity), amount=amount(sum(row.amount for row in rows)))


def topups_total(rows: list[TopUp]) -> str:
    if not rows:
        return _("Aucune recharge dans le grand livre.")
    count = sum(row[2] for row in rows)
    by_asset: dict[str, int] = defaultdict(int)
    for _method, asset, _count, cents in rows:
        by_asset[asset] += cents
    return ngettext(
        "Total : {n} recharge, {amounts}", "Total : {n} recharges, {amounts}", count
    ).format(
        n=format_number(count),
        amounts=" · ".join(amount(cents, asset) for asset, cents in sorted(by_asset.items())),
    )

"""Amortisation per owner at a date: invested, amortised, remaining, recovered or not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.i18n import N_, _, format_date, format_percent
from regie.inventory.amortisation import OwnerAmortisation, by_owner
from regie.money import format_money
from regie.ui.inventory.forms import date_edit
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.qdates import qdate

COLUMNS: list[Column[OwnerAmortisation]] = [
    Column(N_("Propriétaire"), lambda row: row.owner),
    Column(N_("Matériels et lots"), lambda row: str(row.items), numeric=True),
    Column(N_("Investi"), lambda row: format_money(row.invested_cents), numeric=True),
    Column(N_("Amorti à date"), lambda row: format_money(row.amortised_cents), numeric=True),
    Column(N_("Reste à amortir"), lambda row: format_money(row.remaining_cents), numeric=True),
    Column(N_("Part amortie"), lambda row: share(row), numeric=True),
    Column(N_("Récupéré"), lambda row: _("oui") if row.recovered else _("non")),
]


def share(row: OwnerAmortisation) -> str:
    if not row.invested_cents:
        return "—"
    return format_percent(Decimal(row.amortised_cents) / row.invested_cents)


def tone(row: OwnerAmortisation) -> QColor | None:
    return QColor("#0b6b2f") if row.recovered else None


class AmortisationScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.at = date_edit("amortisationDate", clock.today())
        today = QPushButton(_("Au&jourd'hui"))
        today.clicked.connect(lambda: self.at.setDate(qdate(clock.today())))
        self.model: RowsModel[OwnerAmortisation] = RowsModel(COLUMNS, tone=tone, parent=self)
        self.view = make_table("amortisationTable", self.model, stretch=0)
        self.view.setToolTip(
            _("Récupéré : l'investissement de l'équipement est entièrement amorti.")
        )
        # As tall as its rows: a few owners, not a page of blank lines.
        self.view.setSizeAdjustPolicy(QTableView.SizeAdjustPolicy.AdjustToContents)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.totals = QLabel("")
        self.totals.setObjectName("amortisationTotals")
        self.totals.setStyleSheet("font-size: 14px;")
        explanation = QLabel(
            _(
                "Amortissement linéaire par mois entier depuis l'achat ; un matériel perdu ou "
                "sorti de l'inventaire est entièrement amorti. Les biens en copropriété comptent "
                "pour chaque propriétaire à hauteur de sa part."
            )
        )
        explanation.setWordWrap(True)
        explanation.setStyleSheet("color: #5b6b7a;")

        top = QHBoxLayout()
        label = QLabel(_("Date de ca&lcul :"))
        label.setBuddy(self.at)
        top.addWidget(label)
        top.addWidget(self.at)
        top.addWidget(today)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)
        layout.addWidget(self.totals)
        self.bars = QVBoxLayout()
        layout.addSpacing(8)
        layout.addLayout(self.bars)
        layout.addSpacing(8)
        layout.addWidget(explanation)
        layout.addStretch(1)
        self.at.dateChanged.connect(self.refresh)
        self.refresh()

    def date(self) -> dt.date:
        return self.at.last_day()  # a day being typed is not read until it is whole

    def refresh(self) -> None:
        at = self.date()

        def load() -> list[OwnerAmortisation]:
            with self.db.session() as session:
                return by_owner(session, at=at)

        rows = attempt(self, load)
        if rows is None:
            return
        self.model.set_rows(rows)
        self._draw_bars(rows)
        invested = sum(row.invested_cents for row in rows)
        amortised = sum(row.amortised_cents for row in rows)
        self.totals.setText(
            _(
                "Au {at} : investi <b>{invested}</b>, amorti <b>{amortised}</b>, "
                "reste <b>{remaining}</b>."
            ).format(
                at=format_date(at, "short"),
                invested=format_money(invested),
                amortised=format_money(amortised),
                remaining=format_money(invested - amortised),
            )
        )

    def _draw_bars(self, rows: list[OwnerAmortisation]) -> None:
        """One bar per owner: how much of the investment is amortised at the date."""
        while self.bars.count():
            item = self.bars.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for row in rows:
            bar = QProgressBar()
            bar.setObjectName(f"amortisationBar-{row.owner}")
            bar.setRange(0, 1000)
            if row.invested_cents:
                bar.setValue(min(1000, row.amortised_cents * 1000 // row.invested_cents))
            bar.setFormat(
                _("{owner} : {share} amorti, reste {remaining}").format(
                    owner=row.owner,
                    share=share(row),
                    remaining=format_money(row.remaining_cents),
                )
            )
            bar.setTextVisible(True)
            bar.setMinimumHeight(26)
            self.bars.addWidget(bar)

"""Indicateurs: the yearly statement the convention asks for (events covered, cards used,
turnover, what is owed) with two charts: turnover and what is owed per prestation, and the
cards used at each."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _, locale_name
from regie.settlement.indicators import YearIndicators, cards_by_prestation, indicators
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.settlement.screen import YearScreen, fit_rows
from regie.ui.settlement.words import SCHEMES, count, day, euros
from regie.ui.tasks import Task

CARD_STYLE = (
    "QLabel { background: white; border: 1px solid #c9d1d9; border-radius: 6px; "
    "padding: 6px 10px; color: #1f2a36; }"
)
FIGURES = (  # two rows of four: the year's events, then their sales by means of payment
    ("events", N_("Événements couverts")),
    ("cards", N_("Cartes utilisées")),
    ("turnover", N_("Chiffre d'affaires HT")),
    ("owed", N_("Dû à la coopérative")),
    ("cashless", N_("Ventes cashless")),
    ("cash", N_("Ventes en espèces")),
    ("card", N_("Ventes par carte bancaire")),
    ("floor", N_("Complément plancher SoTicket")),
)
PrestationRow = tuple[str, str, str, str, str]
COLUMNS: list[Column[PrestationRow]] = [
    Column(N_("Prestation"), lambda r: r[0]),
    Column(N_("Début"), lambda r: r[1]),
    Column(N_("Chiffre d'affaires HT"), lambda r: r[2], numeric=True),
    Column(N_("Règlement retenu"), lambda r: r[3]),
    Column(N_("Dû"), lambda r: r[4], numeric=True),
]


@dataclass(frozen=True)
class Year:
    figures: YearIndicators
    cards: dict[str, int]


def bar_chart(
    title: str, labels: list[str], sets: list[tuple[str, str, list[float]]], unit: str
) -> QChart:
    """A bar chart: ``sets`` are (name, colour, one value per label)."""
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    series = QBarSeries()
    for name, colour, values in sets:
        bars = QBarSet(name)
        bars.setColor(QColor(colour))
        bars.append(values)
        series.append(bars)
    series.setLabelsVisible(True)
    chart.addSeries(series)
    # Numbers as the language writes them (9 000, 9,000; not 9000.0); the unit in the axis title.
    chart.setLocale(QLocale(locale_name()))
    chart.setLocalizeNumbers(True)
    axis_x = QBarCategoryAxis()
    axis_x.append(labels)
    if len(labels) > 4:
        axis_x.setLabelsAngle(-40)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = QValueAxis()
    highest = max((max(values, default=0) for _n, _c, values in sets), default=0)
    axis_y.setRange(0, max(highest * 1.15, 10))  # all zero: 0 to 10, not five ticks named 0 or 1
    axis_y.setLabelFormat("%.0f")
    axis_y.applyNiceNumbers()
    axis_y.setTitleText(unit)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


class IndicatorsScreen(YearScreen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.shown: Year | None = None
        self.year.setObjectName("indicatorsYear")
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Bilan de l'année")))
        top.addWidget(self.year)
        top.addStretch(1)
        self.figures: dict[str, QLabel] = {}
        cards = QGridLayout()
        self.values: dict[str, str] = {}
        for index, (name, title) in enumerate(FIGURES):
            label = QLabel(_(title))
            label.setObjectName(f"indicator-{name}")
            label.setStyleSheet(CARD_STYLE)
            cards.addWidget(label, index // 4, index % 4)
            self.figures[name] = label
        self.money_view = QChartView()
        self.money_view.setObjectName("indicatorsMoneyChart")
        self.cards_view = QChartView()
        self.cards_view.setObjectName("indicatorsCardsChart")
        charts = QHBoxLayout()
        for view in (self.money_view, self.cards_view):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(260)
        charts.addWidget(self.money_view, 1)
        charts.addWidget(self.cards_view, 1)
        self.model: RowsModel[PrestationRow] = RowsModel(COLUMNS, parent=self)
        self.table = make_table("indicatorsTable", self.model, stretch=3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(charts, 1)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        db, year = self.db, self.year.value()

        def read(_task: Task) -> Year:
            with db.session() as session:
                return Year(indicators(session, year), cards_by_prestation(session, year))

        self.run("indicators", read, self._shown)

    def _shown(self, year: Year) -> None:
        self.shown = year
        found = year.figures
        values = {
            "events": str(found.events),
            "cards": count(found.cards_used),
            "turnover": euros(found.turnover_cents),
            "cashless": euros(found.cashless_sales_cents),
            "cash": euros(found.cash_sales_cents),
            "card": euros(found.card_sales_cents),
            "owed": euros(found.owed_cents),
            "floor": euros(found.soticket_floor_topup_cents),
        }
        self.values = values
        for name, title in FIGURES:
            self.figures[name].setText(
                f"<span style='color:#5b6b7a'>{_(title)}</span><br>"  # i18n: not shown
                f"<span style='font-size:16px; font-weight:bold'>{values[name]}</span>"
            )
        names = [line.name for line in found.lines]
        # Whole euros on the chart: the exact amounts are in the figures and the table.
        turnover = [float(round(p.turnover_cents / 100)) for p in found.lines]
        owed = [float(round(p.total_cents / 100)) for p in found.lines]
        self.money_view.setChart(
            bar_chart(
                _("Chiffre d'affaires et dû par prestation ({year})").format(year=found.year),
                names,
                [
                    (_("Chiffre d'affaires HT"), "#1d5fa8", turnover),
                    (_("Dû à la coopérative"), "#2d6a4f", owed),
                ],
                _("euros"),
            )
        )
        self.cards_view.setChart(
            bar_chart(
                _("Cartes utilisées par prestation ({year})").format(year=found.year),
                names,
                [(_("Cartes utilisées"), "#e4572e", [float(year.cards.get(n, 0)) for n in names])],
                _("cartes"),
            )
        )
        self.model.set_rows(
            [
                (
                    line.name,
                    day(line.starts_on),
                    euros(line.turnover_cents),
                    f"{_(SCHEMES.get(line.scheme, line.scheme))}, {_(line.phase)}"
                    if line.scheme
                    else _("aucun"),
                    euros(line.total_cents),
                )
                for line in found.lines
            ]
        )
        fit_rows(self.table)

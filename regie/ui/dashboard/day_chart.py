"""The day's turnover and top-ups per hour, as bars (QtCharts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from regie.i18n import _

if TYPE_CHECKING:  # the figures' module loads in the reading thread: the window opens first
    from regie.dashboard import DayMoney

SALES_COLOUR = "#1f2a36"
TOPUPS_COLOUR = "#e4572e"


class DayChart(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dayChart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        chart = QChart()
        chart.setBackgroundRoundness(8)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundVisible(False)  # the tile is the background
        self.setStyleSheet("background: transparent;")
        self.setChart(chart)
        self.hours: list[int] = []

    def sizeHint(self) -> QSize:
        return QSize(480, 220)  # Qt's default (a large view) would push the tiles below away

    def show_day(self, money: DayMoney) -> None:
        """Euros per hour: sales and top-ups side by side."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.hours = [h.hour for h in money.hours]
        if not money.hours:
            chart.setTitle(_("Aucune vente enregistrée"))
            return
        chart.setTitle("")
        sales = QBarSet(_("Ventes"))
        sales.setColor(QColor(SALES_COLOUR))
        topups = QBarSet(_("Recharges"))
        topups.setColor(QColor(TOPUPS_COLOUR))
        for hour in money.hours:
            sales.append(hour.sales_cents / 100)  # a bar's height only: figures stay in cents
            topups.append(hour.topups_cents / 100)
        series = QBarSeries()
        series.append(sales)
        series.append(topups)
        chart.addSeries(series)
        hours = QBarCategoryAxis()
        hours.append([str(h) for h in self.hours])
        hours.setTitleText(_("heure"))
        chart.addAxis(hours, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(hours)
        euros = QValueAxis()
        euros.setLabelFormat("%.0f")
        euros.setTitleText(_("euros"))
        highest = max(max(h.sales_cents, h.topups_cents) for h in money.hours) / 100
        euros.setRange(0, max(highest, 10))  # a range before nice numbers: no NaN on an empty day
        chart.addAxis(euros, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(euros)
        euros.applyNiceNumbers()

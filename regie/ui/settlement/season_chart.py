"""The season's amortisation over time: what the shares recovered so far (a step: it moves at
the end of each prestation) against the amount to amortise (a horizontal line), dates across,
euros up."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import QChart, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDate, QDateTime, QLocale, QMargins, QPointF, Qt, QTime
from PySide6.QtGui import QColor, QPen

from regie.i18n import _, locale_name
from regie.settlement.season import Season

RECOVERED_COLOUR, INVESTED_COLOUR = "#1d5fa8", "#b3261e"


def when(day: dt.date) -> float:
    """A day as the chart's x (milliseconds since the epoch, at noon: no time zone moves it
    to the day before)."""
    moment = QDateTime(QDate(day.year, day.month, day.day), QTime(12, 0))
    return float(moment.toMSecsSinceEpoch())


def euros_up(cents: int) -> float:
    """Euros as the chart draws them (a position, never an amount anyone reads as money)."""
    return cents / 100


def recovered_steps(season: Season) -> list[tuple[dt.date, int]]:
    """The step line's corners: flat from one prestation's end to the next, then up (or down,
    were a correction to lower it), and flat to the year's end."""
    corners: list[tuple[dt.date, int]] = []
    for day, cents in season.curve:
        if corners:
            corners.append((day, corners[-1][1]))
        corners.append((day, cents))
    if corners:
        corners.append((max(dt.date(season.year, 12, 31), corners[-1][0]), corners[-1][1]))
    return corners


def line(name: str, pen: QPen, corners: list[tuple[dt.date, int]]) -> QLineSeries:
    series = QLineSeries()
    series.setName(name)
    series.setPen(pen)
    for day, cents in corners:
        series.append(QPointF(when(day), euros_up(cents)))
    return series


def amortisation_chart(season: Season) -> QChart:
    """The chart of ``season``: the recovered step line and the amount-to-amortise line."""
    chart = QChart()
    chart.setTitle(_("Amortissement au fil de la saison {year}").format(year=season.year))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setLocale(QLocale(locale_name()))
    chart.setLocalizeNumbers(True)
    first = min([dt.date(season.year, 1, 1), *(day for day, _c in season.curve)])
    last = max([dt.date(season.year, 12, 31), *(day for day, _c in season.curve)])
    recovered = line(_("Récupéré"), QPen(QColor(RECOVERED_COLOUR), 3), recovered_steps(season))
    recovered.setPointsVisible(True)
    dashed = QPen(QColor(INVESTED_COLOUR), 2, Qt.PenStyle.DashLine)
    level = season.invested_cents
    invested = line(_("À amortir"), dashed, [(first, level), (last, level)])
    axis_x = QDateTimeAxis()
    axis_x.setFormat("MMM")  # i18n: not shown (a date format; Qt writes the months)
    axis_x.setTickCount(5)
    axis_x.setRange(
        QDateTime.fromMSecsSinceEpoch(int(when(first))),
        QDateTime.fromMSecsSinceEpoch(int(when(last))),
    )
    axis_y = QValueAxis()
    highest = max([season.invested_cents, *(cents for _d, cents in season.curve)])
    axis_y.setRange(0, max(euros_up(highest) * 1.1, 10))
    axis_y.setLabelFormat("%.0f")
    axis_y.applyNiceNumbers()
    axis_y.setTitleText(_("euros"))
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    for series in (invested, recovered):
        chart.addSeries(series)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart

"""The Ventes tab's chart: one bar per line of the sales table (a point of sale, an hour…),
drawn with QPainter from the very rows the table shows, so the two never disagree.

Euros up, the table's first column across; when the bars are too narrow for every label
(a festival has a hundred hours), one label in every few is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from regie.i18n import _, format_number
from regie.ledger.labels import amount, sales_key_label
from regie.ledger.reports import SalesRow, short_hour

BAR, GRID, INK, MUTED = "#2d6a4f", "#e4e7eb", "#1f2933", "#5b6b7a"


@dataclass(frozen=True, kw_only=True)
class Bar:
    label: str
    cents: int


def bar_label(by: str, key: str) -> str:
    """What a bar is called under it: the table's words, an hour shortened to « 12/07 21 h »."""
    return short_hour(key) if by == "hour" else sales_key_label(by, key)


def bars_of(by: str, rows: list[SalesRow]) -> list[Bar]:
    return [Bar(label=bar_label(by, row.key), cents=row.amount) for row in rows]


def step_for(peak: int) -> int:
    """A round step for the grid (1, 2 or 5 × a power of ten, in cents): 4 to 8 lines."""
    rough = max(peak, 100) / 5
    power = 10 ** math.floor(math.log10(rough))
    return next(power * m for m in (1, 2, 5, 10) if power * m >= rough)


class SalesChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesChart")
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Graphique des ventes"))
        self.title = ""
        self.bars: list[Bar] = []

    def set_bars(self, title: str, bars: list[Bar]) -> None:
        self.title, self.bars = title, bars
        top = max(bars, key=lambda bar: bar.cents, default=None)
        self.setAccessibleDescription(
            _("{title} : {n} barres, la plus haute {label} ({amount})").format(
                title=title, n=len(bars), label=top.label, amount=amount(top.cents)
            )
            if top
            else title
        )
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        metrics = painter.fontMetrics()
        painter.setPen(QColor(INK))
        painter.drawText(8, 4 + metrics.ascent(), self.title)
        painter.setFont(self.font())
        metrics = painter.fontMetrics()
        if not self.bars:
            painter.setPen(QColor(MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _("Aucune vente"))
            return
        peak = max(max(bar.cents for bar in self.bars), 0)
        step = step_for(peak)
        highest = max(step * math.ceil(peak / step), step)
        values = range(0, highest + 1, step)
        texts = [_("{euros} €").format(euros=format_number(value // 100)) for value in values]
        left = max(metrics.horizontalAdvance(text) for text in texts) + 14
        top, right = 12 + 2 * metrics.height(), self.width() - 10
        bottom = self.height() - metrics.height() - 10
        height = max(bottom - top, 1)
        for value, text in zip(values, texts, strict=True):
            y = bottom - height * value / highest
            painter.setPen(QPen(QColor(GRID), 1))
            painter.drawLine(left, round(y), right, round(y))
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, left - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        slot = (right - left) / len(self.bars)
        widest = max(metrics.horizontalAdvance(bar.label) for bar in self.bars) + 8
        every = max(1, math.ceil(widest / slot)) if slot < widest else 1
        for index, bar in enumerate(self.bars):
            x = left + index * slot
            tall = height * max(bar.cents, 0) / highest
            painter.fillRect(QRectF(x + slot * 0.15, bottom - tall, slot * 0.7, tall), QColor(BAR))
            if index % every == 0:
                room = slot * every
                label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(room) - 4)
                painter.setPen(QColor(INK))
                painter.drawText(
                    QRectF(x + slot / 2 - room / 2, bottom + 4, room, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    label,
                )
        painter.setPen(QPen(QColor(MUTED), 1))
        painter.drawLine(left, bottom, right, bottom)

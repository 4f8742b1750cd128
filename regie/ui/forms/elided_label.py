"""A label that gives way: its text shortened with « … » in the middle when space runs out.

For a long value beside others that must stay whole (the database's path in the status bar
next to who is signed in): ``text()`` and the tooltip keep it whole.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None, *, widest: int = 40) -> None:
        super().__init__(text, parent)
        self.widest = widest
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def sizeHint(self) -> QSize:
        """At most ``widest`` characters wide: beyond, the text gives way to its neighbours
        (and to the status bar's messages, which take what the permanent labels leave)."""
        whole = super().sizeHint()
        widest = self.fontMetrics().averageCharWidth() * self.widest
        return QSize(min(whole.width(), widest), whole.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("…") * 8, super().minimumSizeHint().height()
        )

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(self.contentsRect(), int(align), self.shown_text())

"""A tile of the dashboard: a title, a big figure, a line or two under it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

STYLE = """
QFrame#dashTile { background: white; border: 1px solid #d9e0e6; border-radius: 8px; }
QLabel#tileTitle { color: #5b6b7a; font-size: 13px; font-weight: bold; }
QLabel#tileValue { color: #1f2a36; font-size: 21px; font-weight: bold; }
QLabel#tileDetail { color: #33414f; font-size: 13px; }
QLabel#tileDetail[tone="warn"] { color: #a33a00; font-weight: bold; }
"""


class Tile(QFrame):
    """A titled box; ``set`` fills its figure and its detail lines."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashTile")
        self.setProperty("tile", name)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.value = QLabel("…")
        self.value.setObjectName("tileValue")
        self.value.setWordWrap(True)
        self.detail = QLabel("")
        self.detail.setObjectName("tileDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 12)
        self.body.setSpacing(4)
        for label in (self.title, self.value, self.detail):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.body.addWidget(label)
        self.body.addStretch(1)  # a tile taller than its text keeps it at the top

    def set(self, value: str, detail: str = "", *, warn: bool = False) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.detail.setProperty("tone", "warn" if warn else "")
        self.detail.style().unpolish(self.detail)
        self.detail.style().polish(self.detail)

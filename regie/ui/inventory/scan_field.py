"""The field a USB scanner types into: it types the tag then Enter, like a keyboard.

Enter gives the text to the screen and empties the field, ready for the next scan; it is
not passed on, so in a dialog or a wizard it never presses the default button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScanField(QLineEdit):
    scanned = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS:
            text = self.text().strip()
            self.clear()
            event.accept()
            if text:
                self.scanned.emit(text)
            return
        super().keyPressEvent(event)

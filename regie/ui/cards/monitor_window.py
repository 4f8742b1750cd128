"""The card monitor in a window of its own, opened from the status bar in any section.

It does not take the user away from what they were doing (an audit, the journal): it opens
beside it on the card lying on the reader, and follows the next cards while it stays open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.ui.cards.monitor_screen import MonitorScreen
from regie.ui.device_choice import CARD_READER, saved_device


def card_on_reader(devices: DeviceManager, preferred: str = "") -> str:
    """The UID of a card lying on a reader now ("" if none, or unreadable); the ``preferred``
    reader (the one saved in the preferences) is looked at first."""
    readers = sorted(devices.state.readers.values(), key=lambda r: (r.name != preferred, r.name))
    for reader in readers:
        if reader.card_present and reader.uid:
            return reader.uid.hex().upper()
    return ""


class CardMonitorWindow(QDialog):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.devices = devices
        self.setObjectName("cardMonitorWindow")
        self.setWindowTitle(_("Moniteur de carte"))
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(False)
        self.resize(1000, 660)
        self.monitor = MonitorScreen(db, devices, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.addWidget(self.monitor)

    def show_reader_card(self) -> None:
        """Show the card on the reader, if there is one; else keep the last card shown."""
        uid = card_on_reader(self.devices, saved_device(self, CARD_READER))
        if uid:
            self.monitor.show_card(uid)

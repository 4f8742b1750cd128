"""The Cards section (Cartes): one tab per screen, built when first shown, read again after an
operation elsewhere (an import, a lost card, a staff card), as the other sections do."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from regie.changed import CARDS
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.ui.cards.batches_screen import BatchesScreen
from regie.ui.cards.encoding_screen import EncodingScreen
from regie.ui.cards.monitor_screen import MonitorScreen
from regie.ui.cards.returns_screen import ReturnsScreen
from regie.ui.cards.staff_screen import StaffScreen
from regie.ui.lazy_tabs import LazyTabs

TABS = (
    N_("&Lots de cartes"),
    N_("&Encodage"),
    N_("&Moniteur"),
    N_("Cartes &staff"),
    N_("&Retours de prestation"),
)


class CardsPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel(_("Cartes"))
        title.setObjectName("pageTitle")
        hint = QLabel(_("Le moniteur de carte s'ouvre aussi depuis la barre d'état (Ctrl+M)."))
        hint.setObjectName("pageComing")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(hint)
        self.tabs = LazyTabs(
            "cardsTabs",
            [
                (_(TABS[0]), BatchesScreen, lambda: BatchesScreen(db)),
                (_(TABS[1]), EncodingScreen, lambda: EncodingScreen(db, devices)),
                (_(TABS[2]), MonitorScreen, lambda: MonitorScreen(db, devices)),
                (_(TABS[3]), StaffScreen, lambda: StaffScreen(db, devices)),
                (_(TABS[4]), ReturnsScreen, lambda: ReturnsScreen(db, devices)),
            ],
            concerns=CARDS,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)

    # -- the screens, built on first use ---------------------------------------------
    @property
    def batches(self) -> BatchesScreen:
        return self.tabs.screen_of(BatchesScreen)

    @property
    def encoding(self) -> EncodingScreen:
        return self.tabs.screen_of(EncodingScreen)

    @property
    def monitor(self) -> MonitorScreen:
        return self.tabs.screen_of(MonitorScreen)

    @property
    def staff(self) -> StaffScreen:
        return self.tabs.screen_of(StaffScreen)

    @property
    def returns(self) -> ReturnsScreen:
        return self.tabs.screen_of(ReturnsScreen)

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.show_screen(screen)

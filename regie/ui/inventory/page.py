"""The Inventory section: one tab per screen, built when first shown, refreshed after an
operation elsewhere (see regie.ui.lazy_tabs)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from regie.changed import INVENTORY
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.ui.inventory.amortisation_screen import AmortisationScreen
from regie.ui.inventory.assets_screen import AssetsScreen
from regie.ui.inventory.audit_screen import AuditScreen
from regie.ui.inventory.bookings_screen import BookingsScreen
from regie.ui.inventory.incidents_screen import IncidentsScreen
from regie.ui.inventory.kits_screen import KitsScreen
from regie.ui.inventory.loans_screen import LoansScreen
from regie.ui.inventory.reference_screen import ReferenceScreen
from regie.ui.lazy_tabs import LazyTabs


class InventoryPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel(_("Inventaire"))
        title.setObjectName("pageTitle")
        # New screens go last: the indexes of the first five are known (shortcuts, tests).
        # Mnemonics apart from the menus' (F, D, H, A) and the Audit tab's buttons (L, C, E).
        tabs: list[tuple[str, type[QWidget], Callable[[], QWidget]]] = [
            (_("&Matériel"), AssetsScreen, lambda: AssetsScreen(db)),
            (_("&Prêts"), LoansScreen, lambda: LoansScreen(db)),
            (_("Audit au s&canner"), AuditScreen, lambda: AuditScreen(db, devices)),
            (_("&Incidents"), IncidentsScreen, lambda: IncidentsScreen(db)),
            (_("Amor&tissement"), AmortisationScreen, lambda: AmortisationScreen(db)),
            (_("Ré&servations"), BookingsScreen, lambda: BookingsScreen(db)),
            (_("&Valises"), KitsScreen, lambda: KitsScreen(db)),
            (_("Référe&ntiel"), ReferenceScreen, lambda: ReferenceScreen(db)),
        ]
        self.tabs = LazyTabs("inventoryTabs", tabs, concerns=INVENTORY)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)

    # -- the screens, built on first use ---------------------------------------------
    @property
    def assets(self) -> AssetsScreen:
        return self.tabs.screen_of(AssetsScreen)

    @property
    def loans(self) -> LoansScreen:
        return self.tabs.screen_of(LoansScreen)

    @property
    def bookings(self) -> BookingsScreen:
        return self.tabs.screen_of(BookingsScreen)

    @property
    def kits(self) -> KitsScreen:
        return self.tabs.screen_of(KitsScreen)

    @property
    def audit(self) -> AuditScreen:
        return self.tabs.screen_of(AuditScreen)

    @property
    def incidents(self) -> IncidentsScreen:
        return self.tabs.screen_of(IncidentsScreen)

    @property
    def amortisation(self) -> AmortisationScreen:
        return self.tabs.screen_of(AmortisationScreen)

    @property
    def reference(self) -> ReferenceScreen:
        return self.tabs.screen_of(ReferenceScreen)

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.show_screen(screen)

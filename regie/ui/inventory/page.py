"""The Inventory section: one tab per screen, built when first shown, refreshed after an
operation elsewhere.

Like Anki's "operation did execute" hook: a screen that changed the inventory says so
(``changed``); the other screens read again when they are shown next, not before. A screen
is only built when its tab opens: the window starts without reading loans or incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

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

S = TypeVar("S", bound=QWidget)


class Screen(Protocol):
    def refresh(self) -> None: ...


class InventoryPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel(_("Inventaire"))
        title.setObjectName("pageTitle")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("inventoryTabs")
        self.tabs.setDocumentMode(True)
        # New screens go last: the indexes of the first five are known (shortcuts, tests).
        # Mnemonics apart from the menus' (F, D, H, A) and the Audit tab's buttons (L, C, E).
        tabs: list[tuple[str, type[QWidget], Callable[[], QWidget]]] = [
            (_("&Matériel"), AssetsScreen, lambda: AssetsScreen(db)),
            (_("&Prêts"), LoansScreen, lambda: LoansScreen(db)),
            (_("A&udit au scanner"), AuditScreen, lambda: AuditScreen(db, devices)),
            (_("&Incidents"), IncidentsScreen, lambda: IncidentsScreen(db)),
            (_("Amor&tissement"), AmortisationScreen, lambda: AmortisationScreen(db)),
            (_("&Réservations"), BookingsScreen, lambda: BookingsScreen(db)),
            (_("&Valises"), KitsScreen, lambda: KitsScreen(db)),
            (_("Référe&ntiel"), ReferenceScreen, lambda: ReferenceScreen(db)),
        ]
        self._kinds = [kind for _label, kind, _build in tabs]
        self._builders = [build for _label, _kind, build in tabs]
        self._built: list[QWidget | None] = [None] * len(self._builders)
        self._stale: set[int] = set()
        for label, _kind, _build in tabs:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, label)
        self.tabs.currentChanged.connect(self._shown)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)
        self._shown(0)

    # -- the screens, built on first use ---------------------------------------------
    def _screen_of(self, kind: type[S]) -> S:
        return self._screen(self._kinds.index(kind), kind)

    def _screen(self, index: int, kind: type[S]) -> S:
        screen = self._built[index]
        if screen is None:
            screen = self._builders[index]()
            holder = self.tabs.widget(index)
            layout = holder.layout() if holder is not None else None
            assert layout is not None
            layout.addWidget(screen)
            screen.show()  # into a tab already on screen: shown now, not on the next turn
            self._built[index] = screen
            self._stale.discard(index)
            changed: SignalInstance | None = getattr(screen, "changed", None)
            if changed is not None:
                changed.connect(lambda i=index: self._changed(i))
        assert isinstance(screen, kind)
        return screen

    @property
    def assets(self) -> AssetsScreen:
        return self._screen_of(AssetsScreen)

    @property
    def loans(self) -> LoansScreen:
        return self._screen_of(LoansScreen)

    @property
    def bookings(self) -> BookingsScreen:
        return self._screen_of(BookingsScreen)

    @property
    def kits(self) -> KitsScreen:
        return self._screen_of(KitsScreen)

    @property
    def audit(self) -> AuditScreen:
        return self._screen_of(AuditScreen)

    @property
    def incidents(self) -> IncidentsScreen:
        return self._screen_of(IncidentsScreen)

    @property
    def amortisation(self) -> AmortisationScreen:
        return self._screen_of(AmortisationScreen)

    @property
    def reference(self) -> ReferenceScreen:
        return self._screen_of(ReferenceScreen)

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.setCurrentIndex(self._built.index(screen))

    # -- refresh after an operation elsewhere ----------------------------------------
    def _changed(self, origin: int) -> None:
        self._stale |= {n for n, screen in enumerate(self._built) if screen and n != origin}

    def _shown(self, index: int) -> None:
        if self._built[index] is None:
            self._screen(index, QWidget)
        elif index in self._stale:
            self._stale.discard(index)
            screen: Screen = self._built[index]  # type: ignore[assignment]
            screen.refresh()

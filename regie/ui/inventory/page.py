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
from regie.ui.inventory.amortisation_screen import AmortisationScreen
from regie.ui.inventory.assets_screen import AssetsScreen
from regie.ui.inventory.audit_screen import AuditScreen
from regie.ui.inventory.incidents_screen import IncidentsScreen
from regie.ui.inventory.loans_screen import LoansScreen

S = TypeVar("S", bound=QWidget)


class Screen(Protocol):
    def refresh(self) -> None: ...


class InventoryPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel("Inventaire")
        title.setObjectName("pageTitle")
        # The one inventory job without a screen yet; the shell's tests look for this line.
        coming = QLabel(
            "Bientôt ici : les réservations par prestation (en attendant : regie inventory book)."
        )
        coming.setObjectName("pageComing")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("inventoryTabs")
        self.tabs.setDocumentMode(True)
        self._builders: list[Callable[[], QWidget]] = [
            lambda: AssetsScreen(db),
            lambda: LoansScreen(db),
            lambda: AuditScreen(db, devices),
            lambda: IncidentsScreen(db),
            lambda: AmortisationScreen(db),
        ]
        self._built: list[QWidget | None] = [None] * len(self._builders)
        self._stale: set[int] = set()
        for label in ("&Matériel", "&Prêts", "A&udit au scanner", "&Incidents", "Amor&tissement"):
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, label)
        self.tabs.currentChanged.connect(self._shown)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(coming)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)
        self._shown(0)

    # -- the screens, built on first use ---------------------------------------------
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
        return self._screen(0, AssetsScreen)

    @property
    def loans(self) -> LoansScreen:
        return self._screen(1, LoansScreen)

    @property
    def audit(self) -> AuditScreen:
        return self._screen(2, AuditScreen)

    @property
    def incidents(self) -> IncidentsScreen:
        return self._screen(3, IncidentsScreen)

    @property
    def amortisation(self) -> AmortisationScreen:
        return self._screen(4, AmortisationScreen)

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

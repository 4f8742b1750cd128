"""The Cards section (Cartes): one tab per screen, built when first shown, read again after an
operation elsewhere (an import, a lost card, a staff card), as the other sections do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.ui.cards.batches_screen import BatchesScreen
from regie.ui.cards.encoding_screen import EncodingScreen
from regie.ui.cards.monitor_screen import MonitorScreen
from regie.ui.cards.returns_screen import ReturnsScreen
from regie.ui.cards.staff_screen import StaffScreen

S = TypeVar("S", bound=QWidget)
TABS = (
    N_("&Lots de cartes"),
    N_("&Encodage"),
    N_("&Moniteur"),
    N_("Cartes &staff"),
    N_("&Retours de prestation"),
)


class Screen(Protocol):
    def refresh(self) -> None: ...


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
        self.tabs = QTabWidget()
        self.tabs.setObjectName("cardsTabs")
        self.tabs.setDocumentMode(True)
        self._builders: list[Callable[[], QWidget]] = [
            lambda: BatchesScreen(db),
            lambda: EncodingScreen(db, devices),
            lambda: MonitorScreen(db, devices),
            lambda: StaffScreen(db, devices),
            lambda: ReturnsScreen(db, devices),
        ]
        self._built: list[QWidget | None] = [None] * len(self._builders)
        self._stale: set[int] = set()
        for label in TABS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, _(label))
        self.tabs.currentChanged.connect(self._shown)
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
            screen.show()
            self._built[index] = screen
            self._stale.discard(index)
            changed: SignalInstance | None = getattr(screen, "changed", None)
            if changed is not None:
                changed.connect(lambda i=index: self._changed(i))
        assert isinstance(screen, kind)
        return screen

    @property
    def batches(self) -> BatchesScreen:
        return self._screen(0, BatchesScreen)

    @property
    def encoding(self) -> EncodingScreen:
        return self._screen(1, EncodingScreen)

    @property
    def monitor(self) -> MonitorScreen:
        return self._screen(2, MonitorScreen)

    @property
    def staff(self) -> StaffScreen:
        return self._screen(3, StaffScreen)

    @property
    def returns(self) -> ReturnsScreen:
        return self._screen(4, ReturnsScreen)

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

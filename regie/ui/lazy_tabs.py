"""Tabs whose screens are built when first shown and read again after an operation elsewhere.

Like Anki's "operation did execute" hook: a screen that changed something says so (its
``changed`` signal); the other screens read again (``refresh()``) when they are shown next, not
before. A screen is only built when its tab opens: the window starts without reading loans,
journals or cards. The sections (inventory, cards, ledger) hold one of these as ``tabs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

S = TypeVar("S", bound=QWidget)


class Screen(Protocol):
    def refresh(self) -> None: ...


class LazyTabs(QTabWidget):
    def __init__(
        self,
        name: str,
        tabs: Sequence[tuple[str, type[QWidget], Callable[[], QWidget]]],
    ) -> None:
        """``tabs``: (label already translated, the screen's class, how to build it)."""
        super().__init__()
        self.setObjectName(name)
        self.setDocumentMode(True)
        self._kinds = [kind for _label, kind, _build in tabs]
        self._builders = [build for _label, _kind, build in tabs]
        self._built: list[QWidget | None] = [None] * len(tabs)
        self._stale: set[int] = set()
        for label, _kind, _build in tabs:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.addTab(holder, label)
        self.currentChanged.connect(self._shown)
        self._shown(0)

    def screen_of(self, kind: type[S]) -> S:
        """The screen of that class, built now if its tab was never opened."""
        return self._screen_at(self._kinds.index(kind), kind)

    def show_screen(self, screen: QWidget) -> None:
        self.setCurrentIndex(self._built.index(screen))

    def others_changed(self, origin: int = -1) -> None:
        """Something changed (from the screen at ``origin``, or outside the tabs: -1): the
        screen on show reads again at once, the others when they are shown next."""
        self._stale |= {n for n, screen in enumerate(self._built) if screen and n != origin}
        if self.currentIndex() in self._stale:
            self._shown(self.currentIndex())

    def _screen_at(self, index: int, kind: type[S]) -> S:
        screen = self._built[index]
        if screen is None:
            screen = self._builders[index]()
            holder = self.widget(index)
            layout = holder.layout() if holder is not None else None
            assert layout is not None
            layout.addWidget(screen)
            screen.show()  # into a tab already on screen: shown now, not on the next turn
            self._built[index] = screen
            self._stale.discard(index)
            changed: SignalInstance | None = getattr(screen, "changed", None)
            if changed is not None:
                changed.connect(lambda i=index: self.others_changed(i))
        assert isinstance(screen, kind)
        return screen

    def _shown(self, index: int) -> None:
        if self._built[index] is None:
            self._screen_at(index, QWidget)
        elif index in self._stale:
            self._stale.discard(index)
            screen: Screen = self._built[index]  # type: ignore[assignment]
            screen.refresh()

"""Tabs whose screens are built when first shown and read again after a change that concerns them.

Like Anki's "operation did execute" hook: every change made in the window reaches
``notices().changed`` (a task's writes, or a screen's own, told when it emits its ``changed``
signal); a screen it concerns (``CONCERNS``, the entities it shows; every change, for a
screen that does not say) reads again (``refresh()``) at once if on show, else when it is
shown next; a screen that can follow the change cheaply (``follow(changes)`` returning True:
the journal appends the new transfers) does so instead. A screen is only built when its tab
opens: the window starts without reading loans, journals or cards. The sections (inventory,
cards, ledger) hold one of these as ``tabs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from regie.ui.control_names import name_controls
from regie.ui.notices import Notice, concerns, notices

S = TypeVar("S", bound=QWidget)


class Screen(Protocol):
    def refresh(self) -> None: ...


class LazyTabs(QTabWidget):
    def __init__(
        self,
        name: str,
        tabs: Sequence[tuple[str, type[QWidget], Callable[[], QWidget]]],
        *,
        concerns: frozenset[str] | None = None,
    ) -> None:
        """``tabs``: (label already translated, the screen's class, how to build it);
        ``concerns``: the entities of the section, for screens that do not name theirs."""
        super().__init__()
        self._concerns = concerns
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
        notices().changed.connect(self.hear)
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

    def hear(self, notice: Notice) -> None:
        """A change was made: the screens it concerns read again (now if on show)."""
        for n, screen in enumerate(self._built):
            if screen is None or not concerns(screen, notice, self._concerns):
                continue
            follow = getattr(screen, "follow", None)
            if follow is None or not follow(notice.changes):
                self._stale.add(n)
        if self.currentIndex() in self._stale:
            self._shown(self.currentIndex())

    def _screen_at(self, index: int, kind: type[S]) -> S:
        screen = self._built[index]
        if screen is None:
            screen = self._builders[index]()
            name_controls(screen)
            holder = self.widget(index)
            layout = holder.layout() if holder is not None else None
            assert layout is not None
            layout.addWidget(screen)
            screen.show()  # into a tab already on screen: shown now, not on the next turn
            self._built[index] = screen
            self._stale.discard(index)
            changed: SignalInstance | None = getattr(screen, "changed", None)
            if changed is not None:
                changed.connect(lambda s=screen: notices().announce(s))
        assert isinstance(screen, kind)
        return screen

    def _shown(self, index: int) -> None:
        if self._built[index] is None:
            self._screen_at(index, QWidget)
        elif index in self._stale:
            self._stale.discard(index)
            screen: Screen = self._built[index]  # type: ignore[assignment]
            screen.refresh()

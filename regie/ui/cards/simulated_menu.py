"""The « Lecteur simulé » menu: which of the demo's cards lies on the simulated reader.

Its shortcuts work from every window of Régie (the card monitor's too), and while a dialog
waits for a card (the lost card's replacement): Qt runs no shortcut of a window a modal
dialog shadows, so the menu's actions are given to each window the focus enters. A known
card is read from the base once, in a worker; it is then laid again as it was left (the
encoder's writes stay on it), as is the last new card, once encoded.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMenuBar, QWidget

from regie.cards.demo_reader import LABELS, DemoCard, demo_chip
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.devices.simulated_ntag import SimulatedNtag
from regie.i18n import _
from regie.ui.tasks import Task

SHORTCUTS = {
    DemoCard.VISITOR: "Ctrl+T",
    DemoCard.STAFF: "Ctrl+Alt+S",
    DemoCard.LOST: "Ctrl+Alt+B",
    DemoCard.BLANK: "Ctrl+Alt+T",
}
LIFT_SHORTCUT = "Ctrl+Shift+T"
AGAIN_SHORTCUT = "Ctrl+Alt+D"
TEST_CARD = bytes.fromhex("04A1B2C3D4E5F6")  # a chip Régie does not know, off the demo's base


class SimulatedReaderMenu(QObject):
    def __init__(self, db: Database, backend: SimulatedBackend, parent: QObject) -> None:
        super().__init__(parent)
        self.db = db
        self.backend = backend
        self.chips: dict[DemoCard, SimulatedNtag] = {}
        self.task: Task | None = None
        self.actions: dict[DemoCard, QAction] = {}
        self.last_new: SimulatedNtag | None = None
        self.keys: list[QAction] = []  # every action of the menu, for the modal dialogs
        self.served: QWidget | None = None  # the last window given the keys (Tab stays in it)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def add_to(self, bar: QMenuBar) -> QMenu:
        menu = bar.addMenu(_("Lecte&ur simulé"))
        menu.setObjectName("simulatedReaderMenu")
        for kind in DemoCard:
            action = self._action(_(LABELS[kind]), SHORTCUTS[kind])
            action.triggered.connect(lambda _checked=False, kind=kind: self.lay(kind))
            menu.addAction(action)
            self.actions[kind] = action
        self.again_action = self._action(_("Reposer la &dernière carte neuve"), AGAIN_SHORTCUT)
        self.again_action.triggered.connect(self.lay_last_new)
        menu.addAction(self.again_action)
        menu.addSeparator()
        self.lift_action = self._action(_("&Retirer la carte"), LIFT_SHORTCUT)
        self.lift_action.triggered.connect(self.backend.lift)
        menu.addAction(self.lift_action)
        self.keys = [*self.actions.values(), self.again_action, self.lift_action]
        return menu

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The window the focus enters (a modal dialog's too) gets the menu's keys."""
        window = new.window() if new is not None else None
        if window is not None and window is not self.parent() and window is not self.served:
            self.served = window
            for action in self.keys:
                if window not in action.associatedObjects():
                    window.addAction(action)

    def _action(self, text: str, keys: str) -> QAction:
        action = QAction(text, self.parent())
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # every window
        return action

    def lay(self, kind: DemoCard) -> None:
        """Lay the demo card ``kind`` (a blank one is a new card each time)."""
        if kind is DemoCard.BLANK:
            self.last_new = self.backend.new_card()
            self.backend.tap(self.last_new)
            return
        chip = self.chips.get(kind)
        if chip is not None:
            self.backend.tap(chip)
            return
        if self.task is not None and self.task.running:
            return
        db = self.db

        def work(_task: Task) -> SimulatedNtag | None:
            with db.session() as session:
                return demo_chip(session, kind)

        self.task = Task("simulated-reader-card", work, self, responsive=False)
        self.task.succeeded.connect(lambda chip: self._read(kind, chip))
        self.task.start()

    def lay_last_new(self) -> None:
        """Lay again the last new card (encoded since, say: a lost card's replacement)."""
        if self.last_new is not None:
            self.backend.tap(self.last_new)

    def _read(self, kind: DemoCard, chip: SimulatedNtag | None) -> None:
        if chip is None:  # not the demo's base: a chip Régie does not know
            self.backend.tap(TEST_CARD)
            return
        self.chips[kind] = chip
        self.backend.tap(chip)

"""The « Lecteur simulé » menu: which of the demo's cards lies on the simulated reader.

Its shortcuts work from every window of Régie (the card monitor's too): a demo is played
with the monitor open beside the section being shown. A known card is read from the base
once, in a worker; it is then laid again as it was left (the encoder's writes stay on it).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

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
TEST_CARD = bytes.fromhex("04A1B2C3D4E5F6")  # a chip Régie does not know, off the demo's base


class SimulatedReaderMenu(QObject):
    def __init__(self, db: Database, backend: SimulatedBackend, parent: QObject) -> None:
        super().__init__(parent)
        self.db = db
        self.backend = backend
        self.chips: dict[DemoCard, SimulatedNtag] = {}
        self.task: Task | None = None
        self.actions: dict[DemoCard, QAction] = {}

    def add_to(self, bar: QMenuBar) -> QMenu:
        menu = bar.addMenu(_("&Lecteur simulé"))
        menu.setObjectName("simulatedReaderMenu")
        for kind in DemoCard:
            action = self._action(_(LABELS[kind]), SHORTCUTS[kind])
            action.triggered.connect(lambda _checked=False, kind=kind: self.lay(kind))
            menu.addAction(action)
            self.actions[kind] = action
        menu.addSeparator()
        self.lift_action = self._action(_("&Retirer la carte"), LIFT_SHORTCUT)
        self.lift_action.triggered.connect(self.backend.lift)
        menu.addAction(self.lift_action)
        return menu

    def _action(self, text: str, keys: str) -> QAction:
        action = QAction(text, self.parent())
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # every window
        return action

    def lay(self, kind: DemoCard) -> None:
        """Lay the demo card ``kind`` (a blank one is a new card each time)."""
        if kind is DemoCard.BLANK:
            self.backend.tap(self.backend.new_card())
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

    def _read(self, kind: DemoCard, chip: SimulatedNtag | None) -> None:
        if chip is None:  # not the demo's base: a chip Régie does not know
            self.backend.tap(TEST_CARD)
            return
        self.chips[kind] = chip
        self.backend.tap(chip)

"""The Terminals section: the fleet (push, pull), one terminal's configuration, the history
of the links. Screens re-read after an operation elsewhere, as in the other sections."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.ui.terminals.config_screen import ConfigScreen
from regie.ui.terminals.fleet_screen import FleetScreen
from regie.ui.terminals.history_screen import HistoryScreen


class TerminalsPage(QWidget):
    ledger_changed = Signal()  # a pull posted journal lines: the ledger's screens read again

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        title = QLabel(_("Terminaux"))
        title.setObjectName("pageTitle")
        # What has no screen yet; the shell's tests look for this line.
        coming = QLabel(
            _(
                "Bientôt ici : les menus et le Wi-Fi dans la fenêtre (en attendant, la personne "
                "qui installe Régie les règle pour vous)."
            )
        )
        coming.setObjectName("pageComing")
        coming.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(coming, 1)
        self.fleet = FleetScreen(db)
        self.config = ConfigScreen(db)
        self.history = HistoryScreen(db)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("terminalsTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.fleet, _("&Parc"))
        self.tabs.addTab(self.config, _("&Configuration"))
        self.tabs.addTab(self.history, _("Hi&storique"))
        self._stale: set[QWidget] = set()
        self.fleet.changed.connect(lambda: self._stale.update({self.config, self.history}))
        self.fleet.ledger_changed.connect(self.ledger_changed)
        self.tabs.currentChanged.connect(self._shown)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)

    def _shown(self, index: int) -> None:
        screen = self.tabs.widget(index)
        if screen in self._stale:
            self._stale.discard(screen)
            screen.refresh()  # type: ignore[attr-defined]

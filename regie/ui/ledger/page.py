"""The ledger section (Grand livre): one tab per screen, built when first shown, read again
after a change that concerns it (an import, a Z, a melt), as the inventory section does."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from regie.changed import LEDGER
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.ui.lazy_tabs import LazyTabs
from regie.ui.ledger.balances_screen import BalancesScreen
from regie.ui.ledger.checks_screen import ChecksScreen
from regie.ui.ledger.clearing_screen import ClearingScreen
from regie.ui.ledger.closures_screen import ClosuresScreen
from regie.ui.ledger.import_dialog import ImportDialog
from regie.ui.ledger.journal_screen import JournalScreen
from regie.ui.ledger.melting_screen import MeltingScreen
from regie.ui.ledger.sales_screen import SalesScreen
from regie.ui.ledger.wallet_screen import WalletScreen
from regie.ui.notices import notices

TABS = (
    N_("&Journal"),
    N_("&Soldes"),
    N_("Ca&rte"),
    N_("C&lôtures"),
    N_("&Monnaie fondante"),
    N_("Com&pensation"),
    N_("E&xports et vérification"),
    N_("&Ventes"),
)


class LedgerPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.import_dialog: ImportDialog | None = None
        title = QLabel(_("Grand livre"))
        title.setObjectName("pageTitle")
        self.import_button = QPushButton(_("&Importer des journaux…"))
        self.import_button.setObjectName("ledgerImport")
        self.import_button.clicked.connect(self.open_import)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(self.import_button)

        self.tabs = LazyTabs(
            "ledgerTabs",
            [
                (_(TABS[0]), JournalScreen, lambda: JournalScreen(db)),
                (_(TABS[1]), BalancesScreen, lambda: BalancesScreen(db)),
                (_(TABS[2]), WalletScreen, lambda: WalletScreen(db, devices)),
                (_(TABS[3]), ClosuresScreen, lambda: ClosuresScreen(db)),
                (_(TABS[4]), MeltingScreen, lambda: MeltingScreen(db)),
                (_(TABS[5]), ClearingScreen, lambda: ClearingScreen(db)),
                (_(TABS[6]), ChecksScreen, lambda: ChecksScreen(db)),
                (_(TABS[7]), SalesScreen, lambda: SalesScreen(db)),
            ],
            concerns=LEDGER,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)

    # -- the screens, built on first use ---------------------------------------------
    @property
    def journal(self) -> JournalScreen:
        return self.tabs.screen_of(JournalScreen)

    @property
    def balances(self) -> BalancesScreen:
        return self.tabs.screen_of(BalancesScreen)

    @property
    def wallet(self) -> WalletScreen:
        return self.tabs.screen_of(WalletScreen)

    @property
    def closures(self) -> ClosuresScreen:
        return self.tabs.screen_of(ClosuresScreen)

    @property
    def melting(self) -> MeltingScreen:
        return self.tabs.screen_of(MeltingScreen)

    @property
    def clearing(self) -> ClearingScreen:
        return self.tabs.screen_of(ClearingScreen)

    @property
    def checks(self) -> ChecksScreen:
        return self.tabs.screen_of(ChecksScreen)

    @property
    def sales(self) -> SalesScreen:
        return self.tabs.screen_of(SalesScreen)

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.show_screen(screen)

    # -- import --------------------------------------------------------------------------
    def open_import(self) -> ImportDialog:
        if self.import_dialog is None:
            self.import_dialog = ImportDialog(self.db, self)
            # Its task's changes reach the screens concerned by themselves; what was written
            # outside a task meanwhile is told with them.
            self.import_dialog.imported.connect(lambda _result: notices().announce(self))
        self.import_dialog.open()
        return self.import_dialog

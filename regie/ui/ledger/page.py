"""The ledger section (Grand livre): one tab per screen, built when first shown, read again
after an operation elsewhere (an import, a Z, a melt), as the inventory section does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.ui.ledger.balances_screen import BalancesScreen
from regie.ui.ledger.checks_screen import ChecksScreen
from regie.ui.ledger.clearing_screen import ClearingScreen
from regie.ui.ledger.closures_screen import ClosuresScreen
from regie.ui.ledger.import_dialog import ImportDialog
from regie.ui.ledger.journal_screen import JournalScreen
from regie.ui.ledger.melting_screen import MeltingScreen
from regie.ui.ledger.wallet_screen import WalletScreen

S = TypeVar("S", bound=QWidget)
TABS = (
    N_("&Journal"), N_("&Soldes"), N_("Ca&rte"), N_("C&lôtures"), N_("&Monnaie fondante"),
    N_("Com&pensation"), N_("E&xports et vérification"),
)  # fmt: skip


class Screen(Protocol):
    def refresh(self) -> None: ...


class LedgerPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.import_dialog: ImportDialog | None = None
        title = QLabel(_("Grand livre"))
        title.setObjectName("pageTitle")
        # What the ledger has no screen for yet; the shell's tests look for this line.
        coming = QLabel(
            _(
                "Bientôt ici : les rapports de ventes et le guichet (en attendant : "
                "regie ledger report, topup, refund)."
            )
        )
        coming.setObjectName("pageComing")
        coming.setWordWrap(True)  # on two lines rather than past a 1280 px screen
        self.import_button = QPushButton(_("&Importer des journaux…"))
        self.import_button.setObjectName("ledgerImport")
        self.import_button.clicked.connect(self.open_import)
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        title_row.addWidget(coming, 2)
        title_row.addWidget(self.import_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("ledgerTabs")
        self.tabs.setDocumentMode(True)
        self._builders: list[Callable[[], QWidget]] = [
            lambda: JournalScreen(db),
            lambda: BalancesScreen(db),
            lambda: WalletScreen(db, devices),
            lambda: ClosuresScreen(db),
            lambda: MeltingScreen(db),
            lambda: ClearingScreen(db),
            lambda: ChecksScreen(db),
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
    def journal(self) -> JournalScreen:
        return self._screen(0, JournalScreen)

    @property
    def balances(self) -> BalancesScreen:
        return self._screen(1, BalancesScreen)

    @property
    def wallet(self) -> WalletScreen:
        return self._screen(2, WalletScreen)

    @property
    def closures(self) -> ClosuresScreen:
        return self._screen(3, ClosuresScreen)

    @property
    def melting(self) -> MeltingScreen:
        return self._screen(4, MeltingScreen)

    @property
    def clearing(self) -> ClearingScreen:
        return self._screen(5, ClearingScreen)

    @property
    def checks(self) -> ChecksScreen:
        return self._screen(6, ChecksScreen)

    def show_screen(self, screen: QWidget) -> None:
        self.tabs.setCurrentIndex(self._built.index(screen))

    # -- import --------------------------------------------------------------------------
    def open_import(self) -> ImportDialog:
        if self.import_dialog is None:
            self.import_dialog = ImportDialog(self.db, self)
            self.import_dialog.imported.connect(lambda _result: self._changed(-1))
        self.import_dialog.open()
        return self.import_dialog

    # -- refresh after an operation elsewhere ----------------------------------------
    def _changed(self, origin: int) -> None:
        self._stale |= {n for n, screen in enumerate(self._built) if screen and n != origin}
        current = self.tabs.currentIndex()
        if current in self._stale:  # the screen on show reads again at once
            self._shown(current)

    def _shown(self, index: int) -> None:
        if self._built[index] is None:
            self._screen(index, QWidget)
        elif index in self._stale:
            self._stale.discard(index)
            screen: Screen = self._built[index]  # type: ignore[assignment]
            screen.refresh()

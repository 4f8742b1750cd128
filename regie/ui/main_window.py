"""The main window: a navigation on the left, one page per section, a status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.simulated import SimulatedBackend
from regie.ui.cards.monitor_window import CardMonitorWindow
from regie.ui.pages import SECTIONS, build_page
from regie.ui.reader_status import ReaderStatus
from regie.version import __version__

STYLE = """
QListWidget#navigation {
    background: #1f2a36; color: #e8edf2; border: none; font-size: 15px; outline: 0;
}
QListWidget#navigation::item { padding: 12px 18px; }
QListWidget#navigation::item:selected { background: #e4572e; color: white; }
QLabel#pageTitle { font-size: 26px; font-weight: bold; color: #1f2a36; }
QLabel#pageSummary { font-size: 16px; color: #33414f; margin-bottom: 12px; }
QLabel#pageComing { font-size: 14px; color: #5b6b7a; }
"""


class MainWindow(QMainWindow):
    def __init__(self, db: Database, devices: DeviceManager) -> None:
        super().__init__()
        self.db = db
        self.devices = devices
        self.setWindowTitle(f"Régie — {db.display_name}")
        self.resize(QSize(1100, 700))
        self.setStyleSheet(STYLE)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(200)
        self.pages = QStackedWidget()
        for section in SECTIONS:
            QListWidgetItem(section.title, self.navigation)
            self.pages.addWidget(build_page(section, db, devices))
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.reader_status = ReaderStatus(devices)
        self.reader_status.clicked.connect(self.open_card_monitor)
        self.card_monitor: CardMonitorWindow | None = None
        self.database_status = QLabel(f"Base : {db.display_name}")
        self.database_status.setObjectName("databaseStatus")
        self.statusBar().addWidget(self.reader_status, 1)
        self.statusBar().addPermanentWidget(self.database_status)

        self._build_menus()
        self.navigation.setCurrentRow(0)
        self.navigation.setFocus()  # arrows and shortcuts work from the first keystroke

    # -- menus -------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&Fichier")
        quit_action = QAction("&Quitter", self)
        quit_action.setShortcut(
            QKeySequence("Ctrl+Q")
        )  # the Quit standard key is empty on bare X11
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("É&dition")
        for label, key, slot in (
            ("Co&uper", QKeySequence.StandardKey.Cut, "cut"),
            ("&Copier", QKeySequence.StandardKey.Copy, "copy"),
            ("C&oller", QKeySequence.StandardKey.Paste, "paste"),
        ):
            action = QAction(label, self)
            action.setShortcut(key)
            action.triggered.connect(lambda _checked=False, name=slot: self._edit(name))
            edit_menu.addAction(action)

        view_menu = bar.addMenu("Affic&hage")
        self.section_actions: list[QAction] = []
        for index, section in enumerate(SECTIONS):
            action = QAction(section.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _c=False, row=index: self.navigation.setCurrentRow(row))
            view_menu.addAction(action)
            self.section_actions.append(action)
        view_menu.addSeparator()
        monitor = QAction("&Moniteur de carte", self)
        monitor.setShortcut(QKeySequence("Ctrl+M"))
        monitor.triggered.connect(self.open_card_monitor)
        view_menu.addAction(monitor)

        for backend in self.devices.backends:
            if isinstance(backend, SimulatedBackend):
                self._add_simulator_menu(backend)

        help_menu = bar.addMenu("&Aide")
        about = QAction("À &propos de Régie", self)
        about.setShortcut(QKeySequence("F1"))
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _add_simulator_menu(self, backend: SimulatedBackend) -> None:
        menu = self.menuBar().addMenu("&Lecteur simulé")
        tap = QAction("&Poser une carte de test", self)
        tap.setShortcut(QKeySequence("Ctrl+T"))
        tap.triggered.connect(lambda: backend.tap(bytes.fromhex("04A1B2C3D4E5F6")))
        lift = QAction("&Retirer la carte", self)
        lift.setShortcut(QKeySequence("Ctrl+Shift+T"))
        lift.triggered.connect(backend.lift)
        menu.addAction(tap)
        menu.addAction(lift)

    def _edit(self, name: str) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, name):
            getattr(widget, name)()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "À propos de Régie",
            f"<b>Régie {__version__}</b><br>La régie générale d'un festival cashless : "
            "inventaire, cartes NFC, terminaux, grand livre et règlement.<br><br>"
            f"Base de données : {self.db.display_name}",
        )

    def open_card_monitor(self) -> CardMonitorWindow:
        """The card monitor beside the current section, on the card lying on the reader."""
        if self.card_monitor is None:
            self.card_monitor = CardMonitorWindow(self.db, self.devices, self)
        self.card_monitor.show_reader_card()
        self.card_monitor.show()
        self.card_monitor.raise_()
        self.card_monitor.activateWindow()
        return self.card_monitor

    def current_section(self) -> str:
        return SECTIONS[self.pages.currentIndex()].key

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reader_status.detach()
        super().closeEvent(event)

"""The main window: a navigation on the left, one page per section, a status bar."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QStackedWidget,
    QStatusBar,
    QWidget,
)

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.simulated import SimulatedBackend
from regie.i18n import _, format_money
from regie.settings.laptop import LaptopSettings
from regie.ui.backup_actions import BackupActions, BackupSeat
from regie.ui.cards.simulated_menu import SimulatedReaderMenu
from regie.ui.control_names import name_controls
from regie.ui.forms.elided_label import ElidedLabel
from regie.ui.forms.file_dialogs import remember_in
from regie.ui.language import switch_language
from regie.ui.notices import notices
from regie.ui.pages import SECTIONS, PendingPage, Section, build_page
from regie.ui.people.session_actions import SessionActions
from regie.ui.reader_status import ReaderStatus
from regie.version import __version__

if TYPE_CHECKING:  # imported when first opened: the window opens sooner
    from regie.ui.cards.monitor_window import CardMonitorWindow
    from regie.ui.guide_window import GuideWindow
    from regie.ui.settings_dialog import PreferencesDialog

log = logging.getLogger(__name__)

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
    # What each operation changed (a Notice), as every screen hears it from ``notices()``:
    # the sections' screens listen there, so a section tested alone hears it too.
    changed = Signal(object)

    def __init__(
        self, db: Database, devices: DeviceManager, settings: LaptopSettings | None = None
    ) -> None:
        super().__init__()
        self.db = db
        self.devices = devices
        # Without settings (a test, a demo) nothing is remembered from one opening to the next.
        self.settings = settings if settings is not None else LaptopSettings(None)
        remember_in(self.settings)  # file dialogs open where the last file was chosen
        self.resize(QSize(1100, 700))
        self.setStyleSheet(STYLE)
        self.card_monitor: CardMonitorWindow | None = None
        self.guide: GuideWindow | None = None
        self.simulator: SimulatedReaderMenu | None = None
        self.backups = BackupActions(  # File menu entries; automatic ones: regie.ui.app
            BackupSeat(
                window=self,
                database=lambda: self.db,
                settings=self.settings,
                release_database=self._close_card_monitor,
                read_again=self.rebuild,
            )
        )
        self.people = SessionActions(self, db)  # who is logged in, « Changer d'utilisateur »
        self.people.switched.connect(self.rebuild)  # screens show what the person may do
        notices().changed.connect(self.changed)
        self._build()
        self._restore_place()

    def _build(self) -> None:
        """Every text of the window is made here, in the current language: a change of
        language builds it all again (``rebuild``)."""
        db, devices = self.db, self.devices
        self.setWindowTitle(_("Régie — {database}").format(database=db.display_name))
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        name_controls(self.navigation)
        self.navigation.setFixedWidth(200)
        self.pages = QStackedWidget()
        for section in SECTIONS:
            QListWidgetItem(_(section.title), self.navigation)
            # Only the home page is built at start: the others on their first showing
            # (``page``), so the window opens without importing every screen.
            home = section.key == SECTIONS[0].key
            self.pages.addWidget(self._build_page(section) if home else PendingPage(section))
        self.navigation.currentRowChanged.connect(self._open_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.reader_status = ReaderStatus(devices)
        self.reader_status.clicked.connect(self.open_card_monitor)
        # A long path gives way (« … », whole in its tooltip) to who is signed in.
        self.database_status = ElidedLabel(_("Base : {database}").format(database=db.display_name))
        self.database_status.setObjectName("databaseStatus")
        self.statusBar().addWidget(self.reader_status, 1)
        self.statusBar().addPermanentWidget(self.people.status_label())
        self.statusBar().addPermanentWidget(self.database_status)

        self._build_menus()
        self.navigation.setCurrentRow(0)
        self.navigation.setFocus()  # arrows and shortcuts work from the first keystroke

    def rebuild(self) -> None:
        """The language changed: menus, sections and status bar built again, same section."""
        section = self.current_section()
        self._close_card_monitor()
        self.reader_status.detach()
        for action in self.findChildren(QAction, options=Qt.FindChildOption.FindDirectChildrenOnly):
            action.deleteLater()  # the old menus' actions (their shortcuts would stay alive)
        self.setMenuBar(QMenuBar())  # Qt deletes the old bar, status bar and pages
        self.setStatusBar(QStatusBar())
        old = self.takeCentralWidget()
        self._build()
        if old is not None:
            old.deleteLater()
        self.show_section(section)

    def _close_card_monitor(self) -> None:
        if self.card_monitor is not None:
            self.card_monitor.close()
            self.card_monitor.deleteLater()
            self.card_monitor = None

    # -- where the window was left -------------------------------------------------------
    def _restore_place(self) -> None:
        geometry = self.settings.text("window.geometry")
        if geometry:  # a damaged value is refused by Qt: the window keeps its default size
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii", "replace")))
        self.show_section(self.settings.text("window.section"))

    def remember_place(self) -> None:
        """Size, position, maximised or not, and the open section, for the next opening."""
        geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
        try:
            self.settings.update(
                {"window.geometry": geometry, "window.section": self.current_section()}
            )
        except OSError:  # a read-only config folder must not keep Régie from closing
            log.warning("window place not saved", exc_info=True)

    # -- menus -------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&Fichier"))
        quit_action = QAction(_("&Quitter"), self)
        quit_action.setShortcut(
            QKeySequence("Ctrl+Q")
        )  # the Quit standard key is empty on bare X11
        quit_action.triggered.connect(self.close)
        self.backups.add_to_menu(file_menu)
        file_menu.addSeparator()
        self.people.add_to_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)  # last, as everywhere

        edit_menu = bar.addMenu(_("É&dition"))
        for label, key, slot in (
            (_("Co&uper"), QKeySequence.StandardKey.Cut, "cut"),
            (_("&Copier"), QKeySequence.StandardKey.Copy, "copy"),
            (_("C&oller"), QKeySequence.StandardKey.Paste, "paste"),
        ):
            action = QAction(label, self)
            action.setShortcut(key)
            action.triggered.connect(lambda _checked=False, name=slot: self._edit(name))
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        self.preferences_action = QAction(_("&Préférences…"), self)
        self.preferences_action.setShortcut(QKeySequence("Ctrl+,"))
        self.preferences_action.triggered.connect(self.open_preferences)
        edit_menu.addAction(self.preferences_action)

        view_menu = bar.addMenu(_("Affic&hage"))
        self.section_actions: list[QAction] = []
        for index, section in enumerate(SECTIONS):
            action = QAction(_(section.title), self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _c=False, row=index: self.navigation.setCurrentRow(row))
            view_menu.addAction(action)
            self.section_actions.append(action)
        view_menu.addSeparator()
        monitor = QAction(_("&Moniteur de carte"), self)
        monitor.setShortcut(QKeySequence("Ctrl+M"))
        monitor.triggered.connect(self.open_card_monitor)
        view_menu.addAction(monitor)

        for backend in self.devices.backends:
            if isinstance(backend, SimulatedBackend):  # the demo's cards, from every window
                if self.simulator is None:
                    self.simulator = SimulatedReaderMenu(self.db, backend, self)
                self.simulator.add_to(bar)

        help_menu = bar.addMenu(_("&Aide"))
        guide = QAction(_("&Guide d'utilisation"), self)
        guide.setShortcut(QKeySequence("F1"))
        guide.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # the monitor's too
        guide.triggered.connect(self.open_guide)
        help_menu.addAction(guide)
        about = QAction(_("À &propos de Régie"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _edit(self, name: str) -> None:
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, name):
            getattr(widget, name)()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            _("À propos de Régie"),
            _(
                "<b>Régie {version}</b><br>La régie générale d'un festival cashless : "
                "inventaire, cartes NFC, terminaux, grand livre et règlement.<br><br>"
                "Base de données : {database}"
            ).format(version=__version__, database=self.db.display_name),
        )

    def open_guide(self) -> GuideWindow:
        """The user guide, at the chapter of the section on screen."""
        from regie.ui.guide_window import GuideWindow

        if self.guide is None:
            self.guide = GuideWindow(self)
        self.guide.show_section(self.current_section())
        return self.guide

    def open_preferences(self) -> PreferencesDialog:
        """The Préférences dialog; OK saves, and a new language rebuilds the window at once."""
        from regie.ui.settings_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self.db, self.devices, self)
        dialog.languageChanged.connect(self._language_chosen)
        dialog.open()
        return dialog

    def _language_chosen(self, code: str) -> None:
        switch_language(code)
        self.rebuild()

    def open_card_monitor(self) -> CardMonitorWindow:
        """The card monitor beside the current section, on the card lying on the reader."""
        if self.card_monitor is None:
            from regie.ui.cards.monitor_window import CardMonitorWindow

            self.card_monitor = CardMonitorWindow(self.db, self.devices, self)
        self.card_monitor.show_reader_card()
        self.card_monitor.show()
        self.card_monitor.raise_()
        self.card_monitor.activateWindow()
        return self.card_monitor

    def page(self, key: str) -> QWidget:
        """The page of the section ``key``, built now if it has not been shown yet."""
        index = [section.key for section in SECTIONS].index(key)
        pending = self.pages.widget(index)
        if not isinstance(pending, PendingPage):
            assert pending is not None
            return pending
        page = self._build_page(SECTIONS[index])
        self.pages.insertWidget(index, page)
        if self.pages.currentWidget() is pending:
            self.pages.setCurrentWidget(page)
        self.pages.removeWidget(pending)
        pending.deleteLater()
        return page

    def _build_page(self, section: Section) -> QWidget:
        page = build_page(section, self.db, self.devices)
        name_controls(page)  # tables and filters say what they are to a screen reader
        requested = getattr(page, "section_requested", None)  # the dashboard's alerts
        if requested is not None:
            requested.connect(self.show_section)
        signed_in = getattr(page, "signed_in", None)  # the first administrator, just created
        if signed_in is not None:  # queued: the window is built again once the click is over
            signed_in.connect(self.people.signed_in_here, Qt.ConnectionType.QueuedConnection)
        posted = getattr(page, "ledger_changed", None)  # a terminal pull on the GUI thread
        if posted is not None:
            posted.connect(lambda: notices().announce(page))
        return page

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(SECTIONS):
            notices().announce()  # writes made outside a task: the screens concerned read again
            self.page(SECTIONS[row].key)
            self.pages.setCurrentIndex(row)

    def current_section(self) -> str:
        return SECTIONS[self.pages.currentIndex()].key

    def show_section(self, key: str) -> None:
        """Open the section ``key`` (``inventory``, ``cards``…), as its shortcut does."""
        keys = [section.key for section in SECTIONS]
        if key in keys:
            self.navigation.setCurrentRow(keys.index(key))

    def warm_up(self, delay_ms: int = 300) -> None:
        """Soon after opening, in idle moments, load each section's code (one per moment) and
        the money formats: a first visit to a section then only builds its page."""
        modules = [section.page.partition(":")[0] for section in SECTIONS if section.page]
        self.warmed = False

        def next_one() -> None:
            if modules:
                importlib.import_module(modules.pop(0))
                QTimer.singleShot(0, self, next_one)
                return
            format_money(0)  # the locale's currency data: read once, on first use
            self.warmed = True

        QTimer.singleShot(delay_ms, self, next_one)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.remember_place()
        self.reader_status.detach()
        super().closeEvent(event)

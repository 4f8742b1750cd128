"""The real main window under Xvfb: navigation, menus, status bar driven by real devices."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from regie.cards.demo_reader import VISITOR_UID
from regie.db import Database
from regie.demo import fill_demo
from regie.devices.pcsc import PcscBackend
from regie.devices.readers import CardReaderBackend
from regie.devices.simulated import SimulatedBackend
from regie.ui.app import build_window
from regie.ui.main_window import MainWindow
from regie.ui.pages import SECTIONS
from tests.rig.vcard import VirtualCard

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'festival.sqlite3'}")
    db.upgrade()
    fill_demo(db)
    yield db
    db.dispose()


def open_window(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, db: Database, backends: list[CardReaderBackend]
) -> MainWindow:
    window = build_window(db, backends, loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    def active() -> bool:
        # Xvfb has no window manager: ask for the focus until X11 grants it.
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active, timeout=5000)  # shortcuts reach only the active window
    return window


@pytest.fixture
def window_on_pcsc(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, demo_db: Database, pcscd: object
) -> Iterator[MainWindow]:
    window = open_window(qtbot, qt_loop, demo_db, [PcscBackend()])
    yield window
    window.devices.stop()


def shortcut(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    """Ctrl+key as a user types it: the key event goes to the widget that has the focus."""
    qtbot.keyClick(window.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)


def status_text(window: MainWindow) -> str:
    return window.reader_status.text()


def test_status_bar_follows_a_real_card_on_a_real_reader(
    qtbot: QtBot, window_on_pcsc: MainWindow, artifacts: Path
) -> None:
    window = window_on_pcsc
    qtbot.waitUntil(lambda: "Virtual PCD" in status_text(window), timeout=5000)
    assert "pas de carte" in status_text(window)
    with VirtualCard(kind="ntag215", uid=bytes.fromhex("04A1B2C3D4E5F6"), port=35963):
        qtbot.waitUntil(lambda: "posée" in status_text(window), timeout=5000)
        assert (
            status_text(window) == "Lecteur : Virtual PCD 00 00 (+1) — carte 04A1B2C3D4E5F6 posée"
        )
        window.grab().save(str(artifacts / "main-window-card.png"))
    qtbot.waitUntil(lambda: "pas de carte" in status_text(window), timeout=5000)


def test_status_bar_names_the_database(window_on_pcsc: MainWindow, demo_db: Database) -> None:
    label = window_on_pcsc.findChild(QLabel, "databaseStatus")
    assert label is not None
    assert label.text() == f"Base : {demo_db.display_name}"
    assert demo_db.display_name in window_on_pcsc.windowTitle()


def test_every_section_opens_from_the_navigation_and_its_shortcut(
    qtbot: QtBot, window_on_pcsc: MainWindow, artifacts: Path
) -> None:
    window = window_on_pcsc
    titles = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert titles == [
        "Tableau de bord",
        "Inventaire",
        "Cartes",
        "Terminaux",
        "Grand livre",
        "Règlement",
        "Factures",
        "Utilisateurs et audit",
    ]
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    for index, section in enumerate(SECTIONS):
        shortcut(qtbot, window, Qt.Key(Qt.Key.Key_1 + index))
        assert window.current_section() == section.key
        page = window.pages.currentWidget()
        title = page.findChild(QLabel, "pageTitle")
        assert title is not None and title.text() == section.title
        if section.page is None:  # a section not built yet says what will live there
            coming = page.findChild(QLabel, "pageComing")
            assert coming is not None and coming.text().startswith("Bientôt ici")
        window.grab().save(str(screens / f"{index + 1}-{section.key}.png"))
    window.navigation.setCurrentRow(0)
    window.grab().save(str(artifacts / "main-window.png"))


def test_menus_are_in_french_with_the_usual_entries(window_on_pcsc: MainWindow) -> None:
    menus = [action.text() for action in window_on_pcsc.menuBar().actions()]
    assert menus == ["&Fichier", "É&dition", "Affic&hage", "&Aide"]
    mnemonics = [text[text.index("&") + 1].lower() for text in menus]
    assert len(set(mnemonics)) == len(mnemonics)  # every Alt+letter opens one menu
    file_menu = window_on_pcsc.menuBar().actions()[0].menu()
    assert [a.text() for a in file_menu.actions()] == [
        "&Sauvegarder maintenant",
        "&Restaurer une sauvegarde…",
        "",
        "Changer d'&utilisateur…",
        "",
        "&Quitter",
    ]


def test_simulated_reader_drives_the_status_bar(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, demo_db: Database
) -> None:
    simulated = SimulatedBackend()
    window = open_window(qtbot, qt_loop, demo_db, [simulated])
    try:
        menus = [action.text() for action in window.menuBar().actions()]
        assert "Lecte&ur simulé" in menus
        qtbot.waitUntil(lambda: "Lecteur simulé" in status_text(window), timeout=3000)
        shortcut(qtbot, window, Qt.Key.Key_T)
        qtbot.waitUntil(lambda: "posée" in status_text(window), timeout=3000)
        assert VISITOR_UID in status_text(window)  # the demo's festival-goer card
        simulated.lift()
        qtbot.waitUntil(lambda: "pas de carte" in status_text(window), timeout=3000)
    finally:
        window.devices.stop()


def test_the_window_fits_a_1280_by_800_laptop_screen(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, demo_db: Database, artifacts: Path
) -> None:
    window = open_window(qtbot, qt_loop, demo_db, [SimulatedBackend()])
    try:
        for section in SECTIONS:
            window.page(section.key)  # every section built, as after a visit to each
        hint = window.minimumSizeHint()
        assert hint.width() <= 1200 and hint.height() <= 800
        window.resize(1280, 800)
        window.show_section("ledger")  # the widest page
        qtbot.waitUntil(lambda: window.width() == 1280, timeout=3000)
        window.grab().save(str(artifacts / "main-window-1280x800-ledger.png"))
    finally:
        window.devices.stop()


def test_quit_shortcut_closes_the_window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, demo_db: Database
) -> None:
    window = open_window(qtbot, qt_loop, demo_db, [SimulatedBackend()])
    shortcut(qtbot, window, Qt.Key.Key_Q)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    window.devices.stop()
    assert QApplication.instance() is not None


def test_qt_own_buttons_and_dialogs_speak_french(qapp: QApplication) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from regie.ui.app import install_qt_translations

    install_qt_translations(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel is not None and cancel.text().replace("&", "") == "Annuler"

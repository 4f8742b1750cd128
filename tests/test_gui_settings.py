"""Préférences on the real main window under Xvfb: switching to English rebuilds the shell in
English and Régie starts in English next time; the window reopens where it was left; Annuler
and a refused value change nothing; the invoice details reach the database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.i18n import language
from regie.models import Organisation
from regie.settings.language import apply_startup_language
from regie.settings.laptop import LaptopSettings
from regie.ui.app import build_window
from regie.ui.language import switch_language
from regie.ui.main_window import MainWindow
from regie.ui.settings_dialog import PreferencesDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def settings_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "config" / "settings.json"
    switch_language("fr")  # the next tests speak French again, Qt's words included


def open_window(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, db: Database, settings_file: Path
) -> MainWindow:
    window = build_window(db, [SimulatedBackend()], loop, LaptopSettings(settings_file))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close(window: MainWindow) -> None:
    window.close()
    window.devices.stop()


def preferences(qtbot: QtBot, window: MainWindow) -> PreferencesDialog:
    dialog = window.open_preferences()
    qtbot.waitExposed(dialog)
    return dialog


def button(dialog: QWidget, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)
    assert found is not None, name
    return found


def shot(widget: QWidget, artifacts: Path, name: str) -> None:
    QApplication.processEvents()
    assert widget.grab().save(str(artifacts / f"settings-{name}.png"))


def menu_titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def navigation(window: MainWindow) -> list[str]:
    return [window.navigation.item(row).text() for row in range(window.navigation.count())]


def show_tab(dialog: PreferencesDialog, title: str) -> None:
    tabs = dialog.findChild(QTabWidget, "preferenceTabs")
    assert tabs is not None
    titles = [tabs.tabText(index) for index in range(tabs.count())]
    tabs.setCurrentIndex(titles.index(title))


def test_switching_to_english_rebuilds_the_shell_and_regie_restarts_in_english(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    settings_file: Path,
    artifacts: Path,
) -> None:
    window = open_window(qtbot, qt_loop, festival, settings_file)
    window.show_section("cards")
    assert "&Fichier" in menu_titles(window) and "Inventaire" in navigation(window)
    dialog = preferences(qtbot, window)
    assert dialog.windowTitle() == "Préférences"
    shot(dialog, artifacts, "general-fr")
    show_tab(dialog, "Convention")
    shot(dialog, artifacts, "convention-fr")
    combo = dialog.findChild(QComboBox, "setting-language")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.mouseClick(button(dialog, "preferencesSave"), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "&File" in menu_titles(window), timeout=5000)
    assert language() == "en"
    assert {"&File", "&Edit", "&View", "&Help"} <= set(menu_titles(window))
    assert not {"&Fichier", "É&dition", "Affic&hage", "&Aide"} & set(menu_titles(window))
    assert {"Inventory", "Cards", "Terminals", "Ledger", "Settlement", "Invoices"} <= set(
        navigation(window)
    )
    assert window.current_section() == "cards"  # the same section, now in English
    assert window.database_status.text().startswith("Database: ")
    assert json.loads(settings_file.read_text(encoding="utf-8"))["language"] == "en"
    shot(window, artifacts, "window-en")
    again = preferences(qtbot, window)
    assert again.windowTitle() == "Preferences"
    shot(again, artifacts, "general-en")
    show_tab(again, "Devices")
    shot(again, artifacts, "devices-en")
    qtbot.mouseClick(button(again, "preferencesCancel"), Qt.MouseButton.LeftButton)
    close(window)

    # Régie opened again: the saved language is the start language, before any text is built.
    switch_language("fr")
    saved = LaptopSettings(settings_file)
    switch_language(apply_startup_language(None, saved))
    reopened = open_window(qtbot, qt_loop, festival, settings_file)
    assert "&File" in menu_titles(reopened)
    assert "Inventory" in navigation(reopened)
    assert reopened.current_section() == "cards"
    close(reopened)


def test_the_window_reopens_with_its_size_and_section(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    settings_file: Path,
) -> None:
    window = open_window(qtbot, qt_loop, festival, settings_file)
    first = window.size()
    window.show_section("ledger")  # built now: its needs count in the smallest size
    smallest = window.minimumSizeHint()
    # Lower than the first opening (the width is the least the pages need: Xvfb's screen).
    chosen = QSize(first.width(), smallest.height() + 23)
    assert chosen != first
    window.resize(chosen)
    qtbot.waitUntil(lambda: window.size() == chosen, timeout=3000)
    close(window)
    reopened = open_window(qtbot, qt_loop, festival, settings_file)
    assert reopened.size() == chosen
    assert reopened.current_section() == "ledger"
    close(reopened)


def test_a_damaged_window_place_is_ignored(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, settings_file: Path
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        json.dumps({"window.geometry": "%%% pas du base64 %%%", "window.section": "nowhere"}),
        encoding="utf-8",
    )
    window = open_window(qtbot, qt_loop, festival, settings_file)
    assert window.isVisible()
    assert window.current_section() == "dashboard" or window.pages.currentIndex() == 0
    close(window)


def test_cancel_and_a_refused_value_change_nothing(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    settings_file: Path,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    window = open_window(qtbot, qt_loop, festival, settings_file)
    dialog = preferences(qtbot, window)
    show_tab(dialog, "Sauvegardes")
    folder = dialog.findChild(QLineEdit, "setting-backup.folder")
    assert folder is not None
    folder.setText(str(tmp_path / "nulle-part"))
    qtbot.mouseClick(button(dialog, "preferencesSave"), Qt.MouseButton.LeftButton)
    problem = dialog.findChild(QLabel, "preferencesProblem")
    assert problem is not None
    assert problem.text() == (
        f"Dossier des sauvegardes — le dossier « {tmp_path / 'nulle-part'} » n'existe pas"
    )
    assert dialog.isVisible()
    shot(dialog, artifacts, "refused-fr")
    assert not settings_file.exists()

    combo = dialog.findChild(QComboBox, "setting-language")
    assert combo is not None
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.mouseClick(button(dialog, "preferencesCancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert language() == "fr" and "&Fichier" in menu_titles(window)
    assert not settings_file.exists()
    close(window)


def test_invoice_details_typed_in_the_dialog_reach_the_database(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    settings_file: Path,
    artifacts: Path,
) -> None:
    window = open_window(qtbot, qt_loop, festival, settings_file)
    dialog = preferences(qtbot, window)
    show_tab(dialog, "Organisation")
    siret = dialog.findChild(QLineEdit, "setting-organisation.siret")
    assert siret is not None and siret.isEnabled()
    siret.setText("1234")
    qtbot.mouseClick(button(dialog, "preferencesSave"), Qt.MouseButton.LeftButton)
    problem = dialog.findChild(QLabel, "preferencesProblem")
    assert problem is not None and "SIREN/SIRET invalide « 1234 »" in problem.text()
    siret.setText("81234567800012")
    shot(dialog, artifacts, "organisation-fr")
    qtbot.mouseClick(button(dialog, "preferencesSave"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    with festival.session() as session:
        sirets = {o.short_name: o.siret for o in session.query(Organisation)}
    assert sirets["Mamasound"] == "81234567800012"
    close(window)

"""Alt + the underlined letter acts at once: no two controls of one screen share a letter.

When two visible controls of a screen (the menu bar, the section's tab bars, the current
tab's buttons and labels with a buddy, a dialog or a wizard page) share an Alt+letter, Qt
cycles between them instead of acting: a person pressing Alt+S never knows what happens.
The test walks every tab of every section of one demo window per language, and the loan
and Z wizards page by page, and names the screen, the letter and the texts of each clash.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabBar,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from regie import i18n
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.ui.app import build_window
from regie.ui.inventory.page import InventoryPage
from regie.ui.language import install_qt_translations
from regie.ui.ledger.page import LedgerPage
from regie.ui.main_window import MainWindow
from tests.gui_screen_walk import settled, shown
from tests.test_gui_english import every_tab, slug
from tests.test_gui_screens_fit import season as season  # the fixture: a demo copy

pytestmark = pytest.mark.gui
MARK = re.compile(r"&(.)", re.DOTALL)


def letter(text: str) -> str | None:
    """The letter Alt reaches in a control's text (« &&» is a shown ampersand)."""
    for found in MARK.finditer(text):
        if found.group(1) != "&":
            return found.group(1).lower()
    return None


def menu_bar_texts(window: QWidget) -> Iterator[str]:
    if isinstance(window, QMainWindow):
        yield from (a.text() for a in window.menuBar().actions() if a.isVisible())


def controls(window: QWidget) -> Iterator[str]:
    """The texts of every visible control of the window (or dialog) that can take a mnemonic,
    enabled or not: a greyed button comes alive once a row is chosen."""
    yield from menu_bar_texts(window)
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton) or (
            isinstance(widget, QLabel) and widget.buddy() is not None
        ):
            yield widget.text()
        elif isinstance(widget, QGroupBox):
            yield widget.title()
        elif isinstance(widget, QTabBar):
            yield from (widget.tabText(n) for n in range(widget.count()) if widget.isTabVisible(n))


def clashes(screen: str, texts: Iterator[str]) -> list[str]:
    """« screen: Alt+S « &Stripe » / « &Split » » for each letter two texts share."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        found = letter(text)
        if found is not None:
            by_letter[found].append(text)
    return [
        f"{screen}: Alt+{key.upper()} " + " / ".join(f"« {text} »" for text in sorted(set(same)))
        for key, same in sorted(by_letter.items())
        if len(same) > 1
    ]


def menus(actions: list[QAction], where: str) -> Iterator[str]:
    """Inside an open menu, its items answer to their letter alone: one clash list each."""
    for action in actions:
        menu = action.menu()
        if isinstance(menu, QMenu):
            name = f"{where} › {action.text().replace('&', '')}"
            items = (a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator())
            yield from clashes(name, items)
            yield from menus(menu.actions(), name)


def wizard_clashes(qtbot: QtBot, wizard: QWizard, name: str) -> list[str]:
    """Every page the wizard reaches from its defaults (Suivant until it stops)."""
    found: list[str] = []
    seen: set[int] = set()
    while wizard.currentId() not in seen:
        seen.add(wizard.currentId())
        QApplication.processEvents()
        found += clashes(f"{name} page {len(seen)}", controls(wizard))
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        if not (isinstance(next_button, QPushButton) and next_button.isVisible()):
            break
        if not next_button.isEnabled():
            break
        wizard.next()
        page = wizard.currentPage()
        qtbot.waitUntil(lambda page=page: settled(page), timeout=30_000)  # type: ignore[misc]
    wizard.reject()
    return found


@pytest.fixture(params=["fr", "en"])
def window(
    request: pytest.FixtureRequest,
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    season: Database,
) -> Iterator[MainWindow]:
    language: str = request.param
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    i18n.set_language(language)
    install_qt_translations(app, language)
    window = build_window(season, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    try:
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        yield window
    finally:
        window.devices.stop()
        i18n.set_language("fr")
        install_qt_translations(app, "fr")


WIZARDS = (
    ("inventory", InventoryPage, "loans", "loan wizard"),
    ("ledger", LedgerPage, "closures", "Z wizard"),
)


def opened_wizard(window: MainWindow, section: str, kind: type, screen: str) -> QWizard:
    """The wizard a section's screen opens (« Nouvelle sortie… », « Clôturer… »)."""
    window.show_section(section)
    page = window.pages.currentWidget()
    assert isinstance(page, kind)
    where = getattr(page, screen)
    page.show_screen(where)
    wizard = where.open_wizard()
    assert isinstance(wizard, QWizard)
    return wizard


def every_clash(qtbot: QtBot, window: MainWindow) -> list[str]:
    def wait(page: QWidget) -> None:
        qtbot.waitUntil(lambda: settled(page), timeout=30_000)
        shown(QApplication.instance())  # type: ignore[arg-type]

    found = list(menus(window.menuBar().actions(), "menu"))
    for key, _page, title in every_tab(window, wait):
        found += clashes(f"{key}/{slug(title) if title else 'page'}", controls(window))

    for section, kind, screen, name in WIZARDS:
        found += wizard_clashes(qtbot, opened_wizard(window, section, kind, screen), name)
    return found


def test_no_two_controls_of_a_screen_share_an_alt_letter(qtbot: QtBot, window: MainWindow) -> None:
    found = every_clash(qtbot, window)
    assert not found, f"{len(found)} Alt+letter clashes:\n" + "\n".join(found)


def test_the_check_finds_two_buttons_with_one_letter() -> None:
    """The check can fail: two buttons underlining S on one dialog are named with the letter."""
    dialog = QWidget()
    QPushButton("&Stripe", dialog)
    QPushButton("&Split", dialog)
    QPushButton("Tout &&rien", dialog)  # a shown ampersand, no mnemonic
    QPushButton("&Rien", dialog)
    dialog.show()
    try:
        assert clashes("dialog", controls(dialog)) == ["dialog: Alt+S « &Split » / « &Stripe »"]
    finally:
        dialog.close()
        dialog.deleteLater()

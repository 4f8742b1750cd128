"""The Inventaire and Cartes pages in English: every tab opened on the demo festival shows its
labels, buttons, headers and lists in English, with no French text the catalogues translate.
Each tab is saved as ``artifacts/en-inventory-<n>.png`` / ``artifacts/en-cards-<n>.png``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from regie import i18n
from regie.db import Database
from regie.demo import fill_demo
from regie.devices.manager import DeviceManager
from regie.ui.cards.page import CardsPage
from regie.ui.inventory.page import InventoryPage
from regie.ui.main_window import STYLE

pytestmark = pytest.mark.gui

CATALOGUES = ("ui-inventory.po", "ui-cards.po")
TAGS = re.compile(r"<[^>]+>")


def translated_french() -> set[str]:
    """The French texts of these two parts whose English differs: on an English screen, one of
    them means a text was not translated (or was translated at import, before the switch)."""
    found: set[str] = set()
    for name in CATALOGUES:
        with (i18n.LOCALE_DIR / "en" / name).open("rb") as handle:
            for message in read_po(handle):
                if isinstance(message.id, str) and message.string and message.string != message.id:
                    found.add(message.id)
    return found


def shown_texts(root: QWidget) -> Iterator[str]:
    """What a person reads on ``root``: labels, buttons, tabs, headers, lists, placeholders."""
    for label in root.findChildren(QLabel):
        if label.isVisible():
            yield from TAGS.sub("\n", label.text()).split("\n")
    for button in root.findChildren(QAbstractButton):
        if button.isVisible():
            yield button.text()
            yield button.toolTip()
    for tabs in root.findChildren(QTabWidget):
        yield from (tabs.tabText(index) for index in range(tabs.count()))
    for view in root.findChildren(QTableView):
        if view.isVisible() and view.model() is not None:
            model = view.model()
            yield from (
                str(model.headerData(column, Qt.Orientation.Horizontal))
                for column in range(model.columnCount())
            )
    for combo in root.findChildren(QComboBox):
        if combo.isVisible():
            yield from (combo.itemText(index) for index in range(combo.count()))
    for field in root.findChildren(QLineEdit):
        if field.isVisible():
            yield field.placeholderText()


def french_on(root: QWidget, french: set[str]) -> list[str]:
    texts = {text.strip() for text in shown_texts(root)} - {""}
    return sorted(text for text in texts if text in french or text.replace("&", "") in french)


@pytest.fixture
def festival(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "festival.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    fill_demo(db)
    yield db
    db.dispose()


def show(qtbot: QtBot, page: QWidget) -> None:
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)


def every_tab(
    page: QWidget, tabs: QTabWidget, name: str, artifacts: Path, french: set[str]
) -> dict[str, list[str]]:
    """Opens each tab, saves it, and returns the French found on each."""
    left: dict[str, list[str]] = {}
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert page.grab().save(str(artifacts / f"en-{name}-{index + 1}.png"))
        found = french_on(page, french)
        if found:
            left[tabs.tabText(index)] = found
    return left


def test_the_inventory_page_in_english_has_no_french_left(
    qtbot: QtBot, festival: Database, english: None, artifacts: Path
) -> None:
    page = InventoryPage(festival, DeviceManager([]))
    show(qtbot, page)
    tabs = page.tabs
    assert [tabs.tabText(index) for index in range(4)] == [
        "E&quipment",
        "&Loans",
        "Scanner a&udit",
        "&Incidents",
    ]
    assets = page.assets.table.model()
    headers = [assets.headerData(column, Qt.Orientation.Horizontal) for column in range(5)]
    assert headers == ["Tag", "Model", "Serial number", "Owner", "Status"]
    assert page.assets.count.text().endswith(" items")

    left = every_tab(page, tabs, "inventory", artifacts, translated_french())
    assert not left, f"French on the English inventory: {left}"
    texts = set(shown_texts(page))
    assert "New organisation…" in texts  # the last tab, Reference data, on its first list


def test_the_cards_page_in_english_has_no_french_left(
    qtbot: QtBot, festival: Database, english: None, artifacts: Path
) -> None:
    page = CardsPage(festival, DeviceManager([]))
    show(qtbot, page)
    tabs = page.tabs
    assert [tabs.tabText(index) for index in range(tabs.count())] == [
        "Card &batches",
        "Encodin&g",
        "&Monitor",
        "&Staff cards",
        "Event &returns",
    ]
    assert "&Import a factory file…" in set(shown_texts(page))

    left = every_tab(page, tabs, "cards", artifacts, translated_french())
    assert not left, f"French on the English cards page: {left}"
    page.show_screen(page.encoding)
    assert page.encoding.start_button.text() == "Start"


def test_french_comes_back_after_english(qtbot: QtBot, festival: Database) -> None:
    i18n.set_language("en")
    i18n.set_language("fr")
    page = CardsPage(festival, DeviceManager([]))
    show(qtbot, page)
    assert page.tabs.tabText(0) == "&Lots de cartes"

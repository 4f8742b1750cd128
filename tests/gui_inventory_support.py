"""What the inventory screen tests share: the demo festival built once per module and copied
per test, the page as the main window shows it, screenshots and message boxes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.demo import fill_demo
from regie.devices.manager import DeviceManager
from regie.ui.inventory.page import InventoryPage
from regie.ui.main_window import STYLE


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo festival built once (1 s); each test gets a copy of the file (1 ms)."""
    path = tmp_path_factory.mktemp("demo") / "festival.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    fill_demo(db)
    db.dispose()  # the last connection closed: the WAL is folded into the file
    return path


@pytest.fixture
def festival(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "festival.sqlite3"
    shutil.copyfile(demo_file, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def page(qtbot: QtBot, festival: Database) -> InventoryPage:
    page = InventoryPage(festival, DeviceManager([]))
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)  # the main window's, as the page is shown inside it
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)
    return page


def screenshot(widget: QWidget, artifacts: Path, name: str) -> None:
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(screens / f"inventory-{name}.png"))


def message_box(qtbot: QtBot) -> QMessageBox:
    """The message box the screen just opened (window-modal: the top of the modal stack)."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=3000)
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def press(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()

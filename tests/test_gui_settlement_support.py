"""Set-up shared by the settlement GUI tests (no test here): the demo festival, the pages on
screen, the Stripe key in a file keyring, screenshots and PDFs read back."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.ui.main_window import STYLE
from regie.ui.settlement.invoices_page import InvoicesPage
from regie.ui.settlement.page import SettlementPage
from tests.rig.keyring_file import FileKeyring
from tests.test_gui_ledger_support import copy_of, demo_template

STOCK = "MamaStock 2026"


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo season (MamAfrica 2025 and 2026, MamaStock 2026, Le Rockstore's
    concerts: journals, loans, invoices, MamAfrica 2025's statement recorded and invoiced)."""
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system keyring's stand-in: an empty JSON file."""
    path = tmp_path / "keyring.json"
    # The keyring chosen before the variable is set: with it set, keyring would pick this file
    # as its default for good, and a later test without the variable would fail on it.
    previous = keyring.get_keyring()
    monkeypatch.setenv("REGIE_TEST_KEYRING", str(path))
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)


def shown(qtbot: QtBot, page: QWidget) -> None:
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)  # the main window's, as the page is shown inside it
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)


def open_settlement(qtbot: QtBot, db: Database, prestation: str = STOCK) -> SettlementPage:
    page = SettlementPage(db, DeviceManager([]))
    shown(qtbot, page)
    page.choose(prestation)
    idle(qtbot, page)
    return page


def open_invoices(qtbot: QtBot, db: Database) -> InvoicesPage:
    page = InvoicesPage(db, DeviceManager([]))
    shown(qtbot, page)
    return page


def idle(qtbot: QtBot, page: QWidget, timeout: int = 20_000) -> None:
    """Wait until no screen of the page has work running, and its results are shown."""

    def quiet() -> bool:
        screens = [page, *page.findChildren(QWidget)]
        return not any(getattr(s, "busy", False) is True for s in screens)

    qtbot.waitUntil(quiet, timeout=timeout)
    QApplication.processEvents()


def shoot(widget: QWidget, artifacts: Path, name: str) -> Path:
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    QApplication.processEvents()
    path = screens / f"settlement-{name}.png"
    assert widget.grab().save(str(path))
    return path


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def pdf_pages(pdf: Path, artifacts: Path, name: str) -> list[Path]:
    """Page images of a PDF the screens produced, kept with the screenshots to be looked at."""
    folder = artifacts / "pdf"
    folder.mkdir(exist_ok=True)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(folder / name)], check=True)
    return sorted(folder.glob(f"{name}-*.png"))

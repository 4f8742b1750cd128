"""Set-up shared by the ledger GUI tests (no test here): demo festivals, a big journal, the
ledger page on screen, screenshots.

The demo festival (MamaStock 2026's journal, 9 Z) is built once per test process and copied
for each test; the big journal (100,000 terminal lines) is built once and only read.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from regie.db import Database
from regie.demo import fill_demo
from regie.devices.manager import DeviceManager
from regie.ledger.journal_import import import_journals
from regie.ledger.models import Balance, LedgerHead, Transfer
from regie.ledger.simulate import Festival, write_journal
from regie.ui.ledger.page import LedgerPage
from regie.ui.main_window import STYLE

BIG = Festival(transactions=100_000, cards=10_000, points_of_sale=12, seed=55)
_built: dict[str, Path] = {}


def _once(name: str, factory: pytest.TempPathFactory, build: Callable[[Path], None]) -> Path:
    """A database file built once per test process (the session fixtures of several modules
    share it), in pytest's temporary directory."""
    if name not in _built:
        path = factory.mktemp(name) / f"{name}.sqlite3"
        build(path)
        _built[name] = path
    return _built[name]


def demo_template(factory: pytest.TempPathFactory) -> Path:
    def build(path: Path) -> None:
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        fill_demo(db)
        db.dispose()  # the last connection checkpoints the WAL: one self-contained file

    return _once("demo", factory, build)


def big_journal(factory: pytest.TempPathFactory) -> Path:
    def build(path: Path) -> None:
        journal = path.with_suffix(".jsonl")
        write_journal(BIG, str(journal))
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        with db.session() as session:
            import_journals(session, [journal])
        db.dispose()

    return _once("big", factory, build)


def copy_of(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "festival.sqlite3"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target}")


def open_page(qtbot: QtBot, db: Database, devices: DeviceManager | None = None) -> LedgerPage:
    page = LedgerPage(db, devices or DeviceManager([]))
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)  # the main window's, as the page is shown inside it
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)
    return page


def idle(qtbot: QtBot, *screens: QWidget, timeout: int = 15_000) -> None:
    """Wait until the screens' worker threads are done and their results shown."""
    qtbot.waitUntil(lambda: not any(getattr(s, "busy", False) for s in screens), timeout=timeout)
    QApplication.processEvents()


def shoot(widget: QWidget, artifacts: Path, name: str) -> Path:
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    QApplication.processEvents()
    path = screens / f"ledger-{name}.png"
    assert widget.grab().save(str(path))
    return path


def message_box(qtbot: QtBot) -> QMessageBox:
    """The message box a screen just opened (window-modal: the top of the modal stack)."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=3000)
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def press(box: QMessageBox, label: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == label)
    button.click()


def transfer_count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Transfer)) or 0)


def chain_head(db: Database) -> tuple[int, bytes]:
    with db.session() as session:
        head = session.get_one(LedgerHead, 1)
        return head.last_transfer_id, head.last_hash


def balance_sum(db: Database) -> tuple[int, int]:
    """(number of balances, sum of their absolute values): moves if anything was booked."""
    with db.session() as session:
        count, total = session.execute(
            select(func.count(), func.coalesce(func.sum(func.abs(Balance.amount)), 0))
        ).one()
        return int(count), int(total)

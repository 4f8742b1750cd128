"""Change notices on screen: a task's changes reach the screens they concern and only them.

To see whether a screen read the base again, the base is first changed behind its back (a
second connection, as another laptop would: nothing tells the window), then a task changes
something else: a screen that reads again shows the change made behind its back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update
from sqlalchemy.engine import make_url

from regie.cards.models import Card, CardState
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.simulated import SimulatedBackend
from regie.inventory.models import Asset
from regie.ledger.journal_import import import_journals
from regie.models import Organisation
from regie.ui.app import build_window
from regie.ui.inventory.page import InventoryPage
from regie.ui.ledger.page import LedgerPage
from regie.ui.settlement.invoices_page import InvoicesPage
from regie.ui.tasks import Task
from tests.ledger_fixtures import sale, topup, write_lines
from tests.test_gui_settlement_support import demo

pytestmark = pytest.mark.gui
__all__ = ["demo"]
CARD = "04A1B2C3D4E5F6"


def behind_its_back(db: Database, sql: str) -> None:
    """A write no notice tells (another laptop on the same base)."""
    with sqlite3.connect(str(make_url(db.url).database)) as other:
        other.execute(sql)


def run(qtbot: QtBot, origin: QWidget, work: Callable[[Task], Any]) -> Task:
    task = Task("test", work, origin)
    with qtbot.waitSignal(task.finished, timeout=30_000):
        task.start()
    return task


def totals(page: InvoicesPage) -> list[int]:
    return [row.total_incl_cents for row in page.model.rows()]


def test_a_change_of_cards_leaves_the_invoices_and_an_invoice_change_reads_them(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, demo: Database
) -> None:
    window = build_window(demo, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    window.show_section("invoices")
    page = window.page("invoices")
    assert isinstance(page, InvoicesPage)
    qtbot.waitExposed(page)
    shown = totals(page)
    behind_its_back(demo, "UPDATE invoice SET total_incl_cents = total_incl_cents + 1")
    told: list[object] = []
    window.changed.connect(told.append)

    def block_a_card(_task: Task) -> None:
        with demo.session() as session:
            session.execute(update(Card).where(Card.id == 1).values(state=CardState.BLOCKED))

    cards = run(qtbot, window, block_a_card)
    assert cards.changes.entities == {"card"}
    qtbot.waitUntil(lambda: len(told) == 1)
    assert totals(page) == shown  # not read again: it still shows what it read before

    def rename_a_client(_task: Task) -> None:
        with demo.session() as session:
            session.execute(update(Organisation).where(Organisation.id == 1).values(name="C"))

    run(qtbot, window, rename_a_client)
    qtbot.waitUntil(lambda: totals(page) == [total + 1 for total in shown])

    # Hidden, it reads again when shown next, and only if a change concerned it.
    window.show_section("dashboard")
    behind_its_back(demo, "UPDATE invoice SET total_incl_cents = total_incl_cents + 1")
    run(qtbot, window, block_a_card)
    window.show_section("invoices")
    assert totals(page) == [total + 1 for total in shown]
    window.show_section("dashboard")
    run(qtbot, window, rename_a_client)
    window.show_section("invoices")
    assert totals(page) == [total + 2 for total in shown]


def test_the_journal_appends_the_transfers_a_task_posted_without_reading_again(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    page = LedgerPage(demo, DeviceManager([]))
    qtbot.addWidget(page)
    page.show()
    journal = page.journal
    qtbot.waitUntil(lambda: not journal.model.busy)
    before = journal.model.total
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    journal.model.modelReset.connect(lambda: resets.append(1))
    journal.model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    path = write_lines(
        tmp_path / "bar.jsonl", [topup(1, CARD, 2000), sale(2, CARD, 450, pos="Bar Nord")]
    )

    def pull(_task: Task) -> None:
        with demo.session() as session:
            import_journals(session, [path])

    task = run(qtbot, page.import_button, pull)
    added = sum(len(span) for span in task.changes.ids_of("transfer"))
    assert added >= 1
    qtbot.waitUntil(lambda: journal.model.total == before + added)
    assert inserted == [(before, before + added - 1)] and resets == []
    assert journal.model.row_at(before + added - 1) is not None  # the new line reads

    def block_a_card(_task: Task) -> None:
        with demo.session() as session:
            session.execute(update(Card).where(Card.id == 1).values(state=CardState.BLOCKED))

    run(qtbot, page.import_button, block_a_card)
    assert resets == [] and journal.model.total == before + added  # cards: not its business


def test_the_inventory_reads_again_after_a_loan_and_not_after_a_journal_pull(
    qtbot: QtBot, demo: Database, tmp_path: Path
) -> None:
    page = InventoryPage(demo, DeviceManager([]))
    qtbot.addWidget(page)
    page.show()
    assets = page.assets
    resets: list[int] = []
    assets.model.modelReset.connect(lambda: resets.append(1))
    path = write_lines(tmp_path / "bar.jsonl", [topup(1, CARD, 2000)])

    def pull(_task: Task) -> None:
        with demo.session() as session:
            import_journals(session, [path])

    pulled = run(qtbot, page, pull)
    assert "transfer" in pulled.changes.entities
    qtbot.wait(200)  # a reload would have started by now: notices are delivered at once
    assert resets == []  # transfers are not the inventory's business

    def note_on_an_asset(_task: Task) -> None:
        with demo.session() as session:
            session.execute(update(Asset).where(Asset.id == 1).values(notes="rayure"))

    run(qtbot, page, note_on_an_asset)
    qtbot.waitUntil(lambda: resets != [], timeout=10_000)  # its own entity: it reads again

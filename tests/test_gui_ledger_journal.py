"""The journal view: a windowed model over a big journal, its filters, the model tester."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, or_, select

from regie.db import Database
from regie.ledger.browse import JournalFilter
from regie.ledger.models import Account, LedgerAsset, PointOfSale, Transfer
from regie.models import Prestation
from regie.ui.ledger.journal_model import JournalModel
from tests.ledger_fixtures import festival_file, import_file
from tests.test_gui_ledger_support import (
    big_journal,
    copy_of,
    demo_template,
    idle,
    open_page,
    shoot,
)

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(f"sqlite:///{big_journal(tmp_path_factory)}")
    yield db
    db.dispose()


STOCK = "MamaStock 2026"


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


def sql_count(db: Database, *conditions: object) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(*conditions)) or 0)  # type: ignore[arg-type]


def all_ids(model: JournalModel) -> list[int]:
    ids = []
    for row in range(model.rowCount()):
        found = model.row_at(row)
        assert found is not None
        ids.append(found.id)
    return ids


def test_the_journal_model_opens_a_big_journal_from_the_chain_head_and_holds_only_a_window(
    qapp: object, big: Database
) -> None:
    total = sql_count(big, Transfer.id > 0)
    assert total > 100_000
    model = JournalModel(big, page_size=200, max_pages=8)
    model.reload()
    assert model.rowCount() == total  # from the chain head, not a count of the journal:
    assert model.rows_in_memory() == 0 and model.pages_read == 0  # no row read to know it
    first, last = model.row_at(0), model.row_at(total - 1)
    assert first is not None and first.id == 1
    assert last is not None and last.id == total
    assert model.pages_read == 2  # the first page and the last one
    assert model.rows_in_memory() == 200 + (total - 1) % 200 + 1
    for row in range(0, total, total // 50):  # a scroll from top to bottom, by jumps
        assert model.index(row, 0).data() == str(row + 1)
    assert model.rows_in_memory() <= 8 * 200  # the LRU of pages: a window, never the journal
    model.set_newest_first(True)
    newest = model.row_at(0)
    assert newest is not None and newest.id == total


def test_the_journal_screen_scrolls_a_big_journal_reading_a_window_only(
    qtbot: QtBot, big: Database, artifacts: Path
) -> None:
    page = open_page(qtbot, big)
    screen = page.journal
    model = screen.model
    assert model.total == sql_count(big, Transfer.id > 0)
    assert screen.count.text().endswith("transferts")
    table = screen.table
    qtbot.waitUntil(lambda: model.pages_read >= 1)
    assert table.model().index(0, 0).data() == "1"
    table.scrollToBottom()
    qtbot.waitUntil(lambda: table.rowAt(table.viewport().height() - 2) == model.total - 1)
    assert model.index(model.total - 1, 0).data() == str(model.total)
    assert model.rows_in_memory() <= 8 * 200
    shoot(page, artifacts, "journal-big-end")  # the end of a 100,000-line festival


def test_journal_filters_count_and_list_exactly_the_matching_transfers(
    qtbot: QtBot, festival: Database
) -> None:
    with festival.session() as session:
        wallet = session.scalars(
            select(Account.id).where(Account.name == "wallet:0400000000012A")
        ).one()
        bar_nord = session.scalars(
            select(PointOfSale.id).where(PointOfSale.name == "Bar Nord")
        ).one()
        gift = session.scalars(select(LedgerAsset.id).where(LedgerAsset.code == "GIFT")).one()
    # 11/07 at midnight on the events' clock (Paris, UTC+2 in July): 10/07 22:00 UTC
    day = int(dt.datetime(2026, 7, 10, 22, tzinfo=dt.UTC).timestamp())
    wall_clock = Transfer.at
    cases = [
        (
            JournalFilter(card="04 0000 0000 012a"),
            [or_(Transfer.debit_id == wallet, Transfer.credit_id == wallet)],
        ),
        (JournalFilter(pos="Bar Nord"), [Transfer.pos_id == bar_nord]),
        (JournalFilter(asset="GIFT"), [Transfer.asset_id == gift]),
        (JournalFilter(op="void"), [Transfer.op == "void"]),
        (
            JournalFilter(since=day, until=day + 6 * 3600),
            [wall_clock >= day, wall_clock < day + 6 * 3600],
        ),
        (
            JournalFilter(pos="Bar Nord", op="sale", since=day),
            [Transfer.pos_id == bar_nord, Transfer.op == "sale", wall_clock >= day],
        ),
        (JournalFilter(card="04FFFFFFFFFFFF"), [Transfer.id < 0]),  # a card never seen
    ]
    model = JournalModel(festival, page_size=37, max_pages=3)  # many pages, few in memory
    for where, conditions in cases:
        with festival.session() as session:
            expected = list(
                session.scalars(select(Transfer.id).where(*conditions).order_by(Transfer.id))
            )
        model.set_filter(where)
        idle(qtbot, model)  # a journal-wide count runs in a worker
        assert model.rowCount() == len(expected), where
        assert all_ids(model) == expected, where
        assert model.rows_in_memory() <= 3 * 37


def test_the_journal_models_pass_the_model_tester(
    qtmodeltester: ModelTester, festival: Database, qtbot: QtBot, qtlog: Any
) -> None:
    model = JournalModel(festival, page_size=40, max_pages=2)
    model.set_filter(JournalFilter(card="0400000000012A"))
    qtmodeltester.check(model, force_py=True)
    model.set_newest_first(True)  # a reset: the tester checks everything again
    with qtbot.waitSignal(model.ready, timeout=10_000):
        model.set_filter(JournalFilter(pos="Crêperie"))  # counted in a worker, then a reset
    assert model.rowCount() > 500
    whole = JournalModel(festival)
    whole.reload()
    qtmodeltester.check(whole)  # Qt's own tester on the whole demo journal: it warns
    whole.set_newest_first(True)
    assert [r.message for r in qtlog.records if "FAIL" in r.message] == []


def test_the_journal_screen_filters_from_its_widgets_and_shows_the_sale_lines(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    page = open_page(qtbot, festival)
    screen = page.journal
    # The demo is a season: MamAfrica 2025 (601 transfers), MamAfrica 2026 (2,519), the melt
    # (272), MamaStock 2026 (6,056): 601 + 2,519 + 272 + 6,056 = 9,448
    assert screen.model.total == 9448
    screen.event_box.setCurrentIndex(screen.event_box.findData(STOCK))
    screen.apply_filters()
    idle(qtbot, screen.model)
    assert screen.model.total == 6056
    assert screen.count.text() == "6\u202f056 transferts"
    qtbot.keyClicks(screen.card, "0400000000012A")
    qtbot.keyClick(screen.card, Qt.Key.Key_Return)
    assert screen.model.total == 4
    assert [screen.model.index(r, 3).data() for r in range(4)] == ["Recharge", *["Vente"] * 3]
    assert screen.model.index(0, 6).data() == "Carte 0400000000012A"
    assert screen.model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole) == "wallet:0400000000012A"
    screen.table.selectRow(1)
    # MamaStock's transfer 2,850 comes after the 601 + 2,519 + 272 = 3,392 before it: n°6242
    assert screen.detail.text().startswith("Transfert n°6242 (vente, cashless) : ")
    assert "Crêpe" in screen.detail.text() or "×" in screen.detail.text()
    screen.card.clear()
    screen.apply_filters()
    screen.op.setCurrentIndex(screen.op.findData("void"))
    screen.place.setCurrentIndex(screen.place.findText("Food Court"))
    idle(qtbot, screen.model)
    assert screen.model.total == sql_count(
        festival,
        Transfer.op == "void",
        Transfer.pos_id == _pos_id(festival, "Food Court"),
        Transfer.event_id == _event_id(festival, STOCK),  # MamAfrica had a Food Court too
    )
    assert {screen.model.index(r, 9).data() for r in range(screen.model.total)} == {"Food Court"}
    screen.op.setCurrentIndex(0)
    screen.place.setCurrentIndex(0)
    screen.since_on.setChecked(True)
    screen.since.setDateTime(QDateTime(dt.datetime(2026, 7, 12, 22, 0)))
    screen.newest_first.setChecked(True)
    idle(qtbot, screen.model)
    newest = screen.model.row_at(0)
    assert newest is not None and newest.id == 9448  # MamaStock's last: 3,392 + 6,056
    oldest = screen.model.row_at(screen.model.total - 1)
    assert oldest is not None and oldest.local_time.replace(tzinfo=None) >= dt.datetime(
        2026, 7, 12, 22, 0
    )
    screen.since_on.setChecked(False)
    screen.newest_first.setChecked(False)
    idle(qtbot, screen.model)
    screen.table.selectRow(14)
    shoot(page, artifacts, "journal")


def _event_id(db: Database, name: str) -> int:
    with db.session() as session:
        return int(session.scalars(select(Prestation.id).where(Prestation.name == name)).one())


def _pos_id(db: Database, name: str) -> int:
    with db.session() as session:
        return session.scalars(select(PointOfSale.id).where(PointOfSale.name == name)).one()


FED = select(LedgerAsset.id).where(LedgerAsset.code == "FED").scalar_subquery()


def test_the_journal_window_reads_alike_on_sqlite_and_postgresql(
    qtbot: QtBot, ledger: Database, tmp_path: Path
) -> None:
    import_file(ledger, festival_file(tmp_path, transactions=3000))
    model = JournalModel(ledger, page_size=50, max_pages=2)
    for where, conditions in (
        (JournalFilter(), [Transfer.id > 0]),
        (JournalFilter(pos="Bar Sud", op="sale"), [Transfer.op == "sale"]),
        (JournalFilter(asset="FED", since=0), [Transfer.asset_id == FED]),
    ):
        model.set_filter(where)
        idle(qtbot, model)
        with ledger.session() as session:
            if where.pos:
                conditions.append(Transfer.pos_id == _pos_id(ledger, where.pos))
            expected = list(
                session.scalars(select(Transfer.id).where(*conditions).order_by(Transfer.id))
            )
        assert len(expected) > 50 and all_ids(model) == expected, where

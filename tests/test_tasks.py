"""The window's task runner: results, progress, cancellation and errors back on the GUI
thread, what each task wrote told to the screens, the collector policy while it runs."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from regie import bulk
from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.models import LedgerHead
from regie.models import Organisation
from regie.ui.notices import Notice, notices
from regie.ui.tasks import Task
from tests.ledger_fixtures import festival_file

pytestmark = pytest.mark.gui


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    with database.session() as session:
        session.add(Organisation(short_name="CCC", name="Coopérative Code Commun"))
    yield database
    database.dispose()


def heard(qtbot: QtBot, task: Task) -> tuple[list[Notice], list[object]]:
    """Start ``task``; the notices told and its outcome, once it has finished."""
    told: list[Notice] = []
    outcome: list[object] = []
    notices().changed.connect(told.append)
    task.succeeded.connect(outcome.append)
    task.failed.connect(outcome.append)
    try:
        with qtbot.waitSignal(task.finished, timeout=30_000):
            task.start()
    finally:
        notices().changed.disconnect(told.append)
    return told, outcome


def test_a_task_returns_its_result_and_what_it_changed_with_the_ids(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    screen = QWidget()
    qtbot.addWidget(screen)
    with db.session() as session:
        before = session.get_one(LedgerHead, 1).last_transfer_id

    def work(_task: Task) -> int:
        with db.session() as session:
            import_journals(session, [festival_file(tmp_path, 300, 50)])
            session.execute(update(Organisation).values(name="CCC"))
            return threading.get_ident()

    task = Task("import", work, screen)
    told, outcome = heard(qtbot, task)
    assert outcome[0] != threading.get_ident()  # ran in a worker
    assert {"transfer", "balance", "organisation"} <= task.changes.entities
    with db.session() as session:
        after = session.get_one(LedgerHead, 1).last_transfer_id
    assert task.changes.ids_of("transfer") == (range(before + 1, after + 1),)
    assert [n.changes for n in told] == [task.changes]  # told once, before the result
    assert told[0].comes_from(screen) and not told[0].comes_from(QWidget())


def test_a_reading_tells_nothing(qtbot: QtBot, db: Database) -> None:
    def work(_task: Task) -> list[str]:
        with db.session() as session:
            return list(session.scalars(select(Organisation.short_name)))

    task = Task("read", work)
    told, outcome = heard(qtbot, task)
    assert outcome == [["CCC"]] and not task.changes and told == []


def test_progress_and_cancellation_reach_the_work(qtbot: QtBot) -> None:
    seen: list[int] = []
    go_on = threading.Event()

    def work(task: Task) -> int:
        done = 0
        while task.report(done, 1000):
            done += 1
            if done == 5:
                go_on.wait(10)
        return done

    task = Task("count", work)
    task.progressed.connect(lambda done, _total: seen.append(done))
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as result:
        task.start()
        qtbot.waitUntil(lambda: 4 in seen)
        assert task.running
        task.cancel()
        go_on.set()
    assert result.args == [5] and task.cancelled and task.wait(5) and not task.running


def test_an_error_nobody_listens_for_goes_to_the_error_dialog(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _trace: caught.append(error))

    def broken(_task: Task) -> None:
        raise ValueError("no such terminal")

    task = Task("broken", broken)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        task.start()
    qtbot.waitUntil(lambda: bool(caught))
    assert str(caught[0]) == "no such terminal"

    screen_errors: list[object] = []
    listened = Task("broken", broken)
    listened.failed.connect(screen_errors.append)
    caught.clear()
    with qtbot.waitSignal(listened.finished, timeout=10_000):
        listened.start()
    QApplication.processEvents()
    assert len(screen_errors) == 1 and caught == []  # the screen says it, in French


def test_a_heavy_task_pauses_the_collector_until_the_last_one_ends(qtbot: QtBot) -> None:
    assert gc.isenabled() and not bulk.under_way()
    release = threading.Event()
    states: list[tuple[bool, float]] = []

    def work(_task: Task) -> None:
        states.append((gc.isenabled(), sys.getswitchinterval()))
        release.wait(10)

    first, second = Task("one", work), Task("two", work)
    first.start()
    second.start()
    assert not gc.isenabled() and sys.getswitchinterval() == bulk.SWITCH_INTERVAL
    with bulk.bulk_work():  # an import inside: the same counter
        assert not gc.isenabled()
    assert not gc.isenabled()
    release.set()
    assert first.wait(10) and second.wait(10)
    qtbot.waitUntil(lambda: gc.isenabled())
    assert states == [(False, bulk.SWITCH_INTERVAL)] * 2
    assert sys.getswitchinterval() == 0.005 and not bulk.under_way()

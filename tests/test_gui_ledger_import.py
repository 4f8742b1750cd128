"""The import dialog: a journal imported in a worker thread with progress, a cancel that
leaves nothing behind, a rejected file that names its line and field."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.i18n import format_number
from regie.ledger.simulate import Festival, write_journal
from regie.ui.ledger.import_dialog import ImportDialog
from regie.ui.tasks import Task
from tests.ledger_fixtures import sale, topup, write_lines
from tests.test_gui_ledger_support import (
    balance_sum,
    chain_head,
    copy_of,
    demo_template,
    open_page,
    shoot,
    transfer_count,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def other_festival(tmp_path: Path) -> Path:
    """Another festival's journal: its terminals and card numbers are not the demo's."""
    path = tmp_path / "rock-en-foret.jsonl"
    write_journal(Festival(transactions=30_000, cards=3_000, seed=9), str(path))
    text = path.read_text().replace('"SUNMI-', '"RSF-').replace('"04000', '"05000')
    path.write_text(text)
    return path


def open_dialog(qtbot: QtBot, festival: Database, *, unsigned: bool = True) -> ImportDialog:
    """The dialog, with these tests' files (no paired terminal signed them) accepted unsigned
    as a manager would, with a reason."""
    page = open_page(qtbot, festival)
    dialog = page.open_import()
    qtbot.waitExposed(dialog)
    if unsigned:
        dialog.unsigned.setChecked(True)
        dialog.unsigned_reason.setText("journaux d'essai, d'aucun terminal du parc")
    return dialog


def test_the_import_dialog_imports_a_journal_in_a_worker_with_progress(
    qtbot: QtBot, festival: Database, other_festival: Path, artifacts: Path
) -> None:
    dialog = open_dialog(qtbot, festival)
    page = dialog.parent()
    before = transfer_count(festival)
    journal = page.journal  # type: ignore[attr-defined]
    assert journal.model.total == before
    assert not dialog.start_button.isEnabled()  # no file yet
    dialog.add_files([other_festival])
    assert dialog.start_button.isEnabled()
    # 7 MB: the second process is started now, while the files are chosen
    second = dialog.mapper
    assert second is not None and second.process.poll() is None
    values: list[int] = []
    threads: set[str] = set()
    dialog.progress.valueChanged.connect(values.append)
    dialog.imported.connect(lambda _r: threads.add(threading.current_thread().name))
    gaps: list[tuple[float, float]] = []  # (when, gap since the previous tick)
    collections: list[tuple[float, int, float]] = []  # (when, generation, seconds)
    last = [time.perf_counter()]

    def tick() -> None:  # the GUI thread stays free while the worker imports
        now = time.perf_counter()
        gaps.append((now, now - last[0]))
        last[0] = now

    def collected(phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            last_gc[0] = now
        else:
            collections.append((now, info["generation"], now - last_gc[0]))

    last_gc = [0.0]
    gc.callbacks.append(collected)
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.running and not dialog.start_button.isEnabled()
    assert dialog.cancel_button.isEnabled() and not dialog.add_button.isEnabled()
    assert dialog.task is not None
    assert not gc.isenabled() and sys.getswitchinterval() == 0.001  # the GUI comes first
    started = time.perf_counter()
    with qtbot.waitSignal(dialog.imported, timeout=60_000) as imported:
        pass
    timer.stop()
    gc.callbacks.remove(collected)
    result = imported.args[0]
    assert result.lines == result.imported > 29_000
    assert second.finished and second.process.wait(5) == 0  # it posted every line
    assert transfer_count(festival) == before + result.transfers
    assert len(set(values)) >= 4 and values[-1] == 1000  # the bar moved, then filled
    assert threads == {"MainThread"}  # results reach the GUI thread through signals
    during = [gap for when, gap in gaps if when > started]
    # The GUI kept turning while the worker imported (its ticks arrived all along); how long
    # its longest pause is, is a figure bench/ledger_gui.py measures, not a timed test here.
    assert len(during) >= 20, (len(during), [c for c in collections if c[2] > 0.05])
    qtbot.waitUntil(lambda: not dialog.running)
    assert gc.isenabled() and sys.getswitchinterval() == 0.005
    assert dialog.status.text() == (
        f"{format_number(result.lines)} lignes lues : {format_number(result.imported)} "
        f"importées ({format_number(result.transfers)} transferts), 0 déjà connue."
    )
    assert journal.model.total == before + result.transfers  # the journal on show read again
    shoot(dialog, artifacts, "import")


def test_a_dialog_closed_without_importing_leaves_no_second_process(
    qtbot: QtBot, festival: Database, other_festival: Path
) -> None:
    dialog = open_dialog(qtbot, festival)
    dialog.add_files([other_festival])
    second = dialog.mapper
    assert second is not None and second.process.poll() is None
    dialog.close()
    assert not dialog.isVisible() and dialog.mapper is None
    assert second.process.poll() is not None  # ended, not left waiting for files


def test_a_cancelled_import_leaves_the_ledger_as_it_was(
    qtbot: QtBot, festival: Database, other_festival: Path
) -> None:
    dialog = open_dialog(qtbot, festival)
    before = transfer_count(festival), chain_head(festival), balance_sum(festival)
    dialog.add_files([other_festival])
    # Cancel at the first progress report: some thousands of lines are already posted.
    dialog.progress.valueChanged.connect(lambda value: value and dialog.cancel_button.click())
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60_000)
    assert dialog.status.text() == "Import annulé : rien n'a été importé."
    assert dialog.outcome is None and dialog.progress.value() == 0
    assert (transfer_count(festival), chain_head(festival), balance_sum(festival)) == before
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert gc.isenabled()


def test_closing_the_dialog_during_an_import_cancels_it(
    qtbot: QtBot, festival: Database, other_festival: Path
) -> None:
    dialog = open_dialog(qtbot, festival)
    before = transfer_count(festival)
    dialog.add_files([other_festival])
    dialog.start()
    dialog.close()
    assert dialog.isVisible()  # until the worker has rolled back
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=60_000)
    assert transfer_count(festival) == before


def test_a_rejected_file_lists_its_problems_by_file_line_and_field(
    qtbot: QtBot, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    card = "05A1B2C3D4E5F6"
    good = write_lines(tmp_path / "caisse-bar.jsonl", [topup(1, card, 2000)])
    bad = write_lines(
        tmp_path / "bar-nord.jsonl",
        [
            topup(2, card, 1000),
            sale(3, card, 450),
            {**sale(4, card, 300), "amount": -300},
            {**topup(5, card, 500), "card": "XYZ"},
            {**sale(6, card, 200), "pay": "bitcoin"},
        ],
    )
    (tmp_path / "broken.jsonl").write_text('{"v": 1, "terminal": \n')
    dialog = open_dialog(qtbot, festival)
    before = transfer_count(festival), chain_head(festival)
    dialog.add_files([good, bad, tmp_path / "broken.jsonl"])
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20_000)
    assert dialog.status.text() == "Import refusé : 4 lignes en erreur sur 7. Rien n'a été importé."
    assert dialog.problem_table.isVisible()
    rows = [
        tuple(dialog.problems.index(r, c).data() for c in range(3))
        for r in range(dialog.problems.rowCount())
    ]
    assert rows == [
        ("bar-nord.jsonl", "3", "amount"),
        ("bar-nord.jsonl", "4", "card"),
        ("bar-nord.jsonl", "5", "pay"),
        ("broken.jsonl", "1", "—"),
    ]
    assert "doit être > 0" in dialog.problems.index(0, 3).data()
    assert (transfer_count(festival), chain_head(festival)) == before  # not even the good file
    shoot(dialog, artifacts, "import-rejected")


def test_thousands_of_progress_reports_leave_true_alive(qapp: object) -> None:
    """PySide6 6.12.0's ``Signal.emit`` takes a reference off ``True`` at every call: a
    million-line import reporting its progress would end in "Fatal Python error"."""
    task = Task("reports", lambda task: [task.report(n, 10_000) for n in range(10_000)])
    seen: list[int] = []
    task.progressed.connect(lambda done, _total: seen.append(done))
    before = sys.getrefcount(True)
    task.start().wait()
    QApplication.processEvents()
    assert len(seen) == 10_000
    # The bug takes 10,000 references off; other threads of the worker (a reader's owner, the
    # collector) may drop a few of their own meanwhile, which says nothing about emit.
    assert sys.getrefcount(True) > before - 1_000

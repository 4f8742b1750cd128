"""A big journal is read, checked and posted by a second process while the importer writes its
rows: the ledger must come out the same to the cent and the hash, bad lines must be named the
same, and an import whose second process dies is rolled back to where it began and done
alone."""

from __future__ import annotations

import contextlib
import gc
import io
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

import regie.db
from regie.db import Database
from regie.i18n import set_language
from regie.ledger.journal_import import (
    ImportResult,
    JournalImporter,
    JournalRejected,
    import_journals,
)
from regie.ledger.journal_mapper import (
    MAPPER_ENV,
    NO_SIGNATURES,
    Mapper,
    read_frame,
    wanted,
    write_frame,
)
from regie.ledger.journal_messages import DONE, HEAD, PROGRESS
from regie.ledger.journal_parent import snapshot_of
from regie.ledger.models import LedgerHead
from regie.ledger.reports import balances
from regie.ledger.verify import verify
from tests.ledger_fixtures import festival_file, line, sale, topup, write_lines

CARD = "04A1B2C3D4E5F6"


def ledger_state(db: Database) -> tuple[str, int, list[tuple[str, str, int]]]:
    with db.session() as session:
        head = session.get_one(LedgerHead, 1)
        wallets = [(row.account, row.asset, row.amount) for row in balances(session)]
        assert verify(session).ok
        return head.last_hash, head.last_transfer_id, wallets


def fresh(tmp_path: Path, name: str) -> Database:
    db = Database(f"sqlite:///{tmp_path / name}")
    db.upgrade()
    return db


def through_second_process(db: Database, paths: list[Path]) -> ImportResult:
    """An import whose lines are all posted by the second process, committed."""
    with db.session() as session:
        mapper = Mapper()
        try:
            result = JournalImporter(session).import_through(mapper, paths)
        finally:
            mapper.close()
    assert result is not None and mapper.process.returncode == 0  # the child posted it all
    return result


def test_a_journal_posted_by_a_second_process_gives_the_same_ledger(tmp_path: Path) -> None:
    # Top-ups, sales, split payments across assets, refunds and voids, over two files.
    first, second = festival_file(tmp_path, 6000, 400), tmp_path / "second.jsonl"
    lines = first.read_bytes().splitlines(keepends=True)
    first.write_bytes(b"".join(lines[:3500]))
    second.write_bytes(b"".join(lines[3500:]))
    assert b'"op":"void"' in second.read_bytes() and b'"payments"' in first.read_bytes()
    inline, mapped = fresh(tmp_path, "inline.sqlite3"), fresh(tmp_path, "mapped.sqlite3")
    with inline.session() as session:
        alone = JournalImporter(session).import_files([first, second])
    helped = through_second_process(mapped, [first, second])
    assert (helped.imported, helped.transfers) == (alone.imported, alone.transfers)
    assert helped.imported > 5000
    assert ledger_state(mapped) == ledger_state(inline)
    # The same files again, through the second process too: it must learn what the base
    # holds of each terminal (replays, nothing new).
    again = through_second_process(mapped, [first, second])
    assert (again.imported, again.replayed) == (0, helped.imported)
    assert ledger_state(mapped) == ledger_state(inline)
    inline.dispose()
    mapped.dispose()


def test_bad_lines_read_by_the_second_process_are_named_as_by_the_importer(
    tmp_path: Path,
) -> None:
    set_language("en")  # the child speaks the user's language too
    try:
        path = write_lines(
            tmp_path / "bad.jsonl",
            [
                topup(1, CARD, 2000),
                sale(2, CARD, 500),
                line(3, "void", ref=99),  # nothing n°99 to void: only the importer knows
                sale(4, "XYZ", 300),
                line(5, "dance"),
                line(6, "void", ref=2),
                line(7, "void", ref=2),  # voided twice
            ],
        )
        with path.open("ab") as handle:
            handle.write(b"{not json\n[1, 2]\n")
        problems = {}
        for way in ("inline", "process"):
            db = fresh(tmp_path, f"{way}.sqlite3")
            with db.session() as session, pytest.raises(JournalRejected) as rejected:
                mapper = Mapper() if way == "process" else None
                try:
                    if mapper is None:
                        JournalImporter(session).import_files([path])
                    else:
                        JournalImporter(session).import_through(mapper, [path])
                finally:
                    if mapper is not None:
                        mapper.close()
            problems[way] = [(p.line, p.field, p.message) for p in rejected.value.result.problems]
            assert ledger_state(db)[1] == 0  # nothing half-imported
            db.dispose()
    finally:
        set_language("fr")
    assert problems["process"] == problems["inline"]
    assert [number for number, _field, _message in problems["inline"]] == [3, 4, 5, 7, 8, 9]
    assert problems["inline"][4] == (8, "", "unreadable JSON (cut or malformed at character 2)")
    assert problems["inline"][1][1:] == (
        "card",
        "hexadecimal UID of 4, 7 or 10 bytes expected (read “XYZ”)",
    )


def test_an_import_whose_second_process_dies_is_done_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 45,000 lines: the child sends its first 20,000 rows, then dies at line 25,000.
    path = festival_file(tmp_path, 45000, 500)
    inline, mapped = fresh(tmp_path, "inline.sqlite3"), fresh(tmp_path, "mapped.sqlite3")
    with inline.session() as session:
        alone = JournalImporter(session).import_files([path])
    mapper = Mapper()
    reports: list[int] = []

    def kill_the_helper(done: int, total: int) -> bool:
        reports.append(done)
        if len(reports) == 5:  # line 25,000: its first rows are written
            mapper.process.kill()
        return True

    monkeypatch.setenv(MAPPER_ENV, "process")
    with mapped.session() as session:
        helped = import_journals(session, [path], kill_the_helper, mapper=mapper)
    assert not mapper.alive and mapper.process.returncode != 0
    assert helped.imported == alone.imported and helped.lines == alone.lines
    assert ledger_state(mapped) == ledger_state(inline)
    inline.dispose()
    mapped.dispose()


def test_the_second_process_starts_for_big_journals_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = festival_file(tmp_path, 200, 50)
    monkeypatch.delenv(MAPPER_ENV, raising=False)
    assert not wanted([small])
    big = tmp_path / "big.jsonl"
    body = small.read_bytes()
    big.write_bytes(body * (4_000_000 // len(body) + 1))
    assert wanted([big])
    monkeypatch.setenv(MAPPER_ENV, "inline")
    assert not wanted([big])
    monkeypatch.setenv(MAPPER_ENV, "process")
    assert wanted([small])
    db = fresh(tmp_path, "forced.sqlite3")
    with db.session() as session:
        assert import_journals(session, [small]).imported > 150
    with db.session() as session:
        assert session.scalar(select(LedgerHead.last_transfer_id))
    db.dispose()


# The child as it starts (``python -m``): it reads the files' names and the snapshot of a
# real base from its input, posts nothing, and says on exit which modules it loaded.
CHILD_MODULES = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write(repr(sorted(sys.modules))))\n"
    "runpy.run_module('regie.ledger.journal_child', run_name='__main__', alter_sys=True)\n"
)


def test_the_second_process_starts_without_the_database_layer(tmp_path: Path) -> None:
    """It must be ready before the cable has delivered a big journal, and the command line's
    import waits for it: no SQLAlchemy, no models, no Qt (importing them took 0.4 s of its
    half-second start), nor when it unpickles the snapshot of the ledger."""
    db = fresh(tmp_path, "base.sqlite3")
    with db.session() as session:
        importer = JournalImporter(session)
        given = io.BytesIO()
        given.write(orjson.dumps({"paths": [], **NO_SIGNATURES.plain()}) + b"\n")
        write_frame(given, snapshot_of(importer.writer, importer.rules), builtin=False)
    db.dispose()
    child = subprocess.run(
        [sys.executable, "-c", CHILD_MODULES, "fr"],
        input=given.getvalue(),
        capture_output=True,
        check=True,
    )
    said, messages = io.BytesIO(child.stdout), []
    while not messages or messages[-1][0] != DONE:  # the chain head as it was, 100 %, the end
        messages.append(read_frame(said))
    assert [message[0] for message in messages] == [HEAD, PROGRESS, DONE]
    assert messages[-1][1].lines == 0
    loaded = child.stderr.decode()
    assert "regie.ledger.journal_posting" in loaded and "regie.ledger.books" in loaded
    assert "sqlalchemy" not in loaded and "PySide6" not in loaded
    assert ".models" not in loaded
    # The snapshot's classes come from modules of their own, not from the child's module
    # imported a second time under its name (it runs as __main__).
    assert "'regie.ledger.journal_child'" not in loaded


def test_the_collector_is_set_back_after_an_import_good_or_refused(tmp_path: Path) -> None:
    assert gc.isenabled()
    db = fresh(tmp_path, "gc.sqlite3")
    with db.session() as session:
        import_journals(session, [festival_file(tmp_path, 300, 50)])
    assert gc.isenabled()
    bad = write_lines(tmp_path / "bad.jsonl", [line(1, "dance")])
    with db.session() as session, pytest.raises(JournalRejected):
        import_journals(session, [bad])
    assert gc.isenabled()
    db.dispose()


def test_an_import_in_a_window_task_leaves_the_collector_paused_as_the_task_wants(
    tmp_path: Path,
) -> None:
    db = fresh(tmp_path, "paused.sqlite3")
    gc.disable()  # what the window's worker does for the whole task
    try:
        with db.session() as session:
            import_journals(session, [festival_file(tmp_path, 300, 50)])
        assert not gc.isenabled()
    finally:
        gc.enable()
    db.dispose()


def test_a_frame_that_does_not_add_up_is_refused_not_read() -> None:
    # A row whose amount lost a bit between the two processes must never be written: the
    # importer takes a refused frame as the child's death (rolls back, imports alone).
    stream = io.BytesIO()
    write_frame(stream, [(1, 1, 7, "sale", 3000)])
    good = stream.getvalue()
    assert read_frame(io.BytesIO(good)) == [(1, 1, 7, "sale", 3000)]
    flipped = bytearray(good)
    flipped[-2] ^= 0x01  # in the body: the amount
    with pytest.raises(ValueError, match="abîmée"):
        read_frame(io.BytesIO(bytes(flipped)))
    with pytest.raises(EOFError):
        read_frame(io.BytesIO(good[:-3]))
    shorter = bytearray(good)
    shorter[0] -= 1  # the length itself: one byte of the body left unread
    with pytest.raises(ValueError, match="abîmée"):
        read_frame(io.BytesIO(bytes(shorter)))


def test_an_import_posted_by_a_second_process_is_synced_to_disk_once_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import writes with SQLite's NORMAL sync and syncs the journal's file once, when it
    # has committed. Its second process's rows are written inside a savepoint: the sync must
    # wait for the import's own commit, or its last rows are not on the disk when the office
    # is told they are.
    path = festival_file(tmp_path, 600, 40)
    db = fresh(tmp_path, "synced.sqlite3")
    committed_when_synced: list[int] = []
    real_sync = regie.db._sync_file

    def sync(wal: Path) -> None:
        with contextlib.closing(sqlite3.connect(tmp_path / "synced.sqlite3")) as other:
            (count,) = other.execute("SELECT count(*) FROM transfer").fetchone()
        committed_when_synced.append(count)
        real_sync(wal)

    monkeypatch.setattr(regie.db, "_sync_file", sync)
    with db.session() as session:
        result = import_journals(session, [path], mapper=Mapper())
    assert result.transfers > 500
    assert committed_when_synced == [result.transfers]  # once, every row committed
    db.dispose()


def test_an_import_s_pages_reach_the_base_file_after_it_returns_and_sqlite_checkpoints_again(
    tmp_path: Path,
) -> None:
    # The import returns once committed and its WAL synced; the copy of its pages into the
    # base file is done in the background. Once done, the base file alone (a copy a user
    # makes without the -wal file) holds the import; the connection the import used
    # checkpoints by itself again (the desk's commits keep the WAL small).
    path = festival_file(tmp_path, 600, 40)
    db = fresh(tmp_path, "checkpointed.sqlite3")
    with db.session() as session:
        result = import_journals(session, [path])
    regie.db.checkpoints_done()
    alone = tmp_path / "copy-without-wal.sqlite3"
    shutil.copyfile(tmp_path / "checkpointed.sqlite3", alone)
    with contextlib.closing(sqlite3.connect(alone)) as copy:
        (count,) = copy.execute("SELECT count(*) FROM transfer").fetchone()
    assert count == result.transfers > 500
    with db.session() as session:
        every = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert every == 1000  # SQLite's default, in pages
    db.dispose()

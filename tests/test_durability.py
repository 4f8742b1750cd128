"""What a power cut may take: nothing the desk said « OK » to, nothing a Z closed (SQLite
synchronous=FULL at their commit); an import keeps NORMAL while it writes and syncs once at
its end (an fsync of the WAL). Read from the real SQLite connection at each commit."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

import regie.db
from regie.db import Database
from regie.ledger.closures import close_z
from regie.ledger.desk import cash_topup
from regie.ledger.journal_import import import_journals
from regie.models import Organisation
from tests.ledger_fixtures import topup, write_lines

SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
ALICE = "04A1B2C3D4E5F6"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One base for the module: each test only adds to it."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('durable')}/regie.sqlite3")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def commits() -> Iterator[list[str]]:
    """The synchronous mode in effect as each unit of work commits, and the checkpoints."""
    seen: list[str] = []

    def before_commit(session: Session) -> None:
        mode = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        seen.append(SYNCHRONOUS[int(mode or 0)])

    class Syncs(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("journal SQLite synchronisé"):
                seen.append("sync")
            elif record.getMessage().startswith("point de contrôle du journal SQLite en"):
                seen.append("checkpoint after")

    handler, logger = Syncs(logging.DEBUG), logging.getLogger("regie.db")
    level, logger.level = logger.level, logging.DEBUG
    logger.addHandler(handler)
    event.listen(Session, "before_commit", before_commit)
    yield seen
    event.remove(Session, "before_commit", before_commit)
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_desk_top_up_and_a_z_commit_with_a_full_sync(base: Database, commits: list[str]) -> None:
    with base.session() as session:
        cash_topup(session, ALICE, 2000)
    with base.session() as session:
        close_z(session, "pos:Caisse centrale")
    with base.session() as session:  # the pooled connection is back to NORMAL
        pass
    assert commits == ["FULL", "FULL", "NORMAL"]


def test_a_durable_session_is_a_choice_of_its_own(base: Database, commits: list[str]) -> None:
    with base.session(durable=True):
        pass
    with base.session():
        pass
    assert commits == ["FULL", "NORMAL"]


def test_an_import_writes_at_normal_and_syncs_once_committed(
    base: Database, commits: list[str], tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "j.jsonl", [topup(n, ALICE, 100) for n in (1, 2, 3)])
    with base.session() as session:
        import_journals(session, [path])
    assert commits == ["NORMAL", "sync", "checkpoint after"]


def test_a_desk_operation_after_other_writes_syncs_once_committed(
    base: Database, commits: list[str]
) -> None:
    with base.session() as session:
        cash_topup(session, ALICE, 100)  # sets FULL before its transaction begins
        cash_topup(session, ALICE, 100)  # the same connection: FULL still
    with base.session() as session:
        session.add(Organisation(short_name="Asso", name="Une association"))
        session.flush()  # a write first: SQLite refuses to change the mode now
        cash_topup(session, ALICE, 300)
    # so the WAL is synced once committed; its few pages checkpointed by SQLite, as always
    assert commits == ["FULL", "NORMAL", "sync"]


def test_every_wait_for_the_checkpoints_outlasts_them_even_several_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A task disposing its copy of the base while the window disposes its own: neither may
    # return while an import's checkpoint still copies pages into the file.
    release = threading.Event()
    checkpoint = threading.Thread(target=release.wait, name="regie-checkpoint")
    checkpoint.start()
    monkeypatch.setattr(regie.db, "_checkpoints", [checkpoint])
    outlasted: list[bool] = []

    def dispose() -> None:
        regie.db.checkpoints_done()
        outlasted.append(not checkpoint.is_alive())

    waiters = [threading.Thread(target=dispose) for _ in range(4)]
    for waiter in waiters:
        waiter.start()
    while not all(_waiting_or_gone(waiter) for waiter in waiters):
        time.sleep(0.001)  # a yield: what is waited for is a state, not a moment
    release.set()
    for waiter in (*waiters, checkpoint):
        waiter.join()
    assert outlasted == [True] * 4


def _waiting_or_gone(thread: threading.Thread) -> bool:
    """The thread has ended, or it is blocked joining another one."""
    frame = sys._current_frames().get(thread.ident or 0)
    while frame is not None:
        if frame.f_code.co_name == "join" and frame.f_code.co_filename == threading.__file__:
            return True
        frame = frame.f_back
    return not thread.is_alive()


def test_the_sync_opens_the_wal_as_windows_can_flush_it(
    base: Database, commits: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows flushes a file (``FlushFileBuffers``, behind ``os.fsync``) only through a handle
    opened for writing, and refuses a read-only one. Linux accepts either: the rule is applied
    here as Windows applies it, else an import committed would end on an error there."""
    import errno
    import fcntl
    import os

    flush = os.fsync

    def fsync_as_windows(fd: int) -> None:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        flush(fd)

    monkeypatch.setattr(os, "fsync", fsync_as_windows)
    path = write_lines(tmp_path / "j.jsonl", [topup(n, ALICE, 100) for n in (11, 12)])
    with base.session() as session:
        import_journals(session, [path])
    assert commits == ["NORMAL", "sync", "checkpoint after"]

"""The journal read by two processes at once for ``regie ledger verify``: each reads half
of the transfers (:func:`regie.ledger.verify_pass.read_range`) through its own connection.

A small journal, or one only this process can see (an in-memory SQLite base), is read here
in the session's own transaction: starting a process costs more than reading it.

A child reads a SQLite base through ``apsw`` (it fetches a row in half the time of
``sqlite3``, and the child starts without SQLAlchemy); a PostgreSQL base through the
engine Régie uses everywhere.
"""

from __future__ import annotations

import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from regie.i18n import _
from regie.ledger.verify_pass import Plan, Reading, read_range
from regie.limits import SQLITE_BUSY_MS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PROCESSES = 2  # the office laptop's cores
SPLIT_FROM = 200_000  # transfers; below, one reading in this process is quicker


def read_journal(
    session: Session,
    plan: Plan,
    progress: Callable[[int], None] | None = None,
    *,
    processes: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Reading]:
    """``plan``'s transfers read in ``processes`` ranges (by default two from
    :data:`SPLIT_FROM` transfers on, one below), in order of their ids; ``meanwhile``: what
    this process does while other processes read (nothing else is done with it)."""
    url = session.connection().engine.url
    dialect = url.get_backend_name()
    count = processes or (PROCESSES if plan.last - plan.first + 1 >= SPLIT_FROM else 1)
    if dialect == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query or url.get_driver_name() != "pysqlite"
    ):  # a base only this process sees, or opened in a way a child's plain path would not
        count = 1
    if getattr(sys, "frozen", False):  # the bundled executable starts no Python child
        count = 1
    if count == 1:
        raw = session.connection().connection.driver_connection
        return [read_range(raw, dialect, plan, progress)]
    # SQLite: the file's path; PostgreSQL: the URL (its password too, through the pipe).
    target = url.database if dialect == "sqlite" else url.render_as_string(hide_password=False)
    return _in_children(dialect, str(target), _split(plan, count), progress, meanwhile)


def _split(plan: Plan, count: int) -> list[Plan]:
    size = -(-(plan.last - plan.first + 1) // count)
    firsts = range(plan.first, plan.last + 1, size)
    return [
        Plan(
            first=first,
            last=min(first + size - 1, plan.last),
            content_from=plan.content_from,
            sealed_heads=plan.sealed_heads,
            bounds=plan.bounds,
        )
        for first in firsts
    ]


def _in_children(
    dialect: str,
    target: str,
    plans: list[Plan],
    progress: Callable[[int], None] | None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Reading]:
    notes: queue.Queue[tuple[int, str, Any]] = queue.Queue()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "regie.ledger.verify_split"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _plan in plans
    ]
    listeners = []
    for index, (child, plan) in enumerate(zip(children, plans, strict=True)):
        assert child.stdin is not None
        # The URL (its password too) through the pipe: never on a command line.
        child.stdin.write(pickle.dumps((dialect, target, plan)))
        child.stdin.close()
        listener = threading.Thread(target=_listen, args=(index, child, notes), daemon=True)
        listener.start()
        listeners.append(listener)
    readings: dict[int, Reading] = {}
    try:
        if meanwhile is not None:
            meanwhile()
        while len(readings) < len(plans):
            index, kind, value = notes.get()
            if kind == "rows" and progress is not None:
                progress(value)
            elif kind == "failed":
                raise RuntimeError(
                    _("un processus de la vérification s'est arrêté : {reason}").format(
                        reason=value
                    )
                )
            elif kind == "done":
                readings[index] = value
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait()
        for listener in listeners:
            listener.join()
    return [readings[index] for index in range(len(plans))]


def _listen(index: int, child: subprocess.Popen[bytes], notes: queue.Queue[Any]) -> None:
    """One child's messages (pickles on its standard output) put on the parent's queue."""
    assert child.stdout is not None and child.stderr is not None
    try:
        while True:
            kind, value = pickle.load(child.stdout)
            notes.put((index, kind, value))
            if kind != "rows":
                return
    except (EOFError, pickle.UnpicklingError):
        said = child.stderr.read().decode(errors="replace").strip().splitlines()
        notes.put((index, "failed", said[-1] if said else f"code {child.wait()}"))


def main() -> None:
    """A child's whole life (``python -m regie.ledger.verify_split``): one connection, one
    range, its reading sent back."""
    dialect, target, plan = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer

    def send(kind: str, value: Any) -> None:
        pickle.dump((kind, value), out)
        out.flush()

    read = _read_sqlite if dialect == "sqlite" else _read_through_engine
    send("done", read(target, plan, lambda rows: send("rows", rows)))


def _read_sqlite(path: str, plan: Plan, progress: Callable[[int], None]) -> Reading:
    """``plan``'s range of the SQLite base at ``path``, read in one read transaction."""
    import apsw

    connection = apsw.Connection(path, flags=apsw.SQLITE_OPEN_READWRITE)
    try:
        connection.set_busy_timeout(SQLITE_BUSY_MS)  # a writer may be committing
        connection.execute("BEGIN")
        return read_range(connection, "sqlite", plan, progress)
    finally:
        connection.close()


def _read_through_engine(url: str, plan: Plan, progress: Callable[[int], None]) -> Reading:
    """``plan``'s range of the base at ``url`` (PostgreSQL), through Régie's engine."""
    from regie.db import make_engine

    engine = make_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            return read_range(raw.driver_connection, engine.dialect.name, plan, progress)
        finally:
            raw.close()
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()

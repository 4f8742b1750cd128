"""Engines, sessions and migrations: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

import atexit
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from regie.changed import watch as watch_changes
from regie.limits import SQLITE_BUSY_MS

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# ``revision: str = "0008"`` / ``down_revision: str | None = "0007"`` in a migration file
_REVISION = re.compile(r'^(down_)?revision\b[^=\n]*=\s*(?:"([^"\n]*)"|None)\s*$', re.M)

if TYPE_CHECKING:  # alembic takes 0.15 s to import: only when a migration must run
    from alembic.config import Config


class DatabaseError(Exception):
    """A database that cannot be reached or used, with a message for the user."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _fold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def _as_it_is(value: bytes | None) -> bytes | None:
    return value


# Python's sqlite3 binds an int, a float or a str as it is; for any other value (bytes, None)
# it first looks for an adapter, and when none is registered the look raises an AttributeError
# (its message formatted) that it then drops: 3 % of a big import's instructions (each transfer
# binds its chain hash, and a None where it belongs to no prestation). An adapter that gives
# the value back is found at once (a Python function: calling the type ``bytes`` costs more);
# what is stored does not change (tests/test_sqlite_binding.py).
sqlite3.register_adapter(bytes, _as_it_is)
sqlite3.register_adapter(type(None), _as_it_is)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's lower() folds ASCII only; names like « Écocup » need Unicode case folding.
    dbapi_connection.create_function("regie_fold", 1, _fold, deterministic=True)
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while an import writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    # 64 MiB of page cache (the default is 2 MiB): a festival's journal indexes stay in memory.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


# Durability on SQLite. NORMAL (the default, set above) is safe from corruption and fast, but a
# power cut may lose the last commits: an import can be run again, money handed over at the
# desk cannot. So a desk operation or a closure commits with FULL (the WAL synced before « OK »)
# and a bulk import keeps NORMAL while it writes, with one sync of the WAL once committed.
# PostgreSQL commits durably already (synchronous_commit = on).
_DURABLE = "regie_durable"


def durable_commit(session: Session) -> None:
    """This unit of work commits with a full sync: a power cut after « OK » loses nothing.

    SQLite lets the mode change only between transactions: when the session has written
    already, its WAL is synced once it commits instead (the same guarantee, one call later)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get(_DURABLE):
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        connection.exec_driver_sql("PRAGMA synchronous=FULL")
        connection.info[_DURABLE] = True  # back to NORMAL when the connection goes back
    else:
        sync_once_committed(session, bulk=False)


def sync_once_committed(session: Session, *, bulk: bool = True) -> None:
    """A bulk import: NORMAL while it writes, then one full sync of what it committed; the
    copy of its pages from the WAL into the base file (SQLite's checkpoint: as long again as
    the sync for a million rows) is done after, in the background (:func:`checkpoint_later`),
    as PostgreSQL's checkpointer does: what is committed and synced is safe either way.
    ``bulk=False`` (a desk operation's few rows): the sync only, the checkpoint as SQLite
    does it."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or session.info.get(_DURABLE):
        return
    session.info[_DURABLE] = True
    wal = Path(database + "-wal")
    if bulk:
        connection = session.connection()
        if not connection.info.get(_CHECKPOINT_LATER):
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")  # back once checked in
            connection.info[_CHECKPOINT_LATER] = True

    synced = False

    def sync(_session: Session) -> None:
        nonlocal synced
        # SQLAlchemy says « committed » when a savepoint is released too (the import's second
        # process writes inside one): nothing is committed until the outermost transaction is.
        if synced or session.in_nested_transaction():
            return
        synced = True
        session.info.pop(_DURABLE, None)
        _sync_file(wal)
        if bulk:
            checkpoint_later(database)

    event.listen(session, "after_commit", sync)


_CHECKPOINT_LATER = "regie_checkpoint_later"
_checkpoints: list[threading.Thread] = []  # started, not known to be over
_checkpoints_lock = threading.Lock()


def checkpoint_later(database: str) -> None:
    """Copy the committed pages of ``database``'s WAL into the file, in a thread with its own
    connection: a PASSIVE checkpoint, which never waits for a reader or a writer (the desk
    commits meanwhile) and is safe to cut short (the WAL keeps the pages until it is done)."""

    # mode=rw: a base removed or moved meanwhile is not made again, empty; the path taken
    # now, whatever the working directory becomes
    uri = f"file:{quote(os.path.abspath(database))}?mode=rw"

    def run() -> None:
        try:
            with closing(sqlite3.connect(uri, uri=True)) as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:  # the next commit's automatic checkpoint does it
            log.info("point de contrôle du journal SQLite remis à plus tard : %s", error)

    thread = threading.Thread(target=run, name="regie-checkpoint", daemon=True)
    log.debug("point de contrôle du journal SQLite en arrière-plan : %s", database)
    with _checkpoints_lock:  # started and listed at once: a waiter never meets it unstarted
        thread.start()
        _checkpoints[:] = [*(t for t in _checkpoints if t.is_alive()), thread]


def checkpoints_done() -> None:
    """Wait for the checkpoints :func:`checkpoint_later` started. Every caller waits for all
    of them (a task disposing its copy of the base while the window disposes its own)."""
    with _checkpoints_lock:
        running = list(_checkpoints)
    for thread in running:
        thread.join()
    with _checkpoints_lock:
        _checkpoints[:] = [t for t in _checkpoints if t.is_alive()]


atexit.register(checkpoints_done)  # a command ends once its base file is written


def _sync_file(path: Path) -> None:
    """fsync ``path`` (the committed frames of the WAL) if it is there. Opened for writing:
    Windows flushes a file only through a handle that may write it (``FlushFileBuffers``)."""
    try:
        handle = os.open(path, os.O_RDWR)
    except FileNotFoundError:  # checkpointed and removed: the base file is synced already
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
    log.debug("journal SQLite synchronisé : %s", path)


# A bulk import on SQLite checks its foreign keys once, over the rows it wrote, before it
# commits: row by row they cost a sixth of the import (five look-ups per transfer).
_KEYS_LATER = "regie_keys_later"


def foreign_keys_checked_by_caller(session: Session) -> bool:
    """SQLite: turn this unit of work's per-row foreign-key checks off (the caller checks its
    rows before it commits). Only before the connection's transaction began (SQLite ignores
    the switch inside one): False then, and on PostgreSQL. Back on once the connection goes
    back to the pool, whatever happened."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    if connection.info.get(_KEYS_LATER):
        return True
    dbapi = connection.connection.dbapi_connection
    if dbapi is None or dbapi.in_transaction:
        return False
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.info[_KEYS_LATER] = True
    return True


def _normal_again(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is None:
        return
    if record.info.pop(_DURABLE, False):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    if record.info.pop(_KEYS_LATER, False):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
    if record.info.pop(_CHECKPOINT_LATER, False):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=1000")  # SQLite's default


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` as users write it and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _normal_again)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it already is)."""
    if _at_newest(engine):  # every start: decided without importing alembic
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _newest_on_disk() -> str | None:
    """The one newest revision, read from the migration files' text; None when they do not
    say it plainly (a merge, an odd file): alembic decides then."""
    revisions: set[str | None] = set()
    parents: set[str | None] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = {bool(m[1]): m[2] for m in _REVISION.finditer(path.read_text("utf-8"))}
        if found.get(False) is None or True not in found:
            return None
        revisions.add(found[False])
        parents.add(found[True])
    newest = revisions - parents
    return newest.pop() if len(newest) == 1 else None


def _at_newest(engine: Engine) -> bool:
    newest = _newest_on_disk()
    if newest is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # a new database: no table yet
        return False
    return [row[0] for row in rows] == [newest]


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    return SchemaState(current=current_revision(engine), head=head_revision())


class Database:
    """An engine plus its session factory; what every operation receives."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        # The composition roots install the audit trail (regie.audit.recorder.install_audit).
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        watch_changes(self.engine)  # every operation's writes, for the window's screens

    @property
    def display_name(self) -> str:
        """The URL without its password, for the status bar and messages."""
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            return f"SQLite {parsed.database}"
        return parsed.render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, durable: bool = False) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error.
        ``durable``: committed with a full sync (see :func:`durable_commit`)."""
        with self._sessions() as session, session.begin():
            if durable:
                durable_commit(session)
            yield session

    def upgrade(self) -> None:
        upgrade(self.engine)

    def schema_state(self) -> SchemaState:
        return schema_state(self.engine)

    def dispose(self) -> None:
        """Close every connection. On SQLite the last one to close folds the WAL into the
        base file, once the background checkpoints are done: the file alone is then whole."""
        checkpoints_done()
        self.engine.dispose()

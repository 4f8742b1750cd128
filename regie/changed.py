"""What an operation changed: the entities (tables) it wrote and their ids where known.

Like Anki's ``OpChanges``: the window runs an operation, gets back what it changed, and each
screen decides whether it must read again (a change of cards does not reload the invoices).
Nobody has to remember to say it: the unit of work does. ``watch`` (installed by
``Database``) listens to every session flush (the ORM objects written, with their ids) and
every statement sent to the database (the tables an INSERT, UPDATE or DELETE touched, bulk
ones included); the ledger's raw bulk writes ``note`` theirs. The notices go to the
``recording()`` open in the current context (a window task opens one around its work), or,
outside any, to one shared pot that the window empties when a screen says it wrote
(``take_unrecorded``): writes on the GUI thread, in a device's thread, in a pool a core
operation starts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session, UOWTransaction

# "INSERT INTO card", "UPDATE card SET", "DELETE FROM card", quoted or not, any case.
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Changes:
    """The entities an operation wrote (table names: ``transfer``, ``card``, ``invoice``…)
    and, per entity, the ids written when they are known (ranges, so a million transfers
    cost two numbers). ``everything``: the whole base changed (a restore)."""

    entities: frozenset[str] = frozenset()
    ids: Mapping[str, tuple[range, ...]] = field(default_factory=dict)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.entities)

    def concerns(self, entities: Iterable[str]) -> bool:
        """True if any of ``entities`` changed."""
        return self.everything or not self.entities.isdisjoint(entities)

    def ids_of(self, entity: str) -> tuple[range, ...]:
        """The ids of ``entity`` written, as ranges; () when unknown or unchanged."""
        return self.ids.get(entity, ())

    def lowest_id(self, entity: str) -> int | None:
        spans = self.ids_of(entity)
        return min(span.start for span in spans) if spans else None

    def merged(self, other: Changes) -> Changes:
        pot = Recording()
        for changes in (self, other):
            pot.add_changes(changes)
        return pot.changes()


NOTHING = Changes()
EVERYTHING = Changes(everything=True)


class Recording:
    """The changes noted while it is open; thread-safe (a fleet push writes from a pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entities: set[str] = set()
        self._ids: dict[str, list[range]] = {}
        self._everything = False

    def add(self, entity: str, ids: Iterable[int] | range = ()) -> None:
        spans = [ids] if isinstance(ids, range) else [range(i, i + 1) for i in ids]
        with self._lock:
            self._entities.add(entity)
            if spans:
                self._ids.setdefault(entity, []).extend(s for s in spans if len(s))

    def add_changes(self, changes: Changes) -> None:
        with self._lock:
            self._everything |= changes.everything
            self._entities |= changes.entities
            for entity, spans in changes.ids.items():
                self._ids.setdefault(entity, []).extend(spans)

    def changes(self) -> Changes:
        with self._lock:
            ids = {entity: _joined(spans) for entity, spans in self._ids.items() if spans}
            return Changes(entities=frozenset(self._entities), ids=ids, everything=self._everything)

    def take(self) -> Changes:
        """What was noted, and start afresh."""
        with self._lock:
            ids = {entity: _joined(spans) for entity, spans in self._ids.items() if spans}
            taken = Changes(
                entities=frozenset(self._entities), ids=ids, everything=self._everything
            )
            self._entities, self._ids, self._everything = set(), {}, False
        return taken


def _joined(spans: list[range]) -> tuple[range, ...]:
    """Sorted, touching and overlapping ranges joined: ids 1, 2, 3 make range(1, 4)."""
    joined: list[range] = []
    for span in sorted(spans, key=lambda s: s.start):
        if joined and span.start <= joined[-1].stop:
            last = joined[-1]
            joined[-1] = range(last.start, max(last.stop, span.stop))
        else:
            joined.append(span)
    return tuple(joined)


_current: ContextVar[Recording | None] = ContextVar("regie_changes", default=None)
_unrecorded = Recording()


@contextmanager
def recording() -> Iterator[Recording]:
    """Note in a fresh ``Recording`` what the block (in this thread or context) writes."""
    pot = Recording()
    token = _current.set(pot)
    try:
        yield pot
    finally:
        _current.reset(token)


def note(entity: str, ids: Iterable[int] | range = ()) -> None:
    """Say that ``entity`` was written (with these ids, when known)."""
    (_current.get() or _unrecorded).add(entity, ids)


def take_unrecorded() -> Changes:
    """What was written outside any recording since the last call."""
    return _unrecorded.take()


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    pot = _current.get() or _unrecorded
    dirty = [obj for obj in session.dirty if session.is_modified(obj)]
    for objects in (session.new, dirty, session.deleted):
        for obj in objects:
            mapper = inspect(obj).mapper
            table = getattr(mapper.local_table, "name", None)
            if table is None:
                continue
            key = mapper.primary_key_from_instance(obj)
            pot.add(table, [key[0]] if len(key) == 1 and type(key[0]) is int else [])


def _after_cursor_execute(
    _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    found = _WRITE.match(statement)
    if found is not None:
        note(found[1].lower())


def watch(engine: Engine) -> None:
    """Note what every session and every statement of ``engine`` writes (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(engine, "after_cursor_execute", _after_cursor_execute):
        event.listen(engine, "after_cursor_execute", _after_cursor_execute)


def entities(names: str) -> frozenset[str]:
    """The tables named, separated by spaces."""
    return frozenset(names.split())


# The tables each section of the window shows, for its screens that do not say more precisely
# (a screen's CONCERNS): an import of transfers leaves the inventory alone, a loan the ledger.
INVENTORY = entities(
    "asset asset_category asset_event asset_model asset_share audit audit_scan booking "
    "incident kit loan loan_line location stock_lot organisation prestation "
    "convention_setting settlement_record"
)
LEDGER = entities(
    "transfer account balance closure ledger_asset ledger_head ledger_source pos product "
    "sales_summary refund_item refund_run card card_event card_return organisation "
    "prestation convention_setting terminal terminal_pull"
)
CARDS = LEDGER | entities("card_batch staff_card terminal_config asset")

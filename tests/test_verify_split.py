"""`regie verify` read by two processes (each half of the journal checked against the stored
hash before it) says exactly what one reading says: the same first broken record, the same
Z figures recomputed from one grouped reading, the same caches — and its progress moves."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from regie.db import Database
from regie.ledger.verify import verify
from regie.ledger.verify_pass import Plan
from regie.ledger.verify_split import _in_children
from tests.seal_fixtures import sealed, tamper

__all__ = ["sealed"]

# Around the middle of the sealed base (the two halves' seam) and at its ends.
KINDS = {
    "nothing": (),
    "amount edited in the second half": (
        "UPDATE transfer SET amount = amount + 100 WHERE id = (SELECT MAX(id) - 3 FROM transfer)",
    ),
    "first transfer of the second half deleted": (
        "DELETE FROM transfer WHERE id = (SELECT last_transfer_id / 2 + 1 FROM ledger_head)",
    ),
    "last transfer of the first half deleted": (
        "DELETE FROM transfer WHERE id = (SELECT (last_transfer_id + 1) / 2 FROM ledger_head)",
    ),
    "last transfer deleted": ("DELETE FROM transfer WHERE id = (SELECT MAX(id) FROM transfer)",),
    "sales summary edited": (
        "UPDATE sales_summary SET quantity = quantity + 1 WHERE product = "
        "(SELECT MIN(product) FROM sales_summary)",
    ),
    "cached balance edited": (
        "UPDATE balance SET amount = amount + 1 WHERE account_id = "
        "(SELECT MAX(account_id) FROM balance)",
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_two_processes_find_what_one_finds(sealed: Database, kind: str) -> None:
    if KINDS[kind]:
        with sealed.session() as session:
            tamper(session, *KINDS[kind])
    notes: list[tuple[int, int]] = []
    with sealed.session() as session:
        alone = verify(session, processes=1)
    with sealed.session() as session:
        split = verify(session, lambda done, total: notes.append((done, total)), processes=2)
    assert split.problems == alone.problems
    assert (split.transfers, split.closures) == (alone.transfers, alone.closures)
    assert alone.ok == (kind == "nothing")
    assert notes and notes[-1][0] == split.transfers  # the bar reaches its end


def test_a_reading_process_that_fails_is_said_not_waited_for(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a base without a journal: the child's query fails
    plan = Plan(first=1, last=10, content_from=1, sealed_heads=frozenset(), bounds=())
    with pytest.raises(RuntimeError, match=r"processus de la vérification.*no such table"):
        _in_children("sqlite", str(empty), [plan, plan], None)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_base_opened_through_a_uri_is_read_where_it_was_opened(sealed: Database) -> None:
    """A child would open the plain file name: a URL with options is read in this process."""
    with sealed.session() as session:
        alone = verify(session, processes=1)
    path = sealed.url.removeprefix("sqlite:///")
    through_uri = Database(f"sqlite:///file:{path}?uri=true")
    with through_uri.session() as session:
        asked_for_two = verify(session, processes=2)
    through_uri.dispose()
    assert asked_for_two.ok and alone.ok
    assert asked_for_two.transfers == alone.transfers > 0

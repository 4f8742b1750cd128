"""Fuzzing a backup before it is restored: bytes flipped or cut, values of the wrong type or
size in the ledger's columns. Whatever the file holds, the restore is refused in words
(RestoreRefused naming the file) or the copy checks out; the base in place is never touched."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from regie.backups.copies import back_up
from regie.backups.restore import RestoreRefused, prepare_restore
from regie.db import Database
from tests.fuzz_support import EDGE_INTS, NASTY_TEXTS, fuzz_settings
from tests.ledger_fixtures import import_file, topup, write_lines

CARD = "04A1B2C3D4E5F6"
# Ledger columns a hand with the file could write anything into (triggers dropped first).
COLUMNS = [
    ("transfer", "amount"),
    ("transfer", "at"),
    ("transfer", "asset_id"),
    ("transfer", "hash"),
    ("transfer", "details"),
    ("balance", "amount"),
    ("ledger_head", "last_transfer_id"),
    ("ledger_head", "last_hash"),
    ("account", "name"),
]


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A small base with a few top-ups, and a backup of it."""
    folder = tmp_path_factory.mktemp("backup-fuzz")
    db = Database(f"sqlite:///{folder / 'regie.sqlite3'}")
    db.upgrade()
    import_file(db, write_lines(folder / "j.jsonl", [topup(n, CARD, 100 * n) for n in (1, 2, 3)]))
    backup = back_up(db.url, folder / "sauvegardes").path
    url = db.url
    db.dispose()
    yield url, backup


def encodable(text: str) -> bool:
    return not any("\ud800" <= c <= "\udfff" for c in text)  # what sqlite3 can write


def restore_refused_or_checked(url: str, path: Path) -> None:
    try:
        plan = prepare_restore(url, path)
    except RestoreRefused as refused:
        assert str(path) in str(refused) and "inattendue" not in str(refused)
        return
    plan.discard()


BYTE_EDITS = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2**20), st.binary(min_size=1, max_size=8)),
    min_size=1,
    max_size=4,
)


@fuzz_settings(20)
@given(edits=BYTE_EDITS, cut=st.none() | st.integers(min_value=0, max_value=2**20))
@example(edits=[(0, b"SQLite format 3\x00")], cut=100)
def test_a_backup_with_bytes_flipped_or_cut_is_refused_in_words(
    original: tuple[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    edits: list,
    cut: int | None,
) -> None:
    url, backup = original
    data = bytearray(backup.read_bytes())
    for offset, chunk in edits:
        at = offset % len(data)
        data[at : at + len(chunk)] = chunk
    path = tmp_path_factory.mktemp("flipped") / backup.name
    path.write_bytes(bytes(data[:cut] if cut is not None else data))
    restore_refused_or_checked(url, path)


@fuzz_settings(6)
@given(
    column=st.sampled_from(COLUMNS),
    value=st.one_of(
        EDGE_INTS, NASTY_TEXTS.filter(encodable), st.binary(max_size=40), st.none(), st.floats()
    ),
)
@example(column=("transfer", "amount"), value=2**63 - 1)
@example(column=("transfer", "amount"), value="cent")
@example(column=("ledger_head", "last_transfer_id"), value=None)
def test_a_backup_with_values_of_any_type_in_its_ledger_is_refused_in_words(
    original: tuple[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    column: tuple[str, str],
    value: object,
) -> None:
    url, backup = original
    path = tmp_path_factory.mktemp("edited") / backup.name
    shutil.copyfile(backup, path)
    edited = sqlite3.connect(path)
    for (trigger,) in edited.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        edited.execute(f'DROP TRIGGER "{trigger}"')
    table, name = column
    with contextlib.suppress(sqlite3.IntegrityError):  # NOT NULL: SQLite keeps that one out
        edited.execute(f"UPDATE {table} SET {name} = ? WHERE rowid = 1", (value,))
    edited.commit()
    edited.close()
    restore_refused_or_checked(url, path)

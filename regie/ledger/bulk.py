"""Fast writes through the database driver: binary COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from regie.changed import note


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Append rows to a table in the session's transaction."""
    if not rows:
        return
    note(table)  # under SQLAlchemy's events: said here
    raw = session.connection().connection.driver_connection
    assert raw is not None
    if dialect(session) == "postgresql":
        with raw.cursor() as cursor:
            types = _column_types(cursor, table, columns)
            # Binary: no text to print and parse again for a million numbers and hashes.
            with cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _column_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    """The PostgreSQL type (oid) of each column, as binary COPY must be told."""
    return [oid for oid, _name in _typed(cursor, table, columns)]


_TYPES: dict[tuple[str, tuple[str, ...]], list[tuple[int, str]]] = {}


def _typed(cursor: Any, table: str, columns: Sequence[str]) -> list[tuple[int, str]]:
    """Each column's type (oid, name); asked once per table and columns: Régie's tables use
    PostgreSQL's built-in types, whose oids are the same in every database."""
    key = (table, tuple(columns))
    if key not in _TYPES:
        _TYPES[key] = _ask_types(cursor, table, columns)
    return _TYPES[key]


def _ask_types(cursor: Any, table: str, columns: Sequence[str]) -> list[tuple[int, str]]:
    cursor.execute(
        "SELECT attname, atttypid, format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (table,),
    )
    found = {name: (int(oid), str(type_name)) for name, oid, type_name in cursor.fetchall()}
    return [found[column] for column in columns]


def upsert_rows(
    session: Session,
    table: str,
    key: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    add: Sequence[str] = (),
    keep_existing: bool = False,
) -> None:
    """Insert or update by key; ``add`` columns are summed, others replaced.

    With ``keep_existing``, rows whose key exists are left as they are.
    """
    if not rows:
        return
    note(table)  # under SQLAlchemy's events: said here
    raw = session.connection().connection.driver_connection
    assert raw is not None
    updates = ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" if c in add else f"{c} = excluded.{c}"
        for c in columns
        if c not in key
    )
    action = "DO NOTHING" if keep_existing else f"DO UPDATE SET {updates}"
    into = f"INSERT INTO {table} ({', '.join(columns)}) "
    conflict = f" ON CONFLICT ({', '.join(key)}) {action}"
    if dialect(session) == "postgresql":
        # One statement over arrays, not one per row: a flush touches thousands of wallets.
        with raw.cursor() as cursor:
            arrays = ", ".join(f"%s::{name}[]" for _oid, name in _typed(cursor, table, columns))
            cursor.execute(
                f"{into}SELECT * FROM unnest({arrays}){conflict}",
                [list(column) for column in zip(*rows, strict=True)],
            )
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"{into}VALUES ({marks}){conflict}", rows)

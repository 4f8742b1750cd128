"""Fast writes through the database driver: COPY on PostgreSQL, executemany on SQLite."""

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
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


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
    mark = "%s" if dialect(session) == "postgresql" else "?"
    updates = ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" if c in add else f"{c} = excluded.{c}"
        for c in columns
        if c not in key
    )
    action = "DO NOTHING" if keep_existing else f"DO UPDATE SET {updates}"
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) {action}"
    )
    if dialect(session) == "postgresql":
        with raw.cursor() as cursor:
            cursor.executemany(sql, rows)
    else:
        raw.executemany(sql, rows)

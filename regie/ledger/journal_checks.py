"""The foreign keys of an import, checked once over the rows it wrote.

On SQLite an import turns the per-row checks off (:func:`regie.db.foreign_keys_checked_by_
caller`): done while inserting, the look-ups cost a little more than one pass over the new
rows afterwards (200,000 lines in one process on a loaded 2-core machine: 7.5–7.9 s of CPU
against 7.9–8.1 s; the issue measured 1.5 s per million on a quiet one). Before it commits,
one query walks the new transfers (the id range the import wrote: an earlier festival's rows
are not read again) with every key at once, and ``PRAGMA foreign_key_check`` reads the small
tables it touched. Nothing found is what the writer guarantees: a row found is a defect of
Régie, and the import is refused whole.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy import text
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import _

# transfer's foreign keys: (column, the table it points to, whether it may be NULL)
TRANSFER_KEYS = (
    ("source_id", "ledger_source", False),
    ("debit_id", "account", False),
    ("credit_id", "account", False),
    ("asset_id", "ledger_asset", False),
    ("pos_id", "pos", True),
    ("event_id", "prestation", True),
)
CACHES = ("balance", "sales_summary", "account")


def _missing(column: str, table: str, nullable: bool) -> str:
    missing = f"NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.id = transfer.{column})"
    return f"(transfer.{column} IS NOT NULL AND {missing})" if nullable else missing


MISSING = [_missing(*key) for key in TRANSFER_KEYS]


class BrokenKeys(UserError):
    """Rows pointing at nothing: the import is refused, nothing of it is kept."""


def check_new_rows(session: Session, first_id: int, last_id: int | None = None) -> None:
    """Raise BrokenKeys when a transfer from ``first_id`` on (to ``last_id``), or a cache
    row, points at a row that does not exist (SQLite only: PostgreSQL checks every row)."""
    check_new_transfers(session, first_id, last_id)
    check_caches(session)


def check_new_transfers(session: Session, first_id: int, last_id: int | None = None) -> None:
    """The transfers' part: one scan of the new rows, every key at once (a million rows:
    about a second); which key is broken is asked only when one is. (An import posted by a
    second process needs no scan: the importer checks each transfer's keys as it seals it,
    :class:`regie.ledger.posting.Sealer`.)"""
    if session.get_bind().dialect.name != "sqlite":
        return
    found = session.execute(
        text(
            "SELECT min(id) FROM transfer WHERE id BETWEEN :first AND :last "
            f"AND ({' OR '.join(MISSING)})"
        ),
        {"first": first_id, "last": 2**63 - 1 if last_id is None else last_id},
    ).scalar()
    if found is not None:
        refuse(
            [
                f"transfer n°{found}.{column}"
                for (column, _table, _nullable), missing in zip(TRANSFER_KEYS, MISSING, strict=True)
                if session.execute(
                    text(f"SELECT 1 FROM transfer WHERE id = :id AND {missing}"), {"id": found}
                ).first()
            ]
        )


def check_caches(session: Session) -> None:
    """The small tables an import touched, by ``PRAGMA foreign_key_check`` (SQLite only)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    broken = [
        f"{row[0]} rowid {row[1]} → {row[2]}"
        for table in CACHES
        for row in session.execute(text(f"PRAGMA foreign_key_check({table})"))
    ]
    if broken:
        refuse(broken)


def refuse(broken: list[str]) -> NoReturn:
    """Refuse the import: rows pointing at nothing (say the first five)."""
    raise BrokenKeys(
        _("import refusé, rien n'a été importé : lignes sans leur référence ({rows})").format(
            rows=", ".join(broken[:5])
        )
    )

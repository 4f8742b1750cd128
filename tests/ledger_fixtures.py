"""Shared set-up for the ledger tests: a migrated database and journal files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.simulate import Festival, write_journal


@pytest.fixture
def ledger(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()


def write_lines(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def festival_file(tmp_path: Path, transactions: int = 3000, cards: int = 300) -> Path:
    path = tmp_path / f"festival-{transactions}.jsonl"
    write_journal(Festival(transactions=transactions, cards=cards), str(path))
    return path


def import_file(db: Database, path: Path) -> object:
    with db.session() as session:
        return import_journals(session, [path])


def line(seq: int, op: str, **fields: Any) -> dict[str, Any]:
    base = {
        "v": 1,
        "terminal": "SUNMI-V2S-07",
        "seq": seq,
        "at": "2026-07-12T21:04:33+02:00",
        "op": op,
        "pos": "Bar Nord",
    }
    base.update(fields)
    return base


def topup(
    seq: int, card: str, amount: int, asset: str = "EUR", pay: str = "cash"
) -> dict[str, Any]:
    return line(seq, "topup", card=card, asset=asset, amount=amount, pay=pay, pos="Caisse centrale")


def sale(seq: int, card: str, amount: int, asset: str = "EUR", **extra: Any) -> dict[str, Any]:
    lines = [{"product": "Bière 25cl", "qty": 1, "unit": amount, "vat": 2000}]
    return line(
        seq, "sale", card=card, asset=asset, amount=amount, pay="cashless", lines=lines, **extra
    )


def tamper(session: Session, sql: str) -> None:
    """Change the journal behind the ledger's back, as someone with the database file would."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE transfer DISABLE TRIGGER ALL"))
        session.execute(text("ALTER TABLE closure DISABLE TRIGGER ALL"))
    else:
        for name in ("transfer_no_update", "transfer_no_delete", "closure_no_update"):
            session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    session.execute(text(sql))

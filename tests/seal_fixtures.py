"""A sealed base for the tampering tests: the demo season plus people, a credit note and a
last Z, built once per test process and backend, then copied for each kind of tampering."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from regie.db import Database
from regie.ledger.closures import close_z
from regie.ledger.desk import cash_topup
from regie.people.actor import acting_as, sign_in
from regie.people.directory import add_person
from regie.settlement.invoices import credit_invoice
from tests.inventory_fixtures import _postgres_copy, _sqlite_template, copy_database

_sealed: dict[str, str] = {}

# What the database refuses: dropped (SQLite) or disabled (PostgreSQL) before tampering.
TRIGGERS = {
    "transfer": ("transfer_no_update", "transfer_no_delete"),
    "closure": ("closure_no_update", "closure_no_delete"),
    "audit_trail": ("audit_trail_no_update", "audit_trail_no_delete"),
    "z_signature": ("z_signature_no_update", "z_signature_no_delete"),
    "seal_record": ("seal_record_no_update", "seal_record_no_delete"),
}


def tamper(session: Session, *statements: str) -> None:
    """Change the base behind Régie's back, as someone holding the database file would."""
    if session.get_bind().dialect.name == "postgresql":
        for table in TRIGGERS:
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
    else:
        for names in TRIGGERS.values():
            for name in names:
                session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    for sql in statements:
        session.execute(text(sql))


def _seal_more(db: Database) -> None:
    """People (an admin, an operator), a credit note and one more Z, under a base identity of
    this module's own: the demo's copies elsewhere close other Z of their own."""
    with db.session() as session:
        session.execute(text(f"UPDATE ledger_head SET base_id = '{uuid.uuid4()}'"))
        credit_invoice(session, "F-2026-0003", issuer="Rockstore", reason="annulée")
        cash_topup(session, "04A1B2C3D4E5F6", 2000, key="seal-topup-1", pos="Caisse centrale")
        close_z(session, "pos:Caisse centrale")
        add_person(session, "Alice", "admin", "482913")
    alice = sign_in(db, "Alice", "482913")
    with acting_as(alice), db.session() as session:
        add_person(session, "Bob", "operator", "730146")


def _sqlite_sealed(factory: pytest.TempPathFactory) -> str:
    if "sqlite" not in _sealed:
        path = factory.mktemp("sealed-template") / "sealed.sqlite3"
        shutil.copyfile(_sqlite_template(factory), path)
        db = Database(f"sqlite:///{path}")
        _seal_more(db)
        db.dispose()
        _sealed["sqlite"] = str(path)
    return _sealed["sqlite"]


def _postgres_sealed(cluster: Any) -> str:
    if "postgresql" not in _sealed:
        db = Database(_postgres_copy(cluster))
        _seal_more(db)
        db.dispose()
        _sealed["postgresql"] = str(db.engine.url.database)
    return copy_database(cluster, _sealed["postgresql"])


@pytest.fixture
def sealed(request: pytest.FixtureRequest, db_url: str) -> Iterator[Database]:
    """A fresh copy of the sealed base, on SQLite and PostgreSQL."""
    if db_url.startswith("sqlite"):
        target = db_url.removeprefix("sqlite:///")
        shutil.copyfile(_sqlite_sealed(request.getfixturevalue("tmp_path_factory")), target)
        db = Database(db_url)
    else:
        db = Database(_postgres_sealed(request.getfixturevalue("postgres")))
    yield db
    db.dispose()

"""Migration 0014 on a base holding a journal: the transfers, their chain and their keys
come through the upgrade and the downgrade unchanged, the journal stays append-only, and a
key is still unique (NULLs aside)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from regie.db import Database, alembic_config
from regie.ledger.desk import cash_topup
from regie.ledger.verify import verify
from tests.ledger_fixtures import festival_file, import_file


def migrate(db: Database, to: str, *, down: bool = False) -> None:
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, to)


def journal(db: Database) -> list[tuple[object, ...]]:
    with db.engine.connect() as connection:
        return list(connection.execute(text("SELECT * FROM transfer ORDER BY id")))


def refused(db: Database, sql: str) -> bool:
    try:
        with db.engine.begin() as connection:
            connection.execute(text(sql))
    except DatabaseError:
        return True
    return False


def test_0014_keeps_the_journal_and_its_rules_both_ways(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    migrate(db, "0013")
    import_file(db, festival_file(tmp_path, 400, 60))
    with db.session() as session:
        cash_topup(session, "04A1B2C3D4E5F6", 500, key="desk-1")
    before = journal(db)
    assert len(before) > 400 and sum(row.idem_key is not None for row in before) == 1

    migrate(db, "0014")
    assert journal(db) == before
    with db.session() as session:
        assert verify(session).ok
    assert refused(db, "UPDATE transfer SET amount = amount + 1 WHERE id = 1")
    assert refused(db, "DELETE FROM transfer WHERE id = 1")
    copy = (
        "INSERT INTO transfer (id, link_id, source_id, seq, leg, op, method, at, tz_minutes, "
        "debit_id, credit_id, asset_id, amount, idem_key, details, hash) SELECT id + 100000, "
        "link_id, source_id, seq + 100000, leg, op, method, at, tz_minutes, debit_id, "
        "credit_id, asset_id, amount, {key}, details, hash FROM transfer WHERE id = {id}"
    )
    keyed = next(row.id for row in before if row.idem_key is not None)
    assert refused(db, copy.format(key="idem_key", id=keyed))  # the same key twice
    assert not refused(db, copy.format(key="NULL", id=1))  # NULLs are many
    if db.url.startswith("sqlite"):
        with db.engine.connect() as connection:
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'transfer'")
            ).scalar_one()
        assert "id INTEGER NOT NULL" in sql  # the rowid itself

    migrate(db, "0013", down=True)
    after = journal(db)
    assert after[: len(before)] == before
    assert refused(db, "DELETE FROM transfer WHERE id = 1")
    assert refused(db, copy.format(key="idem_key", id=keyed).replace("100000", "200000"))
    db.dispose()

"""The schema comes from Alembic migrations, identically on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from regie.db import Database, alembic_config, head_revision
from regie.schema import Base


def test_upgrade_creates_every_table_at_the_head_revision(db_url: str) -> None:
    db = Database(db_url)
    assert db.schema_state().current is None
    db.upgrade()
    assert db.schema_state().current == head_revision()
    assert db.schema_state().up_to_date
    tables = set(inspect(db.engine).get_table_names())
    assert {"organisation", "prestation", "asset", "asset_model", "stock_lot"} <= tables
    db.upgrade()  # a second upgrade is a no-op, not an error
    assert db.schema_state().up_to_date


def test_migrations_match_the_models_exactly(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_nothing_and_back(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert "asset" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert "asset" in inspect(db.engine).get_table_names()


def test_foreign_keys_are_enforced(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prestation (name, client_id, starts_on, ends_on, place, notes) "
                "VALUES ('Fantôme', 999, '2026-07-01', '2026-07-02', '', '')"
            )
        )


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1

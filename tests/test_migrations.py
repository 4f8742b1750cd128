"""The schema comes from Alembic migrations, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

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


def keys_by_trigger(dialect: str) -> Callable[..., bool]:
    """What the comparison looks at: on PostgreSQL, migration 0015 checks the transfer's six
    keys by triggers (once per statement) where the models declare foreign keys."""
    by_trigger = {
        "fk_transfer_source_id_ledger_source",
        "fk_transfer_debit_id_account",
        "fk_transfer_credit_id_account",
        "fk_transfer_asset_id_ledger_asset",
        "fk_transfer_pos_id_pos",
        "fk_transfer_event_id_prestation",
    }

    def include(_item: object, name: str | None, kind: str, *_more: object) -> bool:
        return not (
            dialect == "postgresql" and kind == "foreign_key_constraint" and name in by_trigger
        )

    return include


def test_migrations_match_the_models_exactly(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": keys_by_trigger(connection.dialect.name)}
        )
        diff = compare_metadata(context, Base.metadata)
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


def test_upgrading_a_festival_base_keeps_its_events_figures(db_url: str) -> None:
    """A base made before the season (0009): its partner's own festival becomes an own
    event, its sales of the day after the last day stay the festival's, and a statement
    recorded with a typed turnover keeps its base and what it recovered."""
    db = Database(db_url)
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    sold_at = 1_783_951_200  # 2026-07-13 14:00 UTC = 16:00 at UTC+2: the day after the last
    with db.engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO organisation (id, short_name, name, legal_form, siret, vat_number, "
                "address, email, notes) VALUES "
                "(1, 'Mamasound', 'Collectif Mamasound', '', '', '', '', '', ''), "
                "(2, 'Asso', 'Une association', '', '', '', '', '', '')"
            )
        )
        run(
            text(
                "INSERT INTO prestation (id, name, client_id, starts_on, ends_on, place, notes) "
                "VALUES (1, 'Fête maison', 1, '2026-07-10', '2026-07-12', '', ''), "
                "(2, 'Prestation', 2, '2026-05-29', '2026-05-31', '', '')"
            )
        )
        run(text("INSERT INTO ledger_source (id, name, kind) VALUES (1, 'T1', 'terminal')"))
        run(
            text(
                "INSERT INTO account (id, name, kind, may_go_negative) VALUES "
                "(900, 'wallet:04AA', 'wallet', false), (901, 'pos:Bar:revenue', 'pos', true)"
            )
        )
        asset = run(text("SELECT id FROM ledger_asset WHERE code = 'EUR'")).scalar_one()
        run(
            text(
                "INSERT INTO transfer (id, link_id, source_id, seq, leg, op, method, at, "
                "tz_minutes, debit_id, credit_id, asset_id, amount, details, hash) VALUES "
                "(1, 1, 1, 1, 0, 'sale', 'cashless', :at, 120, 900, 901, :asset, 450, '', "
                ":hash)"
            ),
            {"at": sold_at, "asset": asset, "hash": b"\0" * 32},
        )
        run(
            text(
                "INSERT INTO settlement_record (prestation_id, scheme, phase, base_cents, "
                "share_cents, recovery_cents, total_cents, inputs) VALUES (2, 'convention', "
                "'amortissement', 500000, 175000, 175000, 255000, :inputs)"
            ),
            {
                "inputs": '{"turnover_source": "saisi", "cachet_days": 3, "costs": [], '
                '"rate_bp": 3500, "settings_day": "2026-05-31"}'
            },
        )
    db.upgrade()
    with db.engine.connect() as connection:
        kinds = dict(connection.execute(text("SELECT name, kind FROM prestation")).all())
        event = connection.execute(text("SELECT event_id FROM transfer")).scalar_one()
    assert kinds == {"Fête maison": "own", "Prestation": "external"}
    assert event == 1  # the day after the last day is still the festival's
    from regie.settlement.season import season

    with db.session() as session:
        (line, *_rest) = season(session, 2026).lines
    # The statement recorded with a typed 5 000 € base: 35 % = 1 750 € recovered; its total
    # (1 750 + 3 days × 250 € of cachet + 50 € of hosting = 2 550 €) is what the rules still
    # give: it reads « recorded », not « changed ».
    assert (line.name, line.base_cents, line.recovered_to_date_cents) == (
        "Prestation",
        500000,
        175000,
    )
    assert line.status == "recorded"

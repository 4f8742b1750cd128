"""A transfer's six keys (source, debit, credit, asset, point of sale, event) hold on both
databases: on SQLite by its foreign keys, on PostgreSQL by migration 0015's triggers, which
check them once per statement — one INSERT of the desk or a COPY of thousands of rows — and
refuse to remove a row a transfer points at."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from regie.db import Database
from regie.ledger.bulk import insert_rows
from regie.models import Organisation, Prestation
from tests.ledger_fixtures import festival_file, import_file
from tests.test_migration_floor_import import journal, migrate

KEY_TABLES = (
    ("source_id", "ledger_source"),
    ("debit_id", "account"),
    ("credit_id", "account"),
    ("asset_id", "ledger_asset"),
    ("pos_id", "pos"),
    ("event_id", "prestation"),
)
KEYS = tuple(column for column, _table in KEY_TABLES)
# One transfer copied under a new id and sequence.
COPY = (
    "INSERT INTO transfer (id, link_id, source_id, seq, leg, op, method, at, tz_minutes, "
    "debit_id, credit_id, asset_id, amount, pos_id, details, hash, event_id) SELECT {new}, "
    "{new}, {source_id}, seq + {new}, leg, op, method, at, tz_minutes, {debit_id}, "
    "{credit_id}, {asset_id}, amount, {pos_id}, details, hash, {event_id} FROM transfer "
    "WHERE id = {id}"
)


def copy(new: int, of: int, **keys: int) -> str:
    """``of`` copied as transfer ``new``; ``keys``: the ids that replace its own."""
    return COPY.format(new=new, id=of, **{column: keys.get(column, column) for column in KEYS})


def sale_with_event(db: Database) -> int:
    """A sale at a point of sale during the festival: every one of its six keys is set."""
    with db.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT MIN(id) FROM transfer WHERE op = 'sale' AND pos_id IS NOT NULL "
                    "AND event_id IS NOT NULL"
                )
            ).scalar_one()
        )


def insert(db: Database, sql: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql))


def festival(db_url: str, tmp_path: Path) -> Database:
    """The simulated festival (10 to 12 July 2026) imported into its prestation."""
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        client = Organisation(short_name="Mamasound", name="Collectif Mamasound")
        session.add(client)
        session.flush()
        session.add(
            Prestation(
                name="Été",
                client_id=client.id,
                starts_on=dt.date(2026, 7, 10),
                ends_on=dt.date(2026, 7, 12),
            )
        )
    import_file(db, festival_file(tmp_path, 200, 40))
    return db


def test_a_transfer_pointing_at_nothing_is_refused(db_url: str, tmp_path: Path) -> None:
    db = festival(db_url, tmp_path)
    sale = sale_with_event(db)
    before = journal(db)
    for number, column in enumerate(KEYS, start=1):
        with pytest.raises(IntegrityError):
            insert(db, copy(100_000 + number, sale, **{column: 999999}))
    assert journal(db) == before  # nothing half written
    insert(db, copy(100_000, sale))  # the same keys, all existing: accepted
    assert len(journal(db)) == len(before) + 1
    db.dispose()


def test_a_bulk_write_with_one_bad_row_writes_nothing(db_url: str, tmp_path: Path) -> None:
    """The import's way (COPY on PostgreSQL): one row among many points at nothing."""
    db = festival(db_url, tmp_path)
    sale = sale_with_event(db)
    before = journal(db)
    with db.engine.connect() as connection:
        row = connection.execute(text(f"SELECT * FROM transfer WHERE id = {sale}")).one()
    columns = list(row._fields)
    good = [dict(row._mapping) for _ in range(50)]
    for number, values in enumerate(good, start=1):
        values.update(id=200_000 + number, link_id=200_000 + number, seq=row.seq + 200_000 + number)
    good[37]["credit_id"] = 999999
    # Through the driver, as the import writes: the driver's own error, the key's.
    refused = pytest.raises(
        (sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation),
        match=r"FOREIGN KEY constraint failed|n°200038 désigne une ligne qui n'existe pas",
    )
    with refused, db.session() as session:
        if db_url.startswith("sqlite"):  # the per-row look-ups the import turns off
            session.execute(text("PRAGMA foreign_keys=ON"))
        insert_rows(session, "transfer", columns, [[r[c] for c in columns] for r in good])
        session.flush()
        session.commit()
    assert journal(db) == before
    db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_row_a_transfer_points_at_cannot_be_removed(db_url: str, tmp_path: Path) -> None:
    db = festival(db_url, tmp_path)
    sale = sale_with_event(db)
    with db.engine.connect() as connection:
        keys = connection.execute(text(f"SELECT * FROM transfer WHERE id = {sale}")).one()
    # (table, its row the sale points at, the caches pointing at it too, removed first so
    # that the journal's own guard is the one that speaks)
    pointed = (
        ("ledger_source", keys.source_id, ""),
        ("account", keys.credit_id, f"DELETE FROM balance WHERE account_id = {keys.credit_id}"),
        ("ledger_asset", keys.asset_id, f"DELETE FROM balance WHERE asset_id = {keys.asset_id}"),
        ("pos", keys.pos_id, f"DELETE FROM sales_summary WHERE pos_id = {keys.pos_id}"),
        ("prestation", keys.event_id, ""),
    )
    for table, row_id, caches in pointed:
        for change in (f"DELETE FROM {table}", f"UPDATE {table} SET id = id + 500000"):
            refused = pytest.raises(IntegrityError, match="désignée par des transferts")
            with refused, db.engine.begin() as connection:
                if caches:
                    connection.execute(text(caches))
                connection.execute(text(f"{change} WHERE id = {row_id}"))
    # A point of sale no transfer names can go; a change that keeps the id is not refused.
    insert(db, f"UPDATE pos SET id = id, name = name WHERE id = {keys.pos_id}")
    insert(db, "INSERT INTO pos (id, name) VALUES (9999, 'vide')")
    insert(db, "DELETE FROM pos WHERE id = 9999")
    db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_downgrade_puts_the_foreign_keys_back(db_url: str, tmp_path: Path) -> None:
    db = festival(db_url, tmp_path)
    sale = sale_with_event(db)

    def foreign_keys() -> set[str]:
        with db.engine.connect() as connection:
            return set(
                connection.execute(
                    text(
                        "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                        "AND conrelid = 'transfer'::regclass"
                    )
                ).scalars()
            )

    assert foreign_keys() == set()
    migrate(db, "0014", down=True)
    assert foreign_keys() == {f"fk_transfer_{column}_{table}" for column, table in KEY_TABLES}
    with pytest.raises(IntegrityError):
        insert(db, copy(300_000, sale, pos_id=999999))
    migrate(db, "head")
    assert foreign_keys() == set()
    db.dispose()


def blocked(db: Database) -> bool:
    """Whether a session of this base waits for a lock."""
    with db.engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


def in_thread(db: Database, sql: str, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            insert(db, sql)
        except BaseException as error:  # handed to the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def with_new_account(db_url: str, tmp_path: Path) -> tuple[Database, str, str]:
    """The festival, a wallet no transfer names yet, a transfer naming it and its removal."""
    db = festival(db_url, tmp_path)
    sale = sale_with_event(db)
    insert(db, "INSERT INTO account (id, name, kind, may_go_negative) "
               "VALUES (777777, 'wallet:0A0B0C0D', 'wallet', false)")  # fmt: skip
    return db, copy(400_000, sale, debit_id=777777), "DELETE FROM account WHERE id = 777777"


def counted(db: Database) -> tuple[int, int]:
    """(the wallet still there, the transfer naming it written)"""
    with db.engine.connect() as connection:
        account = connection.execute(text("SELECT count(*) FROM account WHERE id = 777777"))
        transfers = connection.execute(text("SELECT count(*) FROM transfer WHERE id = 400000"))
        return account.scalar_one(), transfers.scalar_one()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_removal_while_transfers_are_written_is_refused_at_once(
    db_url: str, tmp_path: Path
) -> None:
    """No lock per row: the remover needs the journal in SHARE mode, and does not queue for
    it (the desks would queue behind it): refused while a writer has not committed."""
    db, write, remove = with_new_account(db_url, tmp_path)
    with db.engine.connect() as writer:
        transaction = writer.begin()
        writer.execute(text(write))
        with pytest.raises(OperationalError, match="en cours d'écriture"):
            insert(db, remove)
        transaction.commit()
    assert counted(db) == (1, 1)
    with pytest.raises(IntegrityError, match="désignée par des transferts"):
        insert(db, remove)  # the writer committed: its transfer is seen
    db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_writer_after_a_removal_waits_for_it_then_finds_the_row_gone(
    db_url: str, tmp_path: Path
) -> None:
    db, write, remove = with_new_account(db_url, tmp_path)
    errors: list[BaseException] = []
    with db.engine.connect() as remover:
        transaction = remover.begin()
        remover.execute(text(remove))
        writer = in_thread(db, write, errors)
        polls = 0
        while not blocked(db) and polls < 3000:  # the writer waits for the remover's commit
            writer.join(0.01)
            polls += 1
        assert blocked(db), "the writer should wait for the removal to commit"
        transaction.commit()
    writer.join()
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError)
    assert "n'existe pas" in str(errors[0])
    assert counted(db) == (0, 0)
    db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_no_temporary_table_truncation_or_stricter_isolation_gets_round_the_keys(
    db_url: str, tmp_path: Path
) -> None:
    db, write, remove = with_new_account(db_url, tmp_path)
    sale = sale_with_event(db)
    with pytest.raises(IntegrityError, match="n'existe pas"), db.engine.begin() as connection:
        # A session's own « account » table, searched before the real one by default: every
        # real id, and one more.
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f"CREATE TEMP TABLE account AS SELECT id FROM {schema}.account"))
        connection.execute(text("INSERT INTO account VALUES (999999)"))
        connection.execute(text(copy(500_000, sale, credit_id=999999)))
    for table in ("ledger_source", "account", "pos", "prestation", "ledger_asset"):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
    strict = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with pytest.raises(OperationalError, match="READ COMMITTED"), strict.begin() as connection:
        connection.execute(text(remove))
    with strict.begin() as connection:  # a stricter writer: the keys checked, locked
        connection.execute(text(write))
    with pytest.raises(IntegrityError), strict.begin() as connection:
        connection.execute(text(copy(500_001, sale, pos_id=999999)))
    assert counted(db) == (1, 1)
    db.dispose()

"""PostgreSQL checks a transfer's six keys once per statement, not once per row

A foreign key on PostgreSQL is a trigger per row: for each transfer written, six look-ups of
the rows it points at, each taking a ``FOR KEY SHARE`` lock. A COPY of 10,000 transfers paid
60,000 of them — 26 µs of the server's CPU per transfer, more than half of an import.

The six constraints of ``transfer`` (source, debit, credit, asset, point of sale, event) are
replaced, on PostgreSQL only, by the same guarantees written as triggers:

- after each statement that adds transfers (an import's COPY, the desk's one row), one query
  over the rows it added (a transition table) refuses the statement if one points at
  nothing, with the foreign-key error (SQLSTATE 23503). Under READ COMMITTED (Régie's, and
  PostgreSQL's default) it locks nothing: a ``FOR KEY SHARE`` on every wallet a COPY names
  cost a sixth of the server's time. Under a stricter isolation, whose snapshot is older
  than the statement, it locks what the rows point at, as a foreign key does;
- after a delete, a truncation or a change of id of an account, asset, source, point of sale
  or prestation, the statement is refused if a transfer points at the row (as ``NO ACTION``
  does). Régie never removes these rows; the rare statement that does pays for the
  guarantee: it takes ``transfer`` in SHARE mode first — at once, or it is refused (« le
  journal est en cours d'écriture »), so no desk ever queues behind it — and then sees every
  transfer committed; a writer that comes after it waits for it and then finds the row gone.
  It is refused outright under a stricter isolation than READ COMMITTED.

The functions read their tables in Régie's schema only (``search_path``), never in a
session's temporary tables.

SQLite keeps its constraints (the import turns their per-row look-ups off and checks the keys
itself, see ``regie.ledger.journal_checks``). The models keep declaring the keys: they are
what the ORM joins on, and what this migration puts back on a downgrade.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (column of transfer, table it points at); the constraints' names follow the naming convention.
KEYS = (
    ("source_id", "ledger_source"),
    ("debit_id", "account"),
    ("credit_id", "account"),
    ("asset_id", "ledger_asset"),
    ("pos_id", "pos"),
    ("event_id", "prestation"),
)
POINTED_AT = ("ledger_source", "account", "ledger_asset", "pos", "prestation")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _schema() -> str:
    """The schema Régie's tables live in, quoted: the functions look their tables up there
    only, never in a session's temporary tables (which PostgreSQL would search first)."""
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    return '"' + str(name).replace('"', '""') + '"'


# Under another isolation level the triggers' queries would read a snapshot older than the
# statement; a foreign key then locks each row it reads, and so does this check.
_NOT_READ_COMMITTED = "current_setting('transaction_isolation') <> 'read committed'"


def _added_keys_check(schema: str) -> str:
    """The statement trigger's function: one of the added rows pointing at nothing."""
    locks = "\n".join(
        f"        PERFORM 1 FROM {table} WHERE id IN ("
        + " UNION ".join(f"SELECT {column} FROM added" for column, to in KEYS if to == table)
        + ") FOR KEY SHARE;"
        for table in POINTED_AT
    )
    missing = "\n       OR ".join(
        f"(n.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = n.{column}))"
        for column, table in KEYS
    )
    return f"""CREATE FUNCTION regie_transfer_keys() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema}, pg_temp AS $$
DECLARE
    orphan bigint;
BEGIN
    IF {_NOT_READ_COMMITTED} THEN
{locks}
    END IF;
    SELECT n.id INTO orphan FROM added n
    WHERE {missing}
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'le transfert n°% désigne une ligne qui n''existe pas', orphan
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def _pointed_at_check(schema: str) -> str:
    """The function of the tables transfers point at: refuse to remove (delete, truncate)
    or renumber a row a transfer points at."""
    cases = "\n    ELS".join(
        f"IF TG_TABLE_NAME = '{table}' THEN\n        used := EXISTS (SELECT 1 FROM transfer WHERE "
        + " OR ".join(f"{column} = OLD.id" for column, to in KEYS if to == table)
        + ");"
        for table in POINTED_AT
    )
    return f"""CREATE FUNCTION regie_transfer_pointed_at() RETURNS trigger LANGUAGE plpgsql
SET search_path = {schema}, pg_temp AS $$
DECLARE
    used boolean := false;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id THEN
            RETURN NULL;
        END IF;
    END IF;
    IF {_NOT_READ_COMMITTED} THEN
        RAISE EXCEPTION 'retirer une ligne de % : en READ COMMITTED seulement', TG_TABLE_NAME
            USING ERRCODE = 'serialization_failure';
    END IF;
    -- The writers of transfers have committed (their rows are seen below) and wait for this
    -- transaction; none writing now, or this statement is refused at once: the desks never
    -- queue behind it.
    BEGIN
        LOCK TABLE transfer IN SHARE MODE NOWAIT;
    EXCEPTION WHEN lock_not_available THEN
        RAISE EXCEPTION 'le journal est en cours d''écriture : % non modifié, réessayer plus tard',
            TG_TABLE_NAME USING ERRCODE = 'lock_not_available';
    END;
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM transfer) THEN
            RAISE EXCEPTION 'la table % est désignée par des transferts du journal',
                TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END IF;
    {cases}
    END IF;
    IF used THEN
        RAISE EXCEPTION 'la ligne n°% de % est désignée par des transferts du journal',
            OLD.id, TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    if not _postgresql():
        return
    for column, table in KEYS:
        op.drop_constraint(f"fk_transfer_{column}_{table}", "transfer", type_="foreignkey")
    schema = _schema()
    op.execute(_added_keys_check(schema))
    op.execute(
        "CREATE TRIGGER transfer_keys AFTER INSERT ON transfer REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION regie_transfer_keys()"
    )
    op.execute(_pointed_at_check(schema))
    for table in POINTED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_transfer_keys AFTER DELETE OR UPDATE OF id ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION regie_transfer_pointed_at()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_transfer_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION regie_transfer_pointed_at()"
        )


def downgrade() -> None:
    if not _postgresql():
        return
    for table in POINTED_AT:
        op.execute(f"DROP TRIGGER {table}_transfer_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_transfer_keys ON {table}")
    op.execute("DROP FUNCTION regie_transfer_pointed_at()")
    op.execute("DROP TRIGGER transfer_keys ON transfer")
    op.execute("DROP FUNCTION regie_transfer_keys()")
    for column, table in KEYS:
        op.create_foreign_key(f"fk_transfer_{column}_{table}", "transfer", table, [column], ["id"])

"""PostgreSQL checks a transfer's six keys once per statement, not once per row

A foreign key on PostgreSQL is a trigger per row: for each transfer written, six look-ups of
the rows it points at, each taking a ``FOR KEY SHARE`` lock. A COPY of 10,000 transfers paid
60,000 of them — 26 µs of the server's CPU per transfer, more than half of an import.

The six constraints of ``transfer`` (source, debit, credit, asset, point of sale, event) are
replaced, on PostgreSQL only, by the same guarantees written as triggers:

- after each statement that adds transfers (an import's COPY, the desk's one row), one query
  over the rows it added (a transition table) refuses the statement if one points at
  nothing, with the foreign-key error (SQLSTATE 23503). It locks nothing: a row-level
  ``FOR KEY SHARE`` on every wallet a COPY names cost a sixth of the server's time;
- after a delete, or a change of id, of an account, asset, source, point of sale or
  prestation, the statement is refused if a transfer points at the row (as ``NO ACTION``
  does). Régie never removes these rows; the rare statement that does pays for the
  guarantee: it first takes ``transfer`` in SHARE mode, so it waits for every writer of
  transfers to commit and then sees their rows (READ COMMITTED: each check is a fresh
  snapshot), and a writer that comes after it waits for it and then finds the row gone.

SQLite keeps its constraints (the import turns their per-row look-ups off and checks the keys
itself, see ``regie.ledger.journal_checks``). The models keep declaring the keys: they are
what the ORM joins on, and what this migration puts back on a downgrade.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

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


def _added_keys_check() -> str:
    """The statement trigger's function: one of the added rows pointing at nothing."""
    missing = "\n       OR ".join(
        f"(n.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = n.{column}))"
        for column, table in KEYS
    )
    return f"""CREATE FUNCTION regie_transfer_keys() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan bigint;
BEGIN
    SELECT n.id INTO orphan FROM added n
    WHERE {missing}
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'le transfert n°% désigne une ligne qui n''existe pas', orphan
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$"""


def _pointed_at_check() -> str:
    """The row trigger's function on the tables transfers point at: refuse to remove (or
    renumber) a row a transfer points at."""
    cases = "\n    ELS".join(
        f"IF TG_TABLE_NAME = '{table}' THEN\n        used := EXISTS (SELECT 1 FROM transfer WHERE "
        + " OR ".join(f"{column} = OLD.id" for column, to in KEYS if to == table)
        + ");"
        for table in POINTED_AT
    )
    return f"""CREATE FUNCTION regie_transfer_pointed_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    used boolean := false;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id THEN
            RETURN NULL;
        END IF;
    END IF;
    LOCK TABLE transfer IN SHARE MODE;  -- the writers of transfers commit first
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
    op.execute(_added_keys_check())
    op.execute(
        "CREATE TRIGGER transfer_keys AFTER INSERT ON transfer REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION regie_transfer_keys()"
    )
    op.execute(_pointed_at_check())
    for table in POINTED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_transfer_keys AFTER DELETE OR UPDATE OF id ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION regie_transfer_pointed_at()"
        )


def downgrade() -> None:
    if not _postgresql():
        return
    for table in POINTED_AT:
        op.execute(f"DROP TRIGGER {table}_transfer_keys ON {table}")
    op.execute("DROP FUNCTION regie_transfer_pointed_at()")
    op.execute("DROP TRIGGER transfer_keys ON transfer")
    op.execute("DROP FUNCTION regie_transfer_keys()")
    for column, table in KEYS:
        op.create_foreign_key(f"fk_transfer_{column}_{table}", "transfer", table, [column], ["id"])

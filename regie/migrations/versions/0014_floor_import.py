"""the journal's storage at the machine's floor: a rowid id, a partial index of keys

- SQLite: ``transfer.id`` becomes ``INTEGER PRIMARY KEY``, the rowid itself. As ``BIGINT``
  every row paid a hidden rowid and a second index to find it by id (SQLite's INTEGER holds
  64 bits: nothing is lost). The table is copied (SQLite cannot change a primary key in
  place), its append-only triggers put back.
- Both: ``idem_key`` is unique through a partial index of the rows that carry a key (the
  desk's, Stripe's, melting's), not of a million terminal lines whose key is NULL.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYED = sa.text("idem_key IS NOT NULL")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _append_only_again() -> None:
    """The copy of the table dropped its triggers: the journal stays append-only."""
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER transfer_no_{action.lower()} BEFORE {action} ON transfer "
            f"BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul : {action} refusé "
            f"sur transfer'); END"
        )


def upgrade() -> None:
    if _sqlite():
        with op.batch_alter_table("transfer", recreate="always") as batch_op:
            batch_op.alter_column(
                "id", type_=sa.Integer(), existing_type=sa.BigInteger(), autoincrement=False
            )
            batch_op.drop_constraint("uq_transfer_idem_key", type_="unique")
        _append_only_again()
    else:
        op.drop_constraint("uq_transfer_idem_key", "transfer", type_="unique")
    op.create_index(
        "ux_transfer_idem_key",
        "transfer",
        ["idem_key"],
        unique=True,
        sqlite_where=KEYED,
        postgresql_where=KEYED,
    )


def downgrade() -> None:
    op.drop_index("ux_transfer_idem_key", table_name="transfer")
    if _sqlite():
        with op.batch_alter_table("transfer", recreate="always") as batch_op:
            batch_op.alter_column(
                "id", type_=sa.BigInteger(), existing_type=sa.Integer(), autoincrement=False
            )
            batch_op.create_unique_constraint("uq_transfer_idem_key", ["idem_key"])
        _append_only_again()
    else:
        op.create_unique_constraint("uq_transfer_idem_key", "transfer", ["idem_key"])

"""terminals prove who they are: the points of sale where a terminal may refund

``terminal_refund_point``: one row per point of sale allowed to refund (a desk); a refund
line from any other point of sale is refused at import. The pairing secrets themselves live in
the OS keyring, never in the database.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "terminal_refund_point",
        sa.Column("pos_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pos_id"], ["pos.id"], name=op.f("fk_terminal_refund_point_pos_id_pos")
        ),
        sa.PrimaryKeyConstraint("pos_id", name=op.f("pk_terminal_refund_point")),
    )


def downgrade() -> None:
    op.drop_table("terminal_refund_point")

"""transfers by point of sale, for X and Z readings

A till's X or Z reads only that till's transfers since its last Z: with this index it reads
those rows (tens of thousands) instead of scanning a festival's million.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_transfer_pos_id_id", "transfer", ["pos_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_transfer_pos_id_id", table_name="transfer")

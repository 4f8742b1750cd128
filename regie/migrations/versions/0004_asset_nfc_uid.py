"""asset nfc uid

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nfc_uid", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_asset_nfc_uid"), ["nfc_uid"])


def downgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_asset_nfc_uid"), type_="unique")
        batch_op.drop_column("nfc_uid")

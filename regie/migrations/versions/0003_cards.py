"""cards: batches, cards, history, staff cards, returns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "card_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("stock_lot_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("base_url", sa.String(length=400), nullable=False),
        sa.Column("protect_key", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisation.id"], name=op.f("fk_card_batch_owner_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["stock_lot_id"], ["stock_lot.id"], name=op.f("fk_card_batch_stock_lot_id_stock_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_batch")),
        sa.UniqueConstraint("name", name=op.f("uq_card_batch_name")),
    )
    with op.batch_alter_table("card_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_batch_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_card_batch_stock_lot_id"), ["stock_lot_id"], unique=False
        )

    op.create_table(
        "card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=8), nullable=False),
        sa.Column("qr_uuid", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=400), nullable=False),
        sa.Column("uid", sa.String(length=20), nullable=True),
        sa.Column("tag_id", sa.String(length=8), nullable=True),
        sa.Column("chip", sa.String(length=16), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "blocked",
                "lost",
                "returned",
                "destroyed",
                name="cardstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "encoding",
            sa.Enum(
                "blank", "to_reencode", "encoded", name="encoding", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("url_written", sa.Boolean(), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.Column("encoded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["card_batch.id"], name=op.f("fk_card_batch_id_card_batch")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"], ["card.id"], name=op.f("fk_card_replaced_by_id_card")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card")),
        sa.UniqueConstraint("batch_id", "position", name="uq_card_batch_position"),
        sa.UniqueConstraint("number", name=op.f("uq_card_number")),
        sa.UniqueConstraint("qr_uuid", name=op.f("uq_card_qr_uuid")),
        sa.UniqueConstraint("tag_id", name=op.f("uq_card_tag_id")),
        sa.UniqueConstraint("uid", name=op.f("uq_card_uid")),
    )
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_card_state"), ["state"], unique=False)

    op.create_table(
        "card_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], name=op.f("fk_card_event_card_id_card")),
        sa.ForeignKeyConstraint(
            ["prestation_id"],
            ["prestation.id"],
            name=op.f("fk_card_event_prestation_id_prestation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_event")),
    )
    with op.batch_alter_table("card_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_event_card_id"), ["card_id"], unique=False)

    op.create_table(
        "card_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=120), nullable=False),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], name=op.f("fk_card_return_card_id_card")),
        sa.ForeignKeyConstraint(
            ["prestation_id"],
            ["prestation.id"],
            name=op.f("fk_card_return_prestation_id_prestation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_return")),
        sa.UniqueConstraint("prestation_id", "card_id", name="uq_card_return_once"),
    )
    with op.batch_alter_table("card_return", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_return_card_id"), ["card_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_card_return_prestation_id"), ["prestation_id"], unique=False
        )

    op.create_table(
        "staff_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("points_of_sale", sa.Text(), nullable=False),
        sa.Column("manager", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], name=op.f("fk_staff_card_card_id_card")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_card")),
        sa.UniqueConstraint("card_id", name=op.f("uq_staff_card_card_id")),
    )


def downgrade() -> None:
    op.drop_table("staff_card")
    with op.batch_alter_table("card_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_return_prestation_id"))
        batch_op.drop_index(batch_op.f("ix_card_return_card_id"))

    op.drop_table("card_return")
    with op.batch_alter_table("card_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_event_card_id"))

    op.drop_table("card_event")
    with op.batch_alter_table("card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_state"))
        batch_op.drop_index(batch_op.f("ix_card_batch_id"))

    op.drop_table("card")
    with op.batch_alter_table("card_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_batch_stock_lot_id"))
        batch_op.drop_index(batch_op.f("ix_card_batch_owner_id"))

    op.drop_table("card_batch")

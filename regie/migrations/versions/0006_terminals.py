"""terminals: registry, configuration versions, menus, settings, link history, journal pulls

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "terminal_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=False),
        sa.Column("server_url", sa.String(length=400), nullable=False),
        sa.Column("wifi_ssid", sa.String(length=64), nullable=False),
        sa.Column("wifi_password", sa.String(length=128), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_settings")),
    )
    op.create_table(
        "terminal_menu_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pos_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("vat_bp", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "price_cents >= 0", name=op.f("ck_terminal_menu_item_price_not_negative")
        ),
        sa.CheckConstraint(
            "vat_bp >= 0 AND vat_bp <= 10000", name=op.f("ck_terminal_menu_item_vat_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["pos_id"], ["pos.id"], name=op.f("fk_terminal_menu_item_pos_id_pos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_menu_item")),
        sa.UniqueConstraint("pos_id", "product", name="uq_terminal_menu_item_pos_product"),
    )
    with op.batch_alter_table("terminal_menu_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_terminal_menu_item_pos_id"), ["pos_id"], unique=False)

    op.create_table(
        "terminal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("pos_id", sa.Integer(), nullable=True),
        sa.Column("pairing_pin", sa.String(length=12), nullable=False),
        sa.Column("api_key", sa.String(length=120), nullable=False),
        sa.Column("printer_width", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=400), nullable=False),
        sa.Column("agent_version", sa.String(length=60), nullable=False),
        sa.Column("protocol", sa.Integer(), nullable=True),
        sa.Column("config_version", sa.Integer(), nullable=True),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_terminal_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(["pos_id"], ["pos.id"], name=op.f("fk_terminal_pos_id_pos")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_terminal_asset_id")),
        sa.UniqueConstraint("name", name=op.f("uq_terminal_name")),
    )
    with op.batch_alter_table("terminal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_terminal_pos_id"), ["pos_id"], unique=False)

    op.create_table(
        "terminal_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["terminal.id"], name=op.f("fk_terminal_config_terminal_id_terminal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_config")),
        sa.UniqueConstraint("terminal_id", "version", name="uq_terminal_config_version"),
    )
    with op.batch_alter_table("terminal_config", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_terminal_config_terminal_id"), ["terminal_id"], unique=False
        )

    op.create_table(
        "terminal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("port", sa.String(length=400), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["terminal.id"], name=op.f("fk_terminal_event_terminal_id_terminal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_event")),
    )
    with op.batch_alter_table("terminal_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_terminal_event_terminal_id"), ["terminal_id"], unique=False
        )

    op.create_table(
        "terminal_pull",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("archive", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["terminal_id"], ["terminal.id"], name=op.f("fk_terminal_pull_terminal_id_terminal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminal_pull")),
    )
    with op.batch_alter_table("terminal_pull", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_terminal_pull_terminal_id"), ["terminal_id"], unique=False
        )


def downgrade() -> None:
    for table in ("terminal_pull", "terminal_event", "terminal_config", "terminal"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            index = "ix_terminal_pos_id" if table == "terminal" else f"ix_{table}_terminal_id"
            batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
    with op.batch_alter_table("terminal_menu_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_terminal_menu_item_pos_id"))
    op.drop_table("terminal_menu_item")
    op.drop_table("terminal_settings")

"""organisations, prestations and the inventory

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_category")),
        sa.UniqueConstraint("name", name=op.f("uq_asset_category_name")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=80), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("short_name", name=op.f("uq_organisation_short_name")),
    )
    op.create_table(
        "asset_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("manufacturer", sa.String(length=120), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "tracking",
            sa.Enum("serial", "quantity", name="tracking", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("amortisation_months", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["asset_category.id"],
            name=op.f("fk_asset_model_category_id_asset_category"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_model")),
        sa.UniqueConstraint("name", name=op.f("uq_asset_model_name")),
    )
    op.create_table(
        "prestation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["organisation.id"], name=op.f("fk_prestation_client_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prestation")),
        sa.UniqueConstraint("name", name=op.f("uq_prestation_name")),
    )
    op.create_table(
        "asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("serial_number", sa.String(length=80), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("purchase_cost_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amortisation_months", sa.Integer(), nullable=False),
        sa.Column("salvage_value_cents", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "available",
                "booked",
                "out",
                "in_repair",
                "quarantined",
                "lost",
                "written_off",
                name="assetstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("purchase_cost_cents >= 0", name=op.f("ck_asset_cost_not_negative")),
        sa.CheckConstraint("salvage_value_cents >= 0", name=op.f("ck_asset_salvage_not_negative")),
        sa.ForeignKeyConstraint(
            ["model_id"], ["asset_model.id"], name=op.f("fk_asset_model_id_asset_model")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisation.id"], name=op.f("fk_asset_owner_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset")),
        sa.UniqueConstraint("tag", name=op.f("uq_asset_tag")),
    )
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_model_id"), ["model_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_status"), ["status"], unique=False)

    op.create_table(
        "stock_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("purchase_date", sa.Date(), nullable=True),
        sa.Column("amortisation_months", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_lot_quantity_not_negative")),
        sa.CheckConstraint(
            "unit_cost_cents >= 0", name=op.f("ck_stock_lot_unit_cost_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["asset_model.id"], name=op.f("fk_stock_lot_model_id_asset_model")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["organisation.id"], name=op.f("fk_stock_lot_owner_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_lot")),
        sa.UniqueConstraint("name", name=op.f("uq_stock_lot_name")),
    )


def downgrade() -> None:
    op.drop_table("stock_lot")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_status"))
        batch_op.drop_index(batch_op.f("ix_asset_owner_id"))
        batch_op.drop_index(batch_op.f("ix_asset_model_id"))

    op.drop_table("asset")
    op.drop_table("prestation")
    op.drop_table("asset_model")
    op.drop_table("organisation")
    op.drop_table("asset_category")

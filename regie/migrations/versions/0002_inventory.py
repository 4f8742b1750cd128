"""inventory: locations, shares, kits, bookings, loans, incidents, audits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("name", name=op.f("uq_location_name")),
    )
    op.create_table(
        "kit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_kit_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit")),
        sa.UniqueConstraint("tag", name=op.f("uq_kit_tag")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("misplaced", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_audit_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["prestation_id"], ["prestation.id"], name=op.f("fk_audit_prestation_id_prestation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_table(
        "loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.Column("out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["organisation.id"], name=op.f("fk_loan_borrower_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["prestation_id"], ["prestation.id"], name=op.f("fk_loan_prestation_id_prestation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan")),
    )
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_borrower_id"), ["borrower_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_prestation_id"), ["prestation_id"], unique=False)

    op.create_table(
        "asset_share",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "share_bp > 0 AND share_bp <= 10000", name=op.f("ck_asset_share_share_range")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_asset_share_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_asset_share_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("asset_id", "organisation_id", name=op.f("pk_asset_share")),
    )
    op.create_table(
        "audit_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_audit_scan_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_audit_scan_audit_id_audit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_scan")),
    )
    with op.batch_alter_table("audit_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_scan_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("kit_id", sa.Integer(), nullable=True),
        sa.Column("stock_lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_booking_window_order")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_booking_quantity_positive")),
        sa.ForeignKeyConstraint(["asset_id"], ["asset.id"], name=op.f("fk_booking_asset_id_asset")),
        sa.ForeignKeyConstraint(["kit_id"], ["kit.id"], name=op.f("fk_booking_kit_id_kit")),
        sa.ForeignKeyConstraint(
            ["prestation_id"], ["prestation.id"], name=op.f("fk_booking_prestation_id_prestation")
        ),
        sa.ForeignKeyConstraint(
            ["stock_lot_id"], ["stock_lot.id"], name=op.f("fk_booking_stock_lot_id_stock_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_booking_prestation_id"), ["prestation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_booking_stock_lot_id"), ["stock_lot_id"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "breakage",
                "theft",
                "loss",
                "repair",
                name="incidentkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "quarantined",
                "in_repair",
                "repaired",
                "written_off",
                "found",
                name="incidentstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("stock_lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "payer",
            sa.Enum(
                "undecided",
                "borrower",
                "owner",
                "shared_pot",
                name="payer",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("cost_cents >= 0", name=op.f("ck_incident_cost_not_negative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_incident_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_incident_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_incident_loan_id_loan")),
        sa.ForeignKeyConstraint(
            ["prestation_id"], ["prestation.id"], name=op.f("fk_incident_prestation_id_prestation")
        ),
        sa.ForeignKeyConstraint(
            ["stock_lot_id"], ["stock_lot.id"], name=op.f("fk_incident_stock_lot_id_stock_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "loan_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("stock_lot_id", sa.Integer(), nullable=True),
        sa.Column("kit_id", sa.Integer(), nullable=True),
        sa.Column("quantity_out", sa.Integer(), nullable=False),
        sa.Column("quantity_back", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum("ok", "damaged", "missing", name="condition", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "quantity_back >= 0 AND quantity_back <= quantity_out",
            name=op.f("ck_loan_line_quantity_back_range"),
        ),
        sa.CheckConstraint("quantity_out > 0", name=op.f("ck_loan_line_quantity_out_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_loan_line_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(["kit_id"], ["kit.id"], name=op.f("fk_loan_line_kit_id_kit")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_loan_line_loan_id_loan")),
        sa.ForeignKeyConstraint(
            ["stock_lot_id"], ["stock_lot.id"], name=op.f("fk_loan_line_stock_lot_id_stock_lot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_line")),
    )
    with op.batch_alter_table("loan_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_line_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_line_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "asset_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["asset.id"], name=op.f("fk_asset_event_asset_id_asset")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_asset_event_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_asset_event_loan_id_loan")),
        sa.ForeignKeyConstraint(
            ["prestation_id"],
            ["prestation.id"],
            name=op.f("fk_asset_event_prestation_id_prestation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_event")),
    )
    with op.batch_alter_table("asset_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_event_asset_id"), ["asset_id"], unique=False)

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_asset_kit_id"), ["kit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_location_id"), ["location_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_asset_location_id_location"), "location", ["location_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_asset_kit_id_kit"), "kit", ["kit_id"], ["id"])

    with op.batch_alter_table("stock_lot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_stock_lot_location_id_location"), "location", ["location_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("stock_lot", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stock_lot_location_id_location"), type_="foreignkey"
        )
        batch_op.drop_column("location_id")

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_asset_kit_id_kit"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_asset_location_id_location"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_asset_location_id"))
        batch_op.drop_index(batch_op.f("ix_asset_kit_id"))
        batch_op.drop_column("kit_id")
        batch_op.drop_column("location_id")

    with op.batch_alter_table("asset_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_event_asset_id"))

    op.drop_table("asset_event")
    with op.batch_alter_table("loan_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_line_loan_id"))
        batch_op.drop_index(batch_op.f("ix_loan_line_asset_id"))

    op.drop_table("loan_line")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_asset_id"))

    op.drop_table("incident")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_stock_lot_id"))
        batch_op.drop_index(batch_op.f("ix_booking_prestation_id"))
        batch_op.drop_index(batch_op.f("ix_booking_asset_id"))

    op.drop_table("booking")
    with op.batch_alter_table("audit_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_scan_audit_id"))

    op.drop_table("audit_scan")
    op.drop_table("asset_share")
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_prestation_id"))
        batch_op.drop_index(batch_op.f("ix_loan_borrower_id"))

    op.drop_table("loan")
    op.drop_table("audit")
    op.drop_table("kit")
    op.drop_table("location")

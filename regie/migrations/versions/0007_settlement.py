"""settlement tables: Stripe objects, refund runs, convention settings, settlements, invoices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "convention_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convention_setting")),
        sa.UniqueConstraint("name", "valid_from", name=op.f("uq_convention_setting_name")),
    )
    op.create_table(
        "invoice_counter",
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_invoice_counter")),
    )
    op.create_table(
        "refund_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_run")),
    )
    op.create_table(
        "stripe_balance_txn",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("reporting_category", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("available_on", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("payment_intent", sa.String(length=64), nullable=False),
        sa.Column("payout", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_balance_txn")),
    )
    with op.batch_alter_table("stripe_balance_txn", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stripe_balance_txn_created"), ["created"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stripe_balance_txn_payment_intent"), ["payment_intent"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stripe_balance_txn_payout"), ["payout"], unique=False)

    op.create_table(
        "stripe_payment",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_received", sa.BigInteger(), nullable=False),
        sa.Column("amount_refunded", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("card_uid", sa.String(length=20), nullable=False),
        sa.Column("charge_id", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_payment")),
    )
    with op.batch_alter_table("stripe_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stripe_payment_created"), ["created"], unique=False)

    op.create_table(
        "stripe_payout",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("arrival_date", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_payout")),
    )
    op.create_table(
        "stripe_refund",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("payment_intent", sa.String(length=64), nullable=False),
        sa.Column("charge", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("refund_item", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_refund")),
    )
    with op.batch_alter_table("stripe_refund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stripe_refund_payment_intent"), ["payment_intent"], unique=False
        )

    op.create_table(
        "stripe_sync",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_sync")),
    )
    op.create_table(
        "refund_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("card_uid", sa.String(length=20), nullable=False),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("payment_intent", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("stripe_refund_id", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["refund_run.id"], name=op.f("fk_refund_item_run_id_refund_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_item")),
        sa.UniqueConstraint(
            "run_id", "card_uid", "payment_intent", name=op.f("uq_refund_item_run_id")
        ),
    )
    with op.batch_alter_table("refund_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_item_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refund_item_state"), ["state"], unique=False)

    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=True),
        sa.Column("credited_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_excl_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_incl_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_exemption", sa.Text(), nullable=False),
        sa.Column("payment_terms", sa.Text(), nullable=False),
        sa.Column("late_penalties", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["organisation.id"], name=op.f("fk_invoice_client_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["credited_id"], ["invoice.id"], name=op.f("fk_invoice_credited_id_invoice")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["organisation.id"], name=op.f("fk_invoice_issuer_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["prestation_id"], ["prestation.id"], name=op.f("fk_invoice_prestation_id_prestation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("credited_id", name=op.f("uq_invoice_credited_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_invoice_reference")),
        sa.UniqueConstraint("series", "year", "number", name=op.f("uq_invoice_series")),
    )
    op.create_table(
        "settlement_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prestation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("base_cents", sa.BigInteger(), nullable=False),
        sa.Column("share_cents", sa.BigInteger(), nullable=False),
        sa.Column("recovery_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["prestation_id"],
            ["prestation.id"],
            name=op.f("fk_settlement_record_prestation_id_prestation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_record")),
        sa.UniqueConstraint("prestation_id", name=op.f("uq_settlement_record_prestation_id")),
    )
    op.create_table(
        "invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_bp", sa.Integer(), nullable=False),
        sa.Column("total_excl_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_line_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line")),
    )
    with op.batch_alter_table("invoice_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_line_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_line_invoice_id"))

    op.drop_table("invoice_line")
    op.drop_table("settlement_record")
    op.drop_table("invoice")
    with op.batch_alter_table("refund_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_item_state"))
        batch_op.drop_index(batch_op.f("ix_refund_item_run_id"))

    op.drop_table("refund_item")
    op.drop_table("stripe_sync")
    with op.batch_alter_table("stripe_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_refund_payment_intent"))

    op.drop_table("stripe_refund")
    op.drop_table("stripe_payout")
    with op.batch_alter_table("stripe_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_payment_created"))

    op.drop_table("stripe_payment")
    with op.batch_alter_table("stripe_balance_txn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_balance_txn_payout"))
        batch_op.drop_index(batch_op.f("ix_stripe_balance_txn_payment_intent"))
        batch_op.drop_index(batch_op.f("ix_stripe_balance_txn_created"))

    op.drop_table("stripe_balance_txn")
    op.drop_table("refund_run")
    op.drop_table("invoice_counter")
    op.drop_table("convention_setting")

"""ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("may_go_negative", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name", name=op.f("uq_account_name")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_kind"), ["kind"], unique=False)

    op.create_table(
        "closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=90), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("first_transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("last_transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.Column("grand_total", sa.BigInteger(), nullable=False),
        sa.Column("cash_float", sa.BigInteger(), nullable=False),
        sa.Column("cash_expected", sa.BigInteger(), nullable=False),
        sa.Column("cash_counted", sa.BigInteger(), nullable=True),
        sa.Column("chain_head", sa.LargeBinary(length=32), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure")),
        sa.UniqueConstraint("number", name=op.f("uq_closure_number")),
    )
    op.create_table(
        "ledger_asset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payment_rank", sa.Integer(), nullable=False),
        sa.Column("refundable", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_asset")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_asset_code")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_transfer_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("next_desk_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_closure_number", sa.Integer(), nullable=False),
        sa.Column("last_closure_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "ledger_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_source")),
        sa.UniqueConstraint("name", name=op.f("uq_ledger_source_name")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("name", name=op.f("uq_product_name")),
    )
    op.create_table(
        "balance",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_balance_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["ledger_asset.id"], name=op.f("fk_balance_asset_id_ledger_asset")
        ),
        sa.PrimaryKeyConstraint("account_id", "asset_id", name=op.f("pk_balance")),
    )
    op.create_table(
        "pos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pos_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos")),
        sa.UniqueConstraint("name", name=op.f("uq_pos_name")),
    )
    op.create_table(
        "sales_summary",
        sa.Column("pos_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False),
        sa.Column("vat_bp", sa.Integer(), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["pos_id"], ["pos.id"], name=op.f("fk_sales_summary_pos_id_pos")),
        sa.PrimaryKeyConstraint(
            "pos_id", "product", "vat_bp", "hour", name=op.f("pk_sales_summary")
        ),
    )
    op.create_table(
        "transfer",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("link_id", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("leg", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("tz_minutes", sa.Integer(), nullable=False),
        sa.Column("debit_id", sa.Integer(), nullable=False),
        sa.Column("credit_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("pos_id", sa.Integer(), nullable=True),
        sa.Column("ref_id", sa.BigInteger(), nullable=True),
        sa.Column("idem_key", sa.String(length=80), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_transfer_amount_positive")),
        sa.CheckConstraint("debit_id <> credit_id", name=op.f("ck_transfer_two_accounts")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["ledger_asset.id"], name=op.f("fk_transfer_asset_id_ledger_asset")
        ),
        sa.ForeignKeyConstraint(
            ["credit_id"], ["account.id"], name=op.f("fk_transfer_credit_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["debit_id"], ["account.id"], name=op.f("fk_transfer_debit_id_account")
        ),
        sa.ForeignKeyConstraint(["pos_id"], ["pos.id"], name=op.f("fk_transfer_pos_id_pos")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["ledger_source.id"], name=op.f("fk_transfer_source_id_ledger_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
        sa.UniqueConstraint("idem_key", name=op.f("uq_transfer_idem_key")),
        sa.UniqueConstraint("source_id", "seq", "leg", name="uq_transfer_source_seq_leg"),
    )
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_credit_id"), ["credit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_debit_id"), ["debit_id"], unique=False)

    _seed()
    _append_only_triggers()


GENESIS = hashlib.sha256(b"regie-ledger-genesis").digest()
STANDARD_ASSETS = [
    {
        "code": "GIFT",
        "name": "Jeton cadeau",
        "kind": "gift",
        "payment_rank": 10,
        "refundable": False,
    },
    {"code": "EUR", "name": "Euro local", "kind": "local", "payment_rank": 20, "refundable": True},
    {
        "code": "FED",
        "name": "Euro fédéré",
        "kind": "federated",
        "payment_rank": 30,
        "refundable": True,
    },
]
FIXED_ACCOUNTS = [
    "world",
    "bank",
    "stripe:clearing",
    "stripe:fees",
    "refunds",
    "melted",
    "correction",
    "cash:difference",
    "fees:refund",
]


def _seed() -> None:
    """The chain head, the standard assets and the fixed accounts exist from the start."""
    meta = sa.MetaData()
    head = sa.Table(
        "ledger_head",
        meta,
        sa.Column("id", sa.Integer),
        sa.Column("last_transfer_id", sa.BigInteger),
        sa.Column("last_hash", sa.LargeBinary),
        sa.Column("next_desk_seq", sa.BigInteger),
        sa.Column("last_closure_number", sa.Integer),
        sa.Column("last_closure_hash", sa.LargeBinary),
    )
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "last_transfer_id": 0,
                "last_hash": GENESIS,
                "next_desk_seq": 1,
                "last_closure_number": 0,
                "last_closure_hash": GENESIS,
            }
        ],
    )
    assets = sa.Table(
        "ledger_asset",
        meta,
        sa.Column("code", sa.String),
        sa.Column("name", sa.String),
        sa.Column("kind", sa.String),
        sa.Column("payment_rank", sa.Integer),
        sa.Column("refundable", sa.Boolean),
    )
    op.bulk_insert(assets, STANDARD_ASSETS)
    accounts = sa.Table(
        "account",
        meta,
        sa.Column("name", sa.String),
        sa.Column("kind", sa.String),
        sa.Column("may_go_negative", sa.Boolean),
    )
    op.bulk_insert(
        accounts,
        [{"name": n, "kind": n.replace(":", "_"), "may_go_negative": True} for n in FIXED_ACCOUNTS],
    )


APPEND_ONLY = ("transfer", "closure")


def _append_only_triggers() -> None:
    """UPDATE and DELETE on the journal and the closures are refused by the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION regie_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'le journal est en ajout seul : % refusé sur %', "
            "TG_OP, TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION regie_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul : {action} refusé "
                f"sur {table}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS regie_append_only()")
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_debit_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_credit_id"))

    op.drop_table("transfer")
    op.drop_table("sales_summary")
    op.drop_table("pos")
    op.drop_table("balance")
    op.drop_table("product")
    op.drop_table("ledger_source")
    op.drop_table("ledger_head")
    op.drop_table("ledger_asset")
    op.drop_table("closure")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_kind"))

    op.drop_table("account")

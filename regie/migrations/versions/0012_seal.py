"""the seal: content in the chain, signed Z, a register over the audit trail, people, invoices

- ``ledger_head.content_from``: the transfers from this one on are chained by content (the
  names of their accounts, asset, point of sale and source), those before keep the old
  formula (ids) — their Z were closed and signed over those hashes; ``ledger_head.base_id``:
  this base's identity in the laptop's Z archive file; ``ledger_head.signed_from``: the first
  Z that must be signed.
- ``z_key`` (public keys that sign Z) and ``z_signature`` (append-only).
- ``seal_record`` (append-only, chained) and ``seal_head``: the audit trail's lines, the
  people and the invoices present at the upgrade are sealed as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import hashlib
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("z_signature", "seal_record")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column(
        "ledger_head",
        sa.Column("content_from", sa.BigInteger(), server_default="1", nullable=False),
    )
    op.add_column(
        "ledger_head", sa.Column("signed_from", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "ledger_head", sa.Column("base_id", sa.String(length=36), server_default="", nullable=False)
    )
    op.get_bind().execute(
        sa.text(
            "UPDATE ledger_head SET content_from = last_transfer_id + 1, "
            "signed_from = last_closure_number + 1, base_id = :base WHERE id = 1"
        ),
        {"base": str(uuid.uuid4())},
    )
    op.create_table(
        "z_key",
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_z_key")),
    )
    op.create_table(
        "z_signature",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_fingerprint", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_fingerprint"],
            ["z_key.fingerprint"],
            name=op.f("fk_z_signature_key_fingerprint_z_key"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_z_signature")),
    )
    op.create_table(
        "seal_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seal_record")),
    )
    op.create_table(
        "seal_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seal_head")),
    )
    op.get_bind().execute(
        sa.text("INSERT INTO seal_head (id, count, last_hash) VALUES (1, 0, :genesis)"),
        {"genesis": hashlib.sha256(b"regie-seal-genesis").digest()},
    )
    _append_only()
    _seal_what_exists()


def _append_only() -> None:
    if _postgresql():  # regie_append_only() comes from 0005
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
                f"BEGIN SELECT RAISE(ABORT, 'le sceau est en ajout seul : {action} refusé "
                f"sur {table}'); END"
            )


def _seal_what_exists() -> None:
    from regie.audit.seal_register import seal_rows

    bind = op.get_bind()
    for kind, table in (("audit", "audit_trail"), ("person", "person"), ("invoice", "invoice")):
        ids = list(bind.execute(sa.text(f"SELECT id FROM {table} ORDER BY id")).scalars())
        seal_rows(bind, kind, ids)


def downgrade() -> None:
    if _postgresql():
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.drop_table("seal_head")
    op.drop_table("seal_record")
    op.drop_table("z_signature")
    op.drop_table("z_key")
    with op.batch_alter_table("ledger_head") as batch_op:
        batch_op.drop_column("base_id")
        batch_op.drop_column("signed_from")
        batch_op.drop_column("content_from")

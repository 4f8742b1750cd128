"""people and audit trail

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("pin_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("pin_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )
    op.create_table(
        "audit_trail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_trail")),
    )
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_trail_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_trail_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_trail_at"), ["at"], unique=False)
    _append_only()


def _append_only() -> None:
    """Like the journal (0005): UPDATE and DELETE on the trail are refused by the database."""
    if op.get_bind().dialect.name == "postgresql":
        # regie_append_only() comes from 0005; its message names the table refused.
        op.execute(
            "CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail "
            "FOR EACH ROW EXECUTE FUNCTION regie_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_trail_no_{action.lower()} BEFORE {action} ON audit_trail "
            f"BEGIN SELECT RAISE(ABORT, 'le journal d''audit est en ajout seul : {action} "
            "refusé'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_trail_append_only ON audit_trail")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_trail_no_{action}")
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_trail_at"))
        batch_op.drop_index(batch_op.f("ix_audit_trail_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_trail_action"))
    op.drop_table("audit_trail")
    op.drop_table("person")

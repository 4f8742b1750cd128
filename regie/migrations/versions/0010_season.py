"""the season: transfers owned by events, statements by version, invoices by issuer

- ``transfer.event_id``: the prestation a transfer belongs to (NULL: « hors prestation »),
  indexed with the id; transfers already written are attributed by their local date, from
  the first day to the end of the day after the last (the loans' rule of
  :mod:`regie.ledger.attribution` is not replayed here: tills come back the next
  afternoon), the journal's triggers being lifted for that one statement and put back.
- ``sales_summary`` keyed by event too (0: hors prestation).
- ``prestation.kind`` (external, own) and ``prestation.scheme``.
- ``settlement_record``: several versions per prestation (a correction is a new one), and
  the cooperative's invoice drawn from it.
- ``invoice``: numbered per issuer, series and year; service dates and category of
  operation; ``invoice_counter`` per issuer.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# From a prestation's first day to the end of the day after its last (bars close after
# midnight, tills are brought back the next afternoon): what the loans would tell new imports.
DAY_AFTER = dt.timedelta(hours=48)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _spans() -> list[tuple[int, int, int, str, str]]:
    """(id, first local second, end local second, first hour, end hour) per prestation."""
    rows = op.get_bind().execute(sa.text("SELECT id, starts_on, ends_on FROM prestation"))
    spans = []
    for id_, starts_on, ends_on in rows:
        if isinstance(starts_on, str):
            starts_on, ends_on = dt.date.fromisoformat(starts_on), dt.date.fromisoformat(ends_on)
        start = dt.datetime.combine(starts_on, dt.time(), tzinfo=dt.UTC)
        end = dt.datetime.combine(ends_on, dt.time(), tzinfo=dt.UTC) + DAY_AFTER
        spans.append(
            (
                id_,
                int(start.timestamp()),
                int(end.timestamp()),
                start.strftime("%Y-%m-%dT%H"),
                end.strftime("%Y-%m-%dT%H"),
            )
        )
    return spans


def _without_journal_triggers(statements: list[tuple[str, dict[str, object]]]) -> None:
    bind = op.get_bind()
    if _postgresql():
        op.execute("ALTER TABLE transfer DISABLE TRIGGER transfer_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS transfer_no_update")
    for sql, params in statements:
        bind.execute(sa.text(sql), params)
    if _postgresql():
        op.execute("ALTER TABLE transfer ENABLE TRIGGER transfer_append_only")
    else:
        op.execute(
            "CREATE TRIGGER transfer_no_update BEFORE UPDATE ON transfer "
            "BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul : UPDATE refusé "
            "sur transfer'); END"
        )


def upgrade() -> None:
    with op.batch_alter_table("prestation") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), server_default="external", nullable=False)
        )
        batch_op.add_column(
            sa.Column("scheme", sa.String(length=16), server_default="convention", nullable=False)
        )

    # The partner's own festivals (it is its own client) are its own events.
    partner = op.get_bind().scalar(
        sa.text(
            "SELECT value FROM convention_setting WHERE name = 'partner' "
            "ORDER BY valid_from DESC LIMIT 1"
        )
    )
    op.get_bind().execute(
        sa.text(
            "UPDATE prestation SET kind = 'own' WHERE client_id IN "
            "(SELECT id FROM organisation WHERE short_name = :partner)"
        ),
        {"partner": partner or "Mamasound"},
    )

    # transfer: a plain ADD COLUMN (the journal is never copied, its triggers stay).
    if _postgresql():
        op.add_column("transfer", sa.Column("event_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_transfer_event_id_prestation"), "transfer", "prestation", ["event_id"], ["id"]
        )
    else:
        op.execute(
            "ALTER TABLE transfer ADD COLUMN event_id INTEGER "
            "CONSTRAINT fk_transfer_event_id_prestation REFERENCES prestation (id)"
        )
    spans = _spans()
    local = "at + tz_minutes * 60"
    _without_journal_triggers(
        [
            (
                f"UPDATE transfer SET event_id = :id WHERE event_id IS NULL "
                f"AND {local} >= :start AND {local} < :end",
                {"id": id_, "start": start, "end": end},
            )
            for id_, start, end, _h1, _h2 in spans
        ]
    )
    op.create_index("ix_transfer_event_id_id", "transfer", ["event_id", "id"], unique=False)

    # sales_summary: a cache, copied into a new shape with the event in its key.
    op.execute("CREATE TABLE sales_summary_old AS SELECT * FROM sales_summary")
    op.drop_table("sales_summary")
    op.create_table(
        "sales_summary",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("pos_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False),
        sa.Column("vat_bp", sa.Integer(), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["pos_id"], ["pos.id"], name=op.f("fk_sales_summary_pos_id_pos")),
        sa.PrimaryKeyConstraint(
            "event_id", "pos_id", "product", "vat_bp", "hour", name=op.f("pk_sales_summary")
        ),
    )
    op.execute(
        "INSERT INTO sales_summary (event_id, pos_id, product, vat_bp, hour, quantity, amount) "
        "SELECT 0, pos_id, product, vat_bp, hour, quantity, amount FROM sales_summary_old"
    )
    op.execute("DROP TABLE sales_summary_old")
    bind = op.get_bind()
    for id_, _start, _end, first_hour, end_hour in spans:
        bind.execute(
            sa.text(
                "UPDATE sales_summary SET event_id = :id WHERE event_id = 0 "
                "AND hour >= :first AND hour < :end"
            ),
            {"id": id_, "first": first_hour, "end": end_hour},
        )

    with op.batch_alter_table("settlement_record") as batch_op:
        batch_op.drop_constraint("uq_settlement_record_prestation_id", type_="unique")
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("invoice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_settlement_record_invoice_id_invoice"), "invoice", ["invoice_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            op.f("uq_settlement_record_prestation_id"), ["prestation_id", "version"]
        )

    with op.batch_alter_table("invoice") as batch_op:
        batch_op.drop_constraint("uq_invoice_series", type_="unique")
        batch_op.drop_constraint("uq_invoice_reference", type_="unique")
        batch_op.add_column(sa.Column("service_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("service_to", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("operation", sa.String(length=20), server_default="services", nullable=False)
        )
        batch_op.create_unique_constraint(
            op.f("uq_invoice_issuer_number"), ["issuer_id", "series", "year", "number"]
        )
        batch_op.create_unique_constraint(
            op.f("uq_invoice_issuer_reference"), ["issuer_id", "reference"]
        )

    # The counter per issuer: what each issuer has numbered so far.
    op.drop_table("invoice_counter")
    op.create_table(
        "invoice_counter",
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["organisation.id"],
            name=op.f("fk_invoice_counter_issuer_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("issuer_id", "series", "year", name=op.f("pk_invoice_counter")),
    )
    op.execute(
        "INSERT INTO invoice_counter (issuer_id, series, year, last_number) "
        "SELECT issuer_id, series, year, MAX(number) FROM invoice GROUP BY issuer_id, series, year"
    )


def downgrade() -> None:
    op.drop_table("invoice_counter")
    op.create_table(
        "invoice_counter",
        sa.Column("series", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_invoice_counter")),
    )
    op.execute(
        "INSERT INTO invoice_counter (series, year, last_number) "
        "SELECT series, year, MAX(number) FROM invoice GROUP BY series, year"
    )
    with op.batch_alter_table("invoice") as batch_op:
        batch_op.drop_constraint("uq_invoice_issuer_reference", type_="unique")
        batch_op.drop_constraint("uq_invoice_issuer_number", type_="unique")
        batch_op.drop_column("operation")
        batch_op.drop_column("service_to")
        batch_op.drop_column("service_from")
        batch_op.create_unique_constraint("uq_invoice_reference", ["reference"])
        batch_op.create_unique_constraint("uq_invoice_series", ["series", "year", "number"])
    with op.batch_alter_table("settlement_record") as batch_op:
        batch_op.drop_constraint("uq_settlement_record_prestation_id", type_="unique")
        batch_op.drop_constraint("fk_settlement_record_invoice_id_invoice", type_="foreignkey")
        batch_op.drop_column("invoice_id")
        batch_op.drop_column("version")
        batch_op.create_unique_constraint("uq_settlement_record_prestation_id", ["prestation_id"])

    op.execute("CREATE TABLE sales_summary_old AS SELECT * FROM sales_summary")
    op.drop_table("sales_summary")
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
    op.execute(
        "INSERT INTO sales_summary (pos_id, product, vat_bp, hour, quantity, amount) "
        "SELECT pos_id, product, vat_bp, hour, SUM(quantity), SUM(amount) FROM sales_summary_old "
        "GROUP BY pos_id, product, vat_bp, hour"
    )
    op.execute("DROP TABLE sales_summary_old")

    op.drop_index("ix_transfer_event_id_id", table_name="transfer")
    if _postgresql():
        op.drop_constraint("fk_transfer_event_id_prestation", "transfer", type_="foreignkey")
        op.drop_column("transfer", "event_id")
    else:  # SQLite copies the journal to drop a column with a key: put its triggers back
        with op.batch_alter_table("transfer", recreate="always") as batch_op:
            batch_op.drop_column("event_id")
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER transfer_no_{action.lower()} BEFORE {action} ON transfer "
                f"BEGIN SELECT RAISE(ABORT, 'le journal est en ajout seul : {action} refusé "
                f"sur transfer'); END"
            )
    with op.batch_alter_table("prestation") as batch_op:
        batch_op.drop_column("scheme")
        batch_op.drop_column("kind")

"""What the seal covers of each sealed record: its content, read back from the base.

Each reader returns ``{subject: (digest, label)}`` for the rows asked (``ids``) or for all:
the same function seals at write time, at the upgrade that brought the seal (0012), and
recomputes at ``regie verify``. Content, not ids: an invoice names its issuer and client by
their short names and its lines by their content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from regie.models import Organisation, Prestation
from regie.people.models import AuditEntry, Person
from regie.settlement.models import Invoice, InvoiceLine

GONE = hashlib.sha256(b"regie-seal-gone").digest()  # a record Régie itself removed
SEAL_GENESIS = hashlib.sha256(b"regie-seal-genesis").digest()

Sealed = dict[str, tuple[bytes, str]]


def digest(values: Iterable[Any]) -> bytes:
    return hashlib.sha256("\x1f".join(map(_text, values)).encode()).digest()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dt.datetime):  # SQLite gives back naive UTC, PostgreSQL aware
        aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


AUDIT_COLUMNS = ("id", "at", "actor", "role", "action", "subject", "template", "params")
INVOICE_COLUMNS = (
    "id",
    "reference",
    "series",
    "year",
    "number",
    "kind",
    "issued_on",
    "due_on",
    "currency",
    "total_excl_cents",
    "total_vat_cents",
    "total_incl_cents",
    "vat_exemption",
    "payment_terms",
    "late_penalties",
    "notes",
    "service_from",
    "service_to",
    "operation",
)
LINE_COLUMNS = (
    "invoice_id",
    "position",
    "label",
    "kind",
    "quantity_milli",
    "unit_cents",
    "vat_bp",
    "total_excl_cents",
)


def audit_values(row: Any) -> tuple[Any, ...]:
    return (row.at, row.actor, row.role, row.action, row.subject, row.template, row.params)


def audit_lines(connection: Connection, ids: Iterable[int] | None = None) -> Sealed:
    query = select(*(getattr(AuditEntry, name) for name in AUDIT_COLUMNS))
    if ids is not None:
        query = query.where(AuditEntry.id.in_(list(ids)))
    return {
        str(row.id): (digest(audit_values(row)), str(row.id)) for row in connection.execute(query)
    }


def people(connection: Connection, ids: Iterable[int] | None = None) -> Sealed:
    # Named columns, not the table: later migrations may add columns a seal does not cover
    # (the upgrade that brought the seal reads the tables as they were then).
    query = select(
        Person.id, Person.name, Person.role, Person.active, Person.pin_salt, Person.pin_hash
    )
    if ids is not None:
        query = query.where(Person.id.in_(list(ids)))
    return {
        str(row.id): (
            digest((row.name, row.role, row.active, row.pin_salt, row.pin_hash)),
            row.name,
        )
        for row in connection.execute(query)
    }


def invoices(connection: Connection, ids: Iterable[int] | None = None) -> Sealed:
    issuer, client, credited = aliased(Organisation), aliased(Organisation), aliased(Invoice)
    query = (
        select(
            *(getattr(Invoice, name) for name in INVOICE_COLUMNS),
            issuer.short_name.label("issuer"),
            client.short_name.label("client"),
            Prestation.name.label("prestation"),
            credited.reference.label("credited"),
        )
        .join(issuer, issuer.id == Invoice.issuer_id)
        .join(client, client.id == Invoice.client_id)
        .outerjoin(Prestation, Prestation.id == Invoice.prestation_id)
        .outerjoin(credited, credited.id == Invoice.credited_id)
    )
    line_query = select(*(getattr(InvoiceLine, name) for name in LINE_COLUMNS)).order_by(
        InvoiceLine.invoice_id, InvoiceLine.position
    )
    if ids is not None:
        wanted = list(ids)
        query = query.where(Invoice.id.in_(wanted))
        line_query = line_query.where(InvoiceLine.invoice_id.in_(wanted))
    lines: dict[int, list[Any]] = {}
    for line in connection.execute(line_query):
        lines.setdefault(line.invoice_id, []).extend(
            (
                line.position,
                line.label,
                line.kind,
                line.quantity_milli,
                line.unit_cents,
                line.vat_bp,
                line.total_excl_cents,
            )
        )
    sealed: Sealed = {}
    for row in connection.execute(query):
        values = (
            row.reference,
            row.series,
            row.year,
            row.number,
            row.kind,
            row.issued_on,
            row.due_on,
            row.issuer,
            row.client,
            row.prestation,
            row.credited,
            row.currency,
            row.total_excl_cents,
            row.total_vat_cents,
            row.total_incl_cents,
            row.vat_exemption,
            row.payment_terms,
            row.late_penalties,
            row.notes,
            row.service_from,
            row.service_to,
            row.operation,
            *lines.get(row.id, ()),
        )
        sealed[str(row.id)] = (digest(values), f"{row.kind}:{row.reference}")
    return sealed


# kind → reader; the tables whose flushed rows make a record of that kind be sealed again.
READERS: dict[str, Callable[[Connection, Iterable[int] | None], Sealed]] = {
    "audit": audit_lines,
    "person": people,
    "invoice": invoices,
}
TABLES = {
    # Audit lines the recorder does not write itself (a refused sign-in, an unsigned import,
    # a restore: written below the audit layer, through the session) are sealed as flushed.
    "audit_trail": ("audit", "id"),
    "person": ("person", "id"),
    "invoice": ("invoice", "id"),
    "invoice_line": ("invoice", "invoice_id"),
}

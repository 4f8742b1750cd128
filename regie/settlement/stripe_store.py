"""Stripe objects into the settlement tables: mapping from the API's shapes, and upserts.

The API's objects (dicts shaped as Stripe documents them) and the CSV report's lines both
end up in the same rows, so reconciliation does not care where they came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from regie.settlement.models import (
    StripeBalanceTransaction,
    StripePayment,
    StripePayout,
    StripeRefund,
)

CARD_KEYS = ("card_uid", "card", "regie_card")


def _id(value: Any) -> str:
    """An id, whether the API gave it as a string or expanded it into an object."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def card_from_metadata(metadata: Any) -> str:
    if not isinstance(metadata, dict):
        return ""
    for key in CARD_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().upper()
    return ""


def payment_row(obj: dict[str, Any], origin: str = "api") -> dict[str, Any]:
    charge = obj.get("latest_charge")
    method = ""
    types = obj.get("payment_method_types") or []
    if isinstance(charge, dict):
        method = str((charge.get("payment_method_details") or {}).get("type") or "")
    if not method and types:
        method = "card_present" if "card_present" in types else str(types[0])
    return {
        "id": obj["id"],
        "amount": int(obj["amount"]),
        "amount_received": int(obj.get("amount_received") or 0),
        "amount_refunded": int(charge.get("amount_refunded") or 0)
        if isinstance(charge, dict)
        else 0,
        "currency": str(obj["currency"]).upper(),
        "status": str(obj["status"]),
        "created": int(obj["created"]),
        "method": method,
        "card_uid": card_from_metadata(obj.get("metadata")),
        "charge_id": _id(charge),
        "origin": origin,
    }


def balance_row(
    obj: dict[str, Any], payment_of: dict[str, str], payout: str = "", origin: str = "api"
) -> dict[str, Any]:
    """``payment_of`` maps charge and refund ids to their PaymentIntent."""
    source = _id(obj.get("source"))
    return {
        "id": obj["id"],
        "type": str(obj.get("type") or ""),
        "reporting_category": str(obj.get("reporting_category") or obj.get("type") or ""),
        "amount": int(obj["amount"]),
        "fee": int(obj.get("fee") or 0),
        "net": int(obj["net"]),
        "currency": str(obj["currency"]).upper(),
        "created": int(obj["created"]),
        "available_on": int(obj.get("available_on") or obj["created"]),
        "source": source,
        "payment_intent": payment_of.get(source, ""),
        "payout": payout,
        "description": str(obj.get("description") or ""),
        "origin": origin,
    }


def payout_row(obj: dict[str, Any], origin: str = "api") -> dict[str, Any]:
    return {
        "id": obj["id"],
        "amount": int(obj["amount"]),
        "currency": str(obj["currency"]).upper(),
        "arrival_date": int(obj.get("arrival_date") or obj.get("created") or 0),
        "status": str(obj.get("status") or ""),
        "automatic": bool(obj.get("automatic", True)),
        "origin": origin,
    }


def refund_row(obj: dict[str, Any], payment_of: dict[str, str]) -> dict[str, Any]:
    charge = _id(obj.get("charge"))
    metadata = obj.get("metadata") or {}
    return {
        "id": obj["id"],
        "payment_intent": _id(obj.get("payment_intent")) or payment_of.get(charge, ""),
        "charge": charge,
        "amount": int(obj["amount"]),
        "currency": str(obj.get("currency") or "eur").upper(),
        "status": str(obj.get("status") or ""),
        "created": int(obj.get("created") or 0),
        "refund_item": str(metadata.get("regie_item") or "") if isinstance(metadata, dict) else "",
    }


def upsert(
    session: Session,
    model: type[StripePayment | StripeBalanceTransaction | StripePayout | StripeRefund],
    rows: Sequence[dict[str, Any]],
    *,
    keep: Iterable[str] = (),
) -> None:
    """Insert or update by id; ``keep`` columns are not overwritten with empty values."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    kept = set(keep)
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        statement = insert(table)
        updates = {
            column: (
                statement.excluded[column]
                if column not in kept
                else _keep_non_empty(table, statement, column)
            )
            for column in chunk[0]
            if column != "id"
        }
        session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=updates), chunk)


def _keep_non_empty(table: Table, statement: Any, column: str) -> Any:
    from sqlalchemy import case

    new = statement.excluded[column]
    return case((new == "", table.c[column]), else_=new)

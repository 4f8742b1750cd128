"""Offline path: Stripe's itemized payout reconciliation report (CSV) into the same tables.

The report (Dashboard → Reports → Payout reconciliation → "Itemized", or the report type
``payout_reconciliation.itemized.5``) has one line per balance transaction settled by an
automatic payout. Amounts are decimal strings in major units (``"20.00"``): parsed exactly,
never through a float. Each bad line is reported with the file, the line and the column;
a file with any bad line imports nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from regie import clock, limits
from regie.db import Database, sync_once_committed
from regie.errors import UserError, unreadable
from regie.i18n import _, ngettext
from regie.settlement import stripe_store as store
from regie.settlement.models import (
    StripeBalanceTransaction,
    StripePayment,
    StripePayout,
    StripeRefund,
    StripeSync,
)

REQUIRED = (
    "automatic_payout_id",
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
)
_ID = limits.length_of(StripeBalanceTransaction.id)
# Every cell read and the length of the column it goes to: the same cap on every base.
CAPS = {
    "automatic_payout_id": limits.length_of(StripePayout.id),
    "balance_transaction_id": _ID,
    "source_id": limits.length_of(StripeBalanceTransaction.source),
    "payment_intent_id": limits.length_of(StripeBalanceTransaction.payment_intent),
    "charge_id": limits.length_of(StripePayment.charge_id),
    "currency": limits.length_of(StripeBalanceTransaction.currency),
    "reporting_category": limits.length_of(StripeBalanceTransaction.reporting_category),
    "payment_method_type": limits.length_of(StripePayment.method),
    "refund_metadata[regie_item]": limits.length_of(StripeRefund.refund_item),
    "created_utc": 40,
    "available_on_utc": 40,
    "automatic_payout_effective_at_utc": 40,
    "gross": limits.MAX_NUMBER_TEXT,
    "fee": limits.MAX_NUMBER_TEXT,
    "net": limits.MAX_NUMBER_TEXT,
}
CARD_CAP = limits.length_of(StripePayment.card_uid)  # any payment_metadata[…] column
# Stripe writes « -1.50 »: a sign, digits, one point; nothing else is an amount.
_AMOUNT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$", re.ASCII)

# Currencies without minor units (Stripe's list); EUR has two decimals.
ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}


@dataclass(kw_only=True)
class ReportResult:
    lines: int = 0
    payouts: int = 0
    charges: int = 0
    refunds: int = 0
    fees_cents: int = 0
    problems: list[str] = field(default_factory=list)


class ReportRejected(UserError):
    pass


def minor_units(text: str, currency: str) -> int:
    """``"20.00"`` → 2000 exactly; ``"-1.5"`` → -150; raises ValueError otherwise (an
    exponent, « ² », beyond ±limits.MAX_CENTS)."""
    written = text.strip()
    if len(written) > limits.MAX_NUMBER_TEXT or not _AMOUNT.match(written):
        raise ValueError(_("montant illisible « {text} »").format(text=text[:40]))
    try:
        value = Decimal(written)
    except InvalidOperation:  # pragma: no cover - _AMOUNT lets only plain decimals through
        raise ValueError(_("montant illisible « {text} »").format(text=text)) from None
    scaled = value if currency.lower() in ZERO_DECIMAL else value * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(_("trop de décimales : « {text} »").format(text=text))
    return limits.amount(int(scaled), negative=True)


def timestamp(text: str) -> int:
    """``2026-07-15 00:00:00`` (UTC, as the ``*_utc`` columns are) → seconds."""
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


class BadCell(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _bounded(row: dict[str, str]) -> None:
    """Every cell within its column's length, free of control characters (a description may
    hold line breaks)."""
    for column, value in row.items():
        if not isinstance(value, str) or not value:
            continue
        try:
            if column == "description":
                limits.free_text(value)
            else:
                cap = CARD_CAP if column.startswith("payment_metadata[") else None
                limits.text(value, CAPS.get(column) or cap or limits.MAX_NOTE)
        except limits.OutOfBounds as error:
            raise BadCell(column, str(error)) from None


def parse_line(row: dict[str, str]) -> dict[str, Any]:
    if None in row:  # more cells than the header has columns: the first one past them
        raise BadCell(f"n°{len(row)}", _("plus de valeurs que de colonnes"))
    _bounded(row)
    for column in ("balance_transaction_id", "currency", "reporting_category"):
        if not _cell(row, column):
            raise BadCell(column, "obligatoire")
    currency = _cell(row, "currency")
    amounts = {}
    for column in ("gross", "fee", "net"):
        try:
            amounts[column] = minor_units(_cell(row, column), currency)
        except ValueError as error:
            raise BadCell(column, str(error)) from None
    if amounts["gross"] - amounts["fee"] != amounts["net"]:
        raise BadCell("net", f"brut − frais ≠ net ({amounts['gross']} − {amounts['fee']})")
    created = {}
    for column in ("created_utc", "available_on_utc", "automatic_payout_effective_at_utc"):
        text = _cell(row, column)
        if text:
            try:
                created[column] = timestamp(text)
            except ValueError:
                raise BadCell(column, _("date illisible « {text} »").format(text=text)) from None
    if "created_utc" not in created:
        raise BadCell("created_utc", _("obligatoire"))
    return {"currency": currency, **amounts, **created}


def read_report(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise unreadable(path, error) from error
    except UnicodeDecodeError:
        raise UserError(
            _("{path} : ce n'est pas un fichier CSV en UTF-8").format(path=path)
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise UserError(
            ngettext(
                "{path}, ligne 1 : colonne manquante {missing} — est-ce bien le rapport "
                "« rapprochement des virements, détaillé » de Stripe ?",
                "{path}, ligne 1 : colonnes manquantes {missing} — est-ce bien le rapport "
                "« rapprochement des virements, détaillé » de Stripe ?",
                len(missing),
            ).format(path=path, missing=", ".join(missing))
        )
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as error:  # a cell of 100,000 characters, a stray quote…
        raise UserError(
            _("{path}, ligne {line} : CSV illisible ({reason})").format(
                path=path, line=reader.line_num, reason=error
            )
        ) from None
    return rows, header


def import_report(db: Database, path: Path) -> ReportResult:
    """Import the report in one transaction: everything, or nothing and every problem."""
    result = ReportResult()
    lines, header = read_report(path)
    card_columns = [c for c in header if c.startswith("payment_metadata[")]
    txns: list[dict[str, Any]] = []
    payments: dict[str, dict[str, Any]] = {}
    refunds: list[dict[str, Any]] = []
    payouts: dict[str, dict[str, Any]] = {}
    for number, row in lines:
        result.lines += 1
        try:
            parsed = parse_line(row)
        except BadCell as error:
            result.problems.append(f"{path}, ligne {number}, colonne {error.column} : {error}")
            continue
        category = _cell(row, "reporting_category")
        source = _cell(row, "source_id")
        intent = _cell(row, "payment_intent_id")
        payout = _cell(row, "automatic_payout_id")
        created = parsed["created_utc"]
        txns.append(
            {
                "id": _cell(row, "balance_transaction_id"),
                "type": category,
                "reporting_category": category,
                "amount": parsed["gross"],
                "fee": parsed["fee"],
                "net": parsed["net"],
                "currency": parsed["currency"].upper(),
                "created": created,
                "available_on": parsed.get("available_on_utc", created),
                "source": source,
                "payment_intent": intent,
                "payout": payout,
                "description": _cell(row, "description"),
                "origin": "csv",
            }
        )
        result.fees_cents += parsed["fee"]
        if category == "charge" and intent:
            metadata = {c[len("payment_metadata[") : -1]: _cell(row, c) for c in card_columns}
            payments[intent] = {
                "id": intent,
                "amount": parsed["gross"],
                "amount_received": parsed["gross"],
                "amount_refunded": 0,
                "currency": parsed["currency"].upper(),
                "status": "succeeded",
                "created": created,
                "method": _cell(row, "payment_method_type"),
                "card_uid": store.card_from_metadata(metadata),
                "charge_id": _cell(row, "charge_id") or source,
                "origin": "csv",
            }
            result.charges += 1
        elif category == "refund" and source.startswith(("re_", "pyr_")):
            refunds.append(
                {
                    "id": source,
                    "payment_intent": intent,
                    "charge": _cell(row, "charge_id"),
                    "amount": -parsed["gross"],
                    "currency": parsed["currency"].upper(),
                    "status": "succeeded",
                    "created": created,
                    "refund_item": _cell(row, "refund_metadata[regie_item]"),
                }
            )
            result.refunds += 1
        if payout:
            entry = payouts.setdefault(
                payout,
                {
                    "id": payout,
                    "amount": 0,
                    "currency": parsed["currency"].upper(),
                    "arrival_date": parsed.get("automatic_payout_effective_at_utc", created),
                    "status": "paid",
                    "automatic": True,
                    "origin": "csv",
                },
            )
            entry["amount"] += parsed["net"]
    if result.problems:
        shown = result.problems[:30]
        if len(result.problems) > 30:
            more = len(result.problems) - 30
            shown.append(ngettext("… et {n} autre", "… et {n} autres", more).format(n=more))
        raise ReportRejected("\n".join([*shown, _("Rien n'a été importé.")]))
    result.payouts = len(payouts)
    with db.session() as session:
        sync_once_committed(session)
        # What the API already said about a payment (its card, its method) is kept.
        store.upsert(session, StripePayment, list(payments.values()), keep=("card_uid", "method"))
        store.upsert(session, StripeRefund, refunds, keep=("refund_item", "payment_intent"))
        store.upsert(session, StripeBalanceTransaction, txns)
        store.upsert(session, StripePayout, list(payouts.values()))
        session.add(
            StripeSync(origin="csv", at=clock.now(), summary=f"{path.name}: {result.lines}")
        )
    return result

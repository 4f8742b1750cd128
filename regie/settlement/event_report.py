"""The event report's figures: what a Z ticket gives, and more (plain values for any face).

Every figure of a named event comes from the transfers attributed to it (``transfer.event_id``)
and the sales summary's rows of that event: two events in one base never see each other's
bars, products or turnover. Read from the caches and a few grouped scans of the journal (by
the index on event and id), so a festival of a million transfers reports in a few seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from regie.i18n import local_time
from regie.ledger import reports
from regie.ledger.closures import event_scope
from regie.ledger.models import Account, Balance, Closure, LedgerAsset, PointOfSale, Transfer
from regie.settlement.events import Event, find_event
from regie.settlement.indicators import moved_wallets
from regie.settlement.models import StripeBalanceTransaction
from regie.settlement.shared_costs import stripe_fees_by_event


@dataclass(frozen=True)
class VatRow:
    rate_bp: int
    gross_cents: int  # incl. VAT, as sold

    @property
    def excl_cents(self) -> int:
        return (self.gross_cents * 10000 * 2 + 10000 + self.rate_bp) // (2 * (10000 + self.rate_bp))

    @property
    def vat_cents(self) -> int:
        return self.gross_cents - self.excl_cents


@dataclass(frozen=True)
class ClosureRow:
    number: int
    scope: str
    closed_at: dt.datetime
    sales_cents: int
    grand_total_cents: int


@dataclass
class EventReport:
    event: Event | None
    title: str
    sales_by_pos: list[reports.SalesRow] = field(default_factory=list)
    sales_by_product: list[reports.SalesRow] = field(default_factory=list)
    sales_by_category: list[reports.SalesRow] = field(default_factory=list)
    sales_by_hour: list[reports.SalesRow] = field(default_factory=list)
    vat: list[VatRow] = field(default_factory=list)
    topups: list[tuple[str, str, int, int]] = field(default_factory=list)  # method, asset, n, ¢
    refunds: list[tuple[str, int, int]] = field(default_factory=list)  # method, count, cents
    sales_count: int = 0
    sales_cents: int = 0
    cards_used: int = 0
    median_topup_cents: int = 0
    left_on_cards: dict[str, int] = field(default_factory=dict)
    stripe_fees_cents: int = 0
    stripe_fees_booked_cents: int = 0
    melted: dict[str, int] = field(default_factory=dict)
    closures: list[ClosureRow] = field(default_factory=list)

    @property
    def average_basket_cents(self) -> int:
        return (
            (self.sales_cents + self.sales_count // 2) // self.sales_count
            if self.sales_count
            else 0
        )


def _median(histogram: dict[int, int]) -> int:
    total = sum(histogram.values())
    if not total:
        return 0
    seen, middle = 0, (total + 1) // 2
    for amount in sorted(histogram):
        seen += histogram[amount]
        if seen >= middle:
            return amount
    return 0


def _balances(
    session: Session, *, kind: str = "", name: str = "", event_id: int | None = None
) -> dict[str, int]:
    """What accounts of ``kind`` (or the one called ``name``) hold now, per asset; with
    ``event_id``, of the wallets that event moved only."""
    query = (
        select(LedgerAsset.code, func.sum(Balance.amount))
        .join(Balance, Balance.asset_id == LedgerAsset.id)
        .join(Account, Balance.account_id == Account.id)
        .group_by(LedgerAsset.code)
        .order_by(LedgerAsset.code)
    )
    query = query.where(Account.kind == kind) if kind else query.where(Account.name == name)
    if event_id is not None:
        moved = moved_wallets([event_id])
        query = query.where(Account.id.in_(select(moved.c.id)))
    return {code: int(amount) for code, amount in session.execute(query) if amount}


def _moved_to(session: Session, name: str, event_id: int) -> dict[str, int]:
    """What the event's transfers moved into the account ``name`` (net), per asset."""
    account = session.scalar(select(Account.id).where(Account.name == name))
    if account is None:
        return {}
    amount = case((Transfer.credit_id == account, Transfer.amount), else_=-Transfer.amount)
    return {
        code: int(total)
        for code, total in session.execute(
            select(LedgerAsset.code, func.sum(amount))
            .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
            .where(Transfer.event_id == event_id)
            .where((Transfer.credit_id == account) | (Transfer.debit_id == account))
            .group_by(LedgerAsset.code)
            .order_by(LedgerAsset.code)
        )
        if total
    }


def event_report(session: Session, name: str = "") -> EventReport:
    """Every figure of the report of the prestation called ``name``, from the transfers
    attributed to it only (regie.ledger.attribution); without a name, of the whole ledger."""
    event = find_event(session, name) if name else None
    report = EventReport(event, f"Rapport d'événement — {name}" if name else "Rapport d'événement")
    event_id = event.id if event else reports.EVERY_EVENT
    mine = [Transfer.event_id == event.id] if event else []
    report.sales_by_pos = reports.sales(session, "pos", event_id=event_id)
    report.sales_by_product = reports.sales(session, "product", event_id=event_id)
    report.sales_by_category = reports.sales(session, "category", event_id=event_id)
    report.sales_by_hour = reports.sales(session, "hour", event_id=event_id)
    report.vat = [
        VatRow(int(row.key), row.amount) for row in reports.sales(session, "vat", event_id=event_id)
    ]
    report.topups = reports.topups_by_method(session, event_id=event_id)
    sign = case((Transfer.op == "void", -1), else_=1)
    for op, method, count, amount in session.execute(
        select(
            Transfer.op,
            Transfer.method,
            func.sum(case((Transfer.leg == 0, sign), else_=0)),
            func.sum(sign * Transfer.amount),
        )
        .where(Transfer.op.in_(("sale", "refund", "void")), *mine)
        .where((Transfer.op != "void") | Transfer.details.startswith("["))
        .group_by(Transfer.op, Transfer.method)
    ):
        if op == "refund":
            report.refunds.append((method, int(count), int(amount)))
        else:  # sales, and voided sales taken off
            report.sales_count += int(count)
            report.sales_cents += int(amount)
    histogram = {
        int(amount): int(count)
        for amount, count in session.execute(
            select(Transfer.amount, func.count())
            .where(Transfer.op == "topup", Transfer.leg == 0, *mine)
            .group_by(Transfer.amount)
        )
    }
    report.median_topup_cents = _median(histogram)
    if event is None:
        fees = select(func.coalesce(func.sum(StripeBalanceTransaction.fee), 0))
        report.stripe_fees_cents = int(session.scalar(fees) or 0)
    else:  # each fee in one event only, as in the statements
        report.stripe_fees_cents = stripe_fees_by_event(session).get(event.id, 0)
    if event is None:
        report.cards_used = int(
            session.scalar(
                select(func.count()).select_from(Account).where(Account.kind == "wallet")
            )
            or 0
        )
        report.left_on_cards = _balances(session, kind="wallet")
        report.stripe_fees_booked_cents = -sum(_balances(session, name="stripe:fees").values())
        report.melted = _balances(session, name="melted")
        closures = select(Closure)
    else:
        moved = moved_wallets([event.id])
        report.cards_used = int(session.scalar(select(func.count()).select_from(moved)) or 0)
        report.left_on_cards = _balances(session, kind="wallet", event_id=event.id)
        report.stripe_fees_booked_cents = sum(_moved_to(session, "stripe:fees", event.id).values())
        report.melted = _moved_to(session, "melted", event.id)
        closures = select(Closure).where(_closure_of(event))
    for closure in session.scalars(closures.order_by(Closure.number)):
        totals = orjson.loads(closure.totals)
        row = ClosureRow(
            number=closure.number,
            scope=closure.scope,
            closed_at=closure.closed_at,
            sales_cents=int(totals["sales_total"]),
            grand_total_cents=closure.grand_total,
        )
        report.closures.append(row)
    return report


def _closure_of(event: Event) -> Any:
    """The Z of the event, and the tills' Z that hold at least one of its transfers."""
    inside = (
        select(Transfer.id)
        .where(Transfer.event_id == event.id)
        .where(Transfer.pos_id == PointOfSale.id, PointOfSale.name == func.substr(Closure.scope, 5))
        .where(Transfer.id >= Closure.first_transfer_id, Transfer.id <= Closure.last_transfer_id)
        .exists()
    )
    return (Closure.scope == event_scope(event.name)) | (Closure.scope.startswith("pos:") & inside)


def _rows(rows: list[reports.SalesRow]) -> list[dict[str, Any]]:
    return [{"key": row.key, "quantity": row.quantity, "cents": row.amount} for row in rows]


def report_figures(report: EventReport) -> dict[str, Any]:
    """The report's figures as plain values (cents, English keys) for ``regie report --json``:
    stable, so other tools and tests read figures, not wording."""
    event = report.event
    return {
        "event": None
        if event is None
        else {
            "name": event.name,
            "client": event.client,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
            "place": event.place,
        },
        "sales_cents": report.sales_cents,
        "sales_count": report.sales_count,
        "average_basket_cents": report.average_basket_cents,
        "cards_used": report.cards_used,
        "median_topup_cents": report.median_topup_cents,
        "left_on_cards_cents": report.left_on_cards,
        "stripe_fees_cents": report.stripe_fees_cents,
        "stripe_fees_booked_cents": report.stripe_fees_booked_cents,
        "melted_cents": report.melted,
        "sales_by_pos": _rows(report.sales_by_pos),
        "sales_by_product": _rows(report.sales_by_product),
        "sales_by_category": _rows(report.sales_by_category),
        "sales_by_hour": _rows(report.sales_by_hour),
        "vat": [
            {
                "rate_bp": row.rate_bp,
                "gross_cents": row.gross_cents,
                "excl_cents": row.excl_cents,
                "vat_cents": row.vat_cents,
            }
            for row in report.vat
        ],
        "topups": [
            {"method": method, "asset": asset, "count": count, "cents": cents}
            for method, asset, count, cents in report.topups
        ],
        "refunds": [
            {"method": method, "count": count, "cents": cents}
            for method, count, cents in report.refunds
        ],
        "closures": [
            {
                "number": z.number,
                "scope": z.scope,
                "closed_at": local_time(z.closed_at).isoformat(),
                "sales_cents": z.sales_cents,
                "grand_total_cents": z.grand_total_cents,
            }
            for z in report.closures
        ],
    }

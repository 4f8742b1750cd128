"""The event report's figures: what a Z ticket gives, and more (plain values for any face).

Read from the ledger's caches (sales summary, balances) and a few grouped scans of the
journal, so a festival of a million transfers reports in a couple of seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from regie.ledger import reports
from regie.ledger.models import Account, Balance, Closure, LedgerAsset, Transfer
from regie.settlement.events import Event, find_event
from regie.settlement.models import StripeBalanceTransaction


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


def _balances_of_kind(session: Session, *, kind: str = "", name: str = "") -> dict[str, int]:
    query = (
        select(LedgerAsset.code, func.sum(Balance.amount))
        .join(Balance, Balance.asset_id == LedgerAsset.id)
        .join(Account, Balance.account_id == Account.id)
        .group_by(LedgerAsset.code)
        .order_by(LedgerAsset.code)
    )
    query = query.where(Account.kind == kind) if kind else query.where(Account.name == name)
    return {code: int(amount) for code, amount in session.execute(query) if amount}


def event_report(session: Session, name: str = "") -> EventReport:
    """Every figure of the report (``name``: the prestation, for its title and dates)."""
    event = find_event(session, name) if name else None
    report = EventReport(event, f"Rapport d'événement — {name}" if name else "Rapport d'événement")
    report.sales_by_pos = reports.sales(session, "pos")
    report.sales_by_product = reports.sales(session, "product")
    report.sales_by_category = reports.sales(session, "category")
    report.sales_by_hour = reports.sales(session, "hour")
    report.vat = [VatRow(int(row.key), row.amount) for row in reports.sales(session, "vat")]
    report.topups = reports.topups_by_method(session)
    sign = case((Transfer.op == "void", -1), else_=1)
    for op, method, count, amount in session.execute(
        select(Transfer.op, Transfer.method, func.sum(case((Transfer.leg == 0, sign), else_=0)),
               func.sum(sign * Transfer.amount))
        .where(Transfer.op.in_(("sale", "refund", "void")))
        .where((Transfer.op != "void") | Transfer.details.startswith("["))
        .group_by(Transfer.op, Transfer.method)
    ):  # fmt: skip
        if op == "refund":
            report.refunds.append((method, int(count), int(amount)))
        else:  # sales, and voided sales taken off
            report.sales_count += int(count)
            report.sales_cents += int(amount)
    histogram = {
        int(amount): int(count)
        for amount, count in session.execute(
            select(Transfer.amount, func.count())
            .where(Transfer.op == "topup", Transfer.leg == 0)
            .group_by(Transfer.amount)
        )
    }
    report.median_topup_cents = _median(histogram)
    report.cards_used = int(
        session.scalar(select(func.count()).select_from(Account).where(Account.kind == "wallet"))
        or 0
    )
    report.left_on_cards = _balances_of_kind(session, kind="wallet")
    report.stripe_fees_booked_cents = -sum(_balances_of_kind(session, name="stripe:fees").values())
    window = event.window() if event else None
    fees = select(func.coalesce(func.sum(StripeBalanceTransaction.fee), 0))
    if window:
        fees = fees.where(StripeBalanceTransaction.created.between(*window))
    report.stripe_fees_cents = int(session.scalar(fees) or 0)
    report.melted = _balances_of_kind(session, name="melted")
    for closure in session.scalars(select(Closure).order_by(Closure.number)):
        totals = orjson.loads(closure.totals)
        row = ClosureRow(closure.number, closure.scope, closure.closed_at,
                         int(totals["sales_total"]), closure.grand_total)  # fmt: skip
        report.closures.append(row)
    return report

"""Reports on the ledger: balances, sales by point of sale / product / category / VAT /
hour, top-ups by method. They read the caches and aggregate in the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from regie.i18n import _, for_people
from regie.ledger.models import (
    Account,
    Balance,
    LedgerAsset,
    PointOfSale,
    Product,
    SalesSummary,
    Transfer,
)


@dataclass(frozen=True)
class BalanceRow:
    account: str
    asset: str
    amount: int


def balances(session: Session, *, account: str = "", asset: str = "") -> list[BalanceRow]:
    """Every balance (accounts starting with ``account``, of ``asset``), zero ones left out."""
    query = (
        select(Account.name, LedgerAsset.code, Balance.amount)
        .join(Account, Balance.account_id == Account.id)
        .join(LedgerAsset, Balance.asset_id == LedgerAsset.id)
        .where(Balance.amount != 0)
        .order_by(Account.name, LedgerAsset.payment_rank)
    )
    if account:
        query = query.where(Account.name.startswith(account, autoescape=True))
    if asset:
        query = query.where(LedgerAsset.code == asset.upper())
    return [BalanceRow(*row) for row in session.execute(query)]


def totals_by_asset(session: Session) -> dict[str, int]:
    """Sum of every balance per asset: zero when the ledger balances."""
    return dict(
        session.execute(
            select(LedgerAsset.code, func.coalesce(func.sum(Balance.amount), 0))
            .join(Balance, Balance.asset_id == LedgerAsset.id, isouter=True)
            .group_by(LedgerAsset.code)
        ).all()
    )


@dataclass(frozen=True)
class SalesRow:
    key: str
    quantity: int
    amount: int


EVERY_EVENT = None
OUTSIDE_EVENTS = 0  # « hors prestation »: the transfers no event owns


def of_event(
    column: QueryableAttribute[int | None], event_id: int | None
) -> ColumnElement[bool] | None:
    """The condition « belongs to ``event_id`` » on a transfer's ``event_id`` column
    (``OUTSIDE_EVENTS``: to none; ``EVERY_EVENT``: no condition)."""
    if event_id is EVERY_EVENT:
        return None
    return column.is_(None) if event_id == OUTSIDE_EVENTS else column == event_id


def sales(session: Session, by: str, *, event_id: int | None = EVERY_EVENT) -> list[SalesRow]:
    """Net sales grouped by ``pos``, ``product``, ``category``, ``vat`` or ``hour``; of one
    event when ``event_id`` is given (``OUTSIDE_EVENTS``: those of no event)."""
    columns = {
        "pos": PointOfSale.name,
        "product": SalesSummary.product,
        "category": func.coalesce(Product.category, ""),
        "vat": SalesSummary.vat_bp,
        "hour": SalesSummary.hour,
    }
    if by not in columns:
        raise ValueError(by)
    key = columns[by]
    query = (
        select(key, func.sum(SalesSummary.quantity), func.sum(SalesSummary.amount))
        .join(PointOfSale, SalesSummary.pos_id == PointOfSale.id)
        .outerjoin(Product, Product.name == SalesSummary.product)
        .group_by(key)
        .order_by(key)
    )
    if event_id is not EVERY_EVENT:
        query = query.where(SalesSummary.event_id == event_id)
    rows = [SalesRow(str(k), int(q), int(a)) for k, q, a in session.execute(query)]
    if by in ("pos", "product", "category"):  # names: as people sort them
        rows.sort(key=lambda row: for_people(row.key))
    return rows


def short_hour(key: str) -> str:
    """``2026-07-12T21`` (the local hour of a sales row) → ``12/07 21 h``: a chart's label."""
    day, _sep, hour = key.partition("T")
    if not hour.isdigit() or day.count("-") != 2:
        return key
    _year, month, date = day.split("-")
    return _("{day}/{month} {hour} h").format(day=date, month=month, hour=int(hour))


def topups_by_method(
    session: Session, *, event_id: int | None = EVERY_EVENT
) -> list[tuple[str, str, int, int]]:
    """(method, asset, count, net amount) of top-ups, voided ones taken off (of one event
    when ``event_id`` is given)."""
    scoped = of_event(Transfer.event_id, event_id)
    sign = case((Transfer.op == "void", -1), else_=1)
    rows = session.execute(
        select(
            Transfer.method,
            LedgerAsset.code,
            func.sum(case((Transfer.leg == 0, sign), else_=0)),
            func.sum(sign * Transfer.amount),
        )
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .where((Transfer.op == "topup") | ((Transfer.op == "void") & (Transfer.details == "topup")))
        .where(*(() if scoped is None else (scoped,)))
        .group_by(Transfer.method, LedgerAsset.code)
        .order_by(Transfer.method, LedgerAsset.code)
    )
    return [(method, code, int(count), int(amount)) for method, code, count, amount in rows]

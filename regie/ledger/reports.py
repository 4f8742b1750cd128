"""Reports on the ledger: balances, sales by point of sale / product / category / VAT /
hour, top-ups by method. They read the caches and aggregate in the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from regie.i18n import for_people
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


def sales(session: Session, by: str) -> list[SalesRow]:
    """Net sales grouped by ``pos``, ``product``, ``category``, ``vat`` or ``hour``."""
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
    rows = [SalesRow(str(k), int(q), int(a)) for k, q, a in session.execute(query)]
    if by in ("pos", "product", "category"):  # names: as people sort them
        rows.sort(key=lambda row: for_people(row.key))
    return rows


def topups_by_method(session: Session) -> list[tuple[str, str, int, int]]:
    """(method, asset, count, net amount) of top-ups, voided ones taken off."""
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
        .group_by(Transfer.method, LedgerAsset.code)
        .order_by(Transfer.method, LedgerAsset.code)
    )
    return [(method, code, int(count), int(amount)) for method, code, count, amount in rows]

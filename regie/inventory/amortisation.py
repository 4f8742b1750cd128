"""Straight-line amortisation per asset and per owner.

An item loses (cost - salvage) / period each full month from its purchase; an item lost or
written off is fully amortised. Co-owned items count for each owner at their share. The
figures feed the convention's amortisation phase in the settlement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.inventory.models import (
    Asset,
    AssetShare,
    AssetStatus,
    Incident,
    IncidentStatus,
    StockLot,
)
from regie.models import Organisation

GONE = (AssetStatus.LOST, AssetStatus.WRITTEN_OFF)


def months_between(start: dt.date, end: dt.date) -> int:
    """Full months from start to end (0 if end is before start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def amortised_cents(
    cost: int, salvage: int, period_months: int, purchased: dt.date | None, at: dt.date
) -> int:
    if purchased is None or cost <= salvage:
        return 0
    elapsed = min(months_between(purchased, at), period_months)
    return (cost - salvage) * elapsed // period_months


@dataclass(frozen=True)
class OwnerAmortisation:
    owner: str
    invested_cents: int
    amortised_cents: int
    items: int

    @property
    def remaining_cents(self) -> int:
        return self.invested_cents - self.amortised_cents

    @property
    def recovered(self) -> bool:
        """The owner's equipment investment is fully amortised."""
        return self.invested_cents > 0 and self.remaining_cents <= 0


def by_owner(
    session: Session, *, at: dt.date | None = None, owner: str = ""
) -> list[OwnerAmortisation]:
    """Invested, amortised to date and remaining, per owner (one pass over the assets)."""
    at = at or clock.today()
    names = dict(session.execute(select(Organisation.id, Organisation.short_name)).all())
    shares: dict[int, list[tuple[int, int]]] = {}
    for asset_id, organisation_id, share in session.execute(
        select(AssetShare.asset_id, AssetShare.organisation_id, AssetShare.share_bp)
    ):
        shares.setdefault(asset_id, []).append((organisation_id, share))
    totals: dict[int, list[int]] = {}

    def add(organisation_id: int, invested: int, amortised: int) -> None:
        row = totals.setdefault(organisation_id, [0, 0, 0])
        row[0] += invested
        row[1] += amortised
        row[2] += 1

    def amortised_now(
        cost: int, salvage: int, months: int, purchased: dt.date | None, status: AssetStatus
    ) -> int:
        if status in GONE:
            return cost
        return amortised_cents(cost, salvage, months, purchased, at)

    columns = (
        Asset.owner_id,
        Asset.purchase_cost_cents,
        Asset.salvage_value_cents,
        Asset.amortisation_months,
        Asset.purchase_date,
        Asset.status,
    )
    # Items bought together share their figures: one row per group, not per asset.
    shared = select(AssetShare.asset_id)
    for owner_id, cost, salvage, months, purchased, status, count in session.execute(
        select(*columns, func.count()).where(Asset.id.not_in(shared)).group_by(*columns)
    ):
        amortised = amortised_now(cost, salvage, months, purchased, status)
        row = totals.setdefault(owner_id, [0, 0, 0])
        row[0] += cost * count
        row[1] += amortised * count
        row[2] += count
    for asset_id, _owner, cost, salvage, months, purchased, status in session.execute(
        select(Asset.id, *columns).where(Asset.id.in_(shared))
    ):
        amortised = amortised_now(cost, salvage, months, purchased, status)
        for organisation_id, share in shares[asset_id]:
            add(organisation_id, cost * share // 10000, amortised * share // 10000)
    lost_by_lot: dict[int, int] = {}
    for lot_id, quantity in session.execute(
        select(Incident.stock_lot_id, Incident.quantity).where(
            Incident.stock_lot_id.is_not(None), Incident.status == IncidentStatus.WRITTEN_OFF
        )
    ):
        if lot_id is not None:
            lost_by_lot[lot_id] = lost_by_lot.get(lot_id, 0) + quantity
    for lot in session.scalars(select(StockLot)):
        lost = lost_by_lot.get(lot.id, 0)
        kept = lot.quantity - lost
        invested = lot.quantity * lot.unit_cost_cents
        amortised = lost * lot.unit_cost_cents + amortised_cents(
            kept * lot.unit_cost_cents, 0, lot.amortisation_months, lot.purchase_date, at
        )
        add(lot.owner_id, invested, amortised)
    result = [
        OwnerAmortisation(
            owner=names[organisation_id],
            invested_cents=invested,
            amortised_cents=amortised,
            items=count,
        )
        for organisation_id, (invested, amortised, count) in totals.items()
    ]
    if owner:
        result = [row for row in result if row.owner.lower() == owner.lower()]
    return sorted(result, key=lambda row: row.owner)

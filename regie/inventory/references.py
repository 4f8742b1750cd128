"""The names people pick from in the screens: organisations, prestations, places, lots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.inventory.lot_stock import lot_in_stock
from regie.inventory.models import AssetModel, Location, StockLot, Tracking
from regie.models import Organisation, Prestation


@dataclass(frozen=True)
class PrestationChoice:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    kind: str = "external"  # or "own": the partner's own event (no cachet)


@dataclass(frozen=True)
class LotChoice:
    name: str
    owner: str
    in_stock: int
    unit_cost_cents: int


@dataclass(frozen=True)
class References:
    organisations: list[str]
    prestations: list[PrestationChoice]  # the most recent first
    locations: list[str]
    models: list[str]  # models of tagged assets (lots have their own list)
    lots: list[LotChoice]


def references(session: Session) -> References:
    """Every name a filter or a form offers, sorted for people, as plain values."""
    lots = []
    for lot, owner in session.execute(
        select(StockLot, Organisation.short_name)
        .join(Organisation, StockLot.owner_id == Organisation.id)
        .order_by(StockLot.name)
    ):
        lots.append(
            LotChoice(
                name=lot.name,
                owner=owner,
                in_stock=lot_in_stock(session, lot),
                unit_cost_cents=lot.unit_cost_cents,
            )
        )
    return References(
        organisations=list(
            session.scalars(select(Organisation.short_name).order_by(Organisation.short_name))
        ),
        prestations=[
            PrestationChoice(name=name, starts_on=starts_on, ends_on=ends_on, kind=kind)
            for name, starts_on, ends_on, kind in session.execute(
                select(
                    Prestation.name, Prestation.starts_on, Prestation.ends_on, Prestation.kind
                ).order_by(Prestation.starts_on.desc(), Prestation.name)
            )
        ],
        locations=list(session.scalars(select(Location.name).order_by(Location.name))),
        models=list(
            session.scalars(
                select(AssetModel.name)
                .where(AssetModel.tracking == Tracking.SERIAL)
                .order_by(AssetModel.name)
            )
        ),
        lots=lots,
    )

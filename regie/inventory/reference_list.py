"""The reference data as the Référentiel screen lists it: each organisation, place,
prestation, model and lot with what was typed for it.

``references`` gives the names a form picks from (tagged models only); this is the read
face of ``register``: every model, counted ones included, and the categories in use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import for_people
from regie.inventory.lot_stock import lot_in_stock
from regie.inventory.models import AssetCategory, AssetModel, Location, StockLot, Tracking
from regie.models import Organisation, Prestation

T = TypeVar("T")


def _sorted(rows: list[T], name: Callable[[T], str]) -> list[T]:
    return sorted(rows, key=lambda row: for_people(name(row)))


@dataclass(frozen=True)
class OrganisationLine:
    short_name: str
    name: str
    siret: str
    vat_number: str
    address: str


@dataclass(frozen=True)
class LocationLine:
    name: str
    address: str


@dataclass(frozen=True)
class PrestationLine:
    name: str
    client: str
    starts_on: dt.date
    ends_on: dt.date
    place: str


@dataclass(frozen=True)
class ModelLine:
    name: str
    category: str
    manufacturer: str
    counted: bool  # counted in lots (cards, cables), not tagged one by one
    amortisation_months: int


@dataclass(frozen=True)
class LotLine:
    name: str
    model: str
    owner: str
    quantity: int  # acquired
    in_stock: int  # on the shelf now
    unit_cost_cents: int
    location: str


@dataclass(frozen=True, kw_only=True)
class ReferenceLists:
    organisations: list[OrganisationLine]
    locations: list[LocationLine]
    prestations: list[PrestationLine]  # the most recent first
    models: list[ModelLine]
    lots: list[LotLine]
    categories: list[str]


def reference_lists(session: Session) -> ReferenceLists:
    """Every organisation, place, prestation, model and lot, sorted for people."""
    organisations = [
        OrganisationLine(
            short_name=o.short_name,
            name=o.name,
            siret=o.siret,
            vat_number=o.vat_number,
            address=o.address,
        )
        for o in session.scalars(select(Organisation))
    ]
    locations = [LocationLine(p.name, p.address) for p in session.scalars(select(Location))]
    return ReferenceLists(
        organisations=_sorted(organisations, lambda line: line.short_name),
        locations=_sorted(locations, lambda line: line.name),
        prestations=[
            PrestationLine(
                name=p.name, client=name, starts_on=p.starts_on, ends_on=p.ends_on, place=p.place
            )
            for p, name in session.execute(
                select(Prestation, Organisation.short_name)
                .join(Organisation, Prestation.client_id == Organisation.id)
                .order_by(Prestation.starts_on.desc(), Prestation.name)
            )
        ],
        models=_sorted(_models(session), lambda line: line.name),
        lots=_sorted(_lots(session), lambda line: line.name),
        categories=sorted(session.scalars(select(AssetCategory.name)), key=for_people),
    )


def _models(session: Session) -> list[ModelLine]:
    rows = session.execute(
        select(AssetModel, AssetCategory.name).join(
            AssetCategory, AssetModel.category_id == AssetCategory.id
        )
    )
    return [
        ModelLine(
            name=model.name,
            category=category,
            manufacturer=model.manufacturer,
            counted=model.tracking == Tracking.QUANTITY,
            amortisation_months=model.amortisation_months,
        )
        for model, category in rows
    ]


def _lots(session: Session) -> list[LotLine]:
    rows = session.execute(
        select(StockLot, AssetModel.name, Organisation.short_name, Location.name)
        .join(AssetModel, StockLot.model_id == AssetModel.id)
        .join(Organisation, StockLot.owner_id == Organisation.id)
        .outerjoin(Location, StockLot.location_id == Location.id)
    )
    return [
        LotLine(
            name=lot.name,
            model=model,
            owner=owner,
            quantity=lot.quantity,
            in_stock=lot_in_stock(session, lot),
            unit_cost_cents=lot.unit_cost_cents,
            location=place or "",
        )
        for lot, model, owner, place in rows
    ]

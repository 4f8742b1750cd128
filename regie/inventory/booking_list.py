"""The bookings of one prestation, as the reservations screen lists them: plain values.

Read-only: booking and cancelling are ``bookings.book`` and ``bookings.cancel_booking``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.models import Asset, AssetModel, Booking, Kit, StockLot
from regie.models import Organisation


@dataclass(frozen=True)
class BookingLine:
    """One booking: an asset (maybe through a kit) or a quantity of a lot."""

    booking_id: int
    tag: str  # the asset booked, or "" for a lot
    lot: str  # the lot booked, or "" for an asset
    description: str  # the asset's model, or "propriété <owner>" for a lot
    kit: str  # the kit the asset was booked with, or ""
    quantity: int
    starts_on: dt.date
    ends_on: dt.date
    cancelled_at: dt.datetime | None

    @property
    def item(self) -> str:
        return self.tag or self.lot


@dataclass(frozen=True, kw_only=True)
class PrestationBookings:
    prestation: str
    client: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    lines: list[BookingLine]  # in the order they were made

    @property
    def assets(self) -> int:
        return sum(1 for line in self.lines if line.tag and line.cancelled_at is None)

    @property
    def lot_items(self) -> int:
        return sum(line.quantity for line in self.lines if line.lot and line.cancelled_at is None)


def prestation_bookings(
    session: Session, prestation_name: str, *, cancelled: bool = False
) -> PrestationBookings:
    """A prestation with its bookings; the cancelled ones too when ``cancelled``."""
    prestation = catalogue.prestation(session, prestation_name)
    client = session.get_one(Organisation, prestation.client_id).short_name
    query = (
        select(Booking, Asset.tag, AssetModel.name, StockLot.name, Organisation.short_name, Kit.tag)
        .outerjoin(Asset, Booking.asset_id == Asset.id)
        .outerjoin(AssetModel, Asset.model_id == AssetModel.id)
        .outerjoin(StockLot, Booking.stock_lot_id == StockLot.id)
        .outerjoin(Organisation, StockLot.owner_id == Organisation.id)
        .outerjoin(Kit, Booking.kit_id == Kit.id)
        .where(Booking.prestation_id == prestation.id)
        .order_by(Booking.id)
    )
    if not cancelled:
        query = query.where(Booking.cancelled_at.is_(None))
    lines = [
        BookingLine(
            booking_id=booking.id,
            tag=tag or "",
            lot=lot or "",
            description=model if tag else _("propriété {owner}").format(owner=owner),
            kit=kit or "",
            quantity=booking.quantity,
            starts_on=booking.starts_on,
            ends_on=booking.ends_on,
            cancelled_at=booking.cancelled_at,
        )
        for booking, tag, model, lot, owner, kit in session.execute(query)
    ]
    return PrestationBookings(
        prestation=prestation.name,
        client=client,
        place=prestation.place,
        starts_on=prestation.starts_on,
        ends_on=prestation.ends_on,
        lines=lines,
    )

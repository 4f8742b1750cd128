"""Bookings: reserving assets, kits and quantities of a lot for a prestation's dates.

A booking that conflicts (the item is booked twice, is in repair, the stock is short) is
refused with the list of conflicts unless the user confirms it anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, UserError
from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.assets import STATUS_LABELS, UNUSABLE
from regie.inventory.history import EventKind, record
from regie.inventory.lot_stock import lot_lost
from regie.inventory.models import Asset, AssetStatus, Booking, Kit, StockLot
from regie.models import Prestation


@dataclass(frozen=True)
class Items:
    """What a booking or a loan is about: asset tags, kit tags, and lot quantities."""

    tags: tuple[str, ...] = ()
    kits: tuple[str, ...] = ()
    lots: tuple[tuple[str, int], ...] = ()

    def is_empty(self) -> bool:
        return not (self.tags or self.kits or self.lots)


@dataclass
class BookingResult:
    bookings: list[int] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


class BookingConflict(Conflict):
    def __init__(self, conflicts: list[str]) -> None:
        super().__init__(_("réservation en conflit :\n") + "\n".join(f"- {c}" for c in conflicts))
        self.conflicts = conflicts


def _overlapping(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return Booking.cancelled_at.is_(None) & (Booking.starts_on <= end) & (Booking.ends_on >= start)


def asset_conflicts(
    session: Session, asset: Asset, start: dt.date, end: dt.date, prestation_id: int
) -> list[str]:
    conflicts = []
    if asset.status in UNUSABLE:
        conflicts.append(
            _("{tag} est {status}").format(tag=asset.tag, status=_(STATUS_LABELS[asset.status]))
        )
    for booking, name in session.execute(
        select(Booking, Prestation.name)
        .join(Prestation, Booking.prestation_id == Prestation.id)
        .where(Booking.asset_id == asset.id, _overlapping(start, end))
    ):
        if booking.prestation_id != prestation_id:
            conflicts.append(
                _(
                    "{tag} est déjà réservé pour {name} du {starts_on:%d/%m/%Y} "
                    "au {ends_on:%d/%m/%Y}"
                ).format(
                    tag=asset.tag, name=name, starts_on=booking.starts_on, ends_on=booking.ends_on
                )
            )
        else:
            conflicts.append(
                _("{tag} est déjà réservé pour cette prestation").format(tag=asset.tag)
            )
    return conflicts


def lot_shortage(
    session: Session, lot: StockLot, quantity: int, start: dt.date, end: dt.date
) -> str | None:
    booked = session.scalar(
        select(func.coalesce(func.sum(Booking.quantity), 0)).where(
            Booking.stock_lot_id == lot.id,
            _overlapping(start, end),
        )
    )
    free = lot.quantity - lot_lost(session, lot) - int(booked or 0)
    if quantity > free:
        return _("stock insuffisant dans « {name} » : {quantity} demandés, {free} libres").format(
            name=lot.name, quantity=quantity, free=free
        )
    return None


def kit_assets(session: Session, kit: Kit) -> list[Asset]:
    return list(session.scalars(select(Asset).where(Asset.kit_id == kit.id).order_by(Asset.tag)))


def book(
    session: Session,
    prestation_name: str,
    items: Items,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    force: bool = False,
) -> BookingResult:
    """Book items for a prestation (its dates by default). Conflicts refuse unless ``force``."""
    if items.is_empty():
        raise UserError(_("rien à réserver"))
    prestation = catalogue.prestation(session, prestation_name)
    start = starts_on or prestation.starts_on
    end = ends_on or prestation.ends_on
    if end < start:
        raise UserError(_("la fin de la réservation précède son début"))
    result = BookingResult()
    rows: list[Booking] = []
    booked_assets: list[Asset] = []
    for tag in items.tags:
        asset = catalogue.asset(session, tag)
        result.conflicts += asset_conflicts(session, asset, start, end, prestation.id)
        rows.append(Booking(prestation_id=prestation.id, asset_id=asset.id))
        booked_assets.append(asset)
    for tag in items.kits:
        kit = catalogue.kit(session, tag)
        for asset in kit_assets(session, kit):
            result.conflicts += asset_conflicts(session, asset, start, end, prestation.id)
            booked_assets.append(asset)
            rows.append(Booking(prestation_id=prestation.id, asset_id=asset.id, kit_id=kit.id))
    for name, quantity in items.lots:
        if quantity <= 0:
            raise UserError(
                _("quantité invalide pour « {name} » : {quantity}").format(
                    name=name, quantity=quantity
                )
            )
        lot = catalogue.stock_lot(session, name)
        shortage = lot_shortage(session, lot, quantity, start, end)
        if shortage:
            result.conflicts.append(shortage)
        rows.append(Booking(prestation_id=prestation.id, stock_lot_id=lot.id, quantity=quantity))
    if result.conflicts and not force:
        raise BookingConflict(result.conflicts)
    now = clock.now()
    for row in rows:
        row.starts_on, row.ends_on = start, end
        session.add(row)
    session.flush()
    for asset in booked_assets:
        if asset.status == AssetStatus.AVAILABLE:
            asset.status = AssetStatus.BOOKED
        record(session, asset, EventKind.BOOKED, now, prestation.name, prestation_id=prestation.id)
    result.bookings = [row.id for row in rows]
    return result


def cancel_booking(session: Session, booking_id: int) -> None:
    booking = session.get(Booking, booking_id)
    if booking is None or booking.cancelled_at is not None:
        raise UserError(
            _("réservation n°{booking_id} introuvable ou déjà annulée").format(
                booking_id=booking_id
            )
        )
    booking.cancelled_at = clock.now()
    if booking.asset_id is not None:
        asset = session.get_one(Asset, booking.asset_id)
        record(session, asset, EventKind.BOOKING_CANCELLED, booking.cancelled_at)
        session.flush()
        release(session, asset)


def release(session: Session, asset: Asset, today: dt.date | None = None) -> None:
    """Back in stock: booked if a booking still waits for it, else available."""
    today = today or clock.today()
    waiting = session.scalar(
        select(Booking.id).where(
            Booking.asset_id == asset.id, Booking.cancelled_at.is_(None), Booking.ends_on >= today
        )
    )
    asset.status = AssetStatus.BOOKED if waiting else AssetStatus.AVAILABLE

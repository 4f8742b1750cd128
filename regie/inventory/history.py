"""An asset's history: every event that touched it, appended and never rewritten."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import N_
from regie.inventory.models import Asset, AssetEvent


class EventKind(enum.StrEnum):
    CREATED = "created"
    IMPORTED = "imported"
    BOOKED = "booked"
    BOOKING_CANCELLED = "booking_cancelled"
    CHECKED_OUT = "checked_out"
    CHECKED_IN = "checked_in"
    DAMAGED = "damaged"
    MISSING = "missing"
    QUARANTINED = "quarantined"
    IN_REPAIR = "in_repair"
    REPAIRED = "repaired"
    FOUND = "found"
    WRITTEN_OFF = "written_off"
    AUDITED = "audited"
    MAINTENANCE = "maintenance"


LABELS = {
    EventKind.CREATED: N_("créé"),
    EventKind.IMPORTED: N_("importé"),
    EventKind.BOOKED: N_("réservé"),
    EventKind.BOOKING_CANCELLED: N_("réservation annulée"),
    EventKind.CHECKED_OUT: N_("sorti"),
    EventKind.CHECKED_IN: N_("rentré"),
    EventKind.DAMAGED: N_("rentré abîmé"),
    EventKind.MISSING: N_("manquant au retour"),
    EventKind.QUARANTINED: N_("en quarantaine"),
    EventKind.IN_REPAIR: N_("en réparation"),
    EventKind.REPAIRED: N_("réparé, remis en stock"),
    EventKind.FOUND: N_("retrouvé"),
    EventKind.WRITTEN_OFF: N_("sorti de l'inventaire"),
    EventKind.AUDITED: N_("vu à un audit"),
    EventKind.MAINTENANCE: N_("entretien"),
}


def record(
    session: Session,
    asset: Asset,
    kind: EventKind,
    at: dt.datetime,
    detail: str = "",
    *,
    prestation_id: int | None = None,
    loan_id: int | None = None,
    incident_id: int | None = None,
    cost_cents: int | None = None,
) -> AssetEvent:
    event = AssetEvent(
        asset_id=asset.id,
        at=at,
        kind=kind.value,
        detail=detail,
        prestation_id=prestation_id,
        loan_id=loan_id,
        incident_id=incident_id,
        cost_cents=cost_cents,
    )
    session.add(event)
    return event


def history(session: Session, asset_id: int) -> list[AssetEvent]:
    return list(
        session.scalars(
            select(AssetEvent)
            .where(AssetEvent.asset_id == asset_id)
            .order_by(AssetEvent.at, AssetEvent.id)
        )
    )

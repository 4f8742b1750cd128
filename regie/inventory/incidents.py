"""Incidents: breakage, theft, loss, repair — and what happens to the item afterwards.

damaged → quarantined → in repair → repaired (back in stock), or written off at any point;
missing/stolen → found (back in stock) or written off. Cost and payer are set on the way.

Default costs (the protocol's price, changed with :func:`settle_cost`): a lost or stolen item
of equipment, or one written off, costs its book value on the day (purchase cost less the
straight-line amortisation to that day, see ``amortisation``); lost cards of a lot cost the
lot's unit cost × the quantity; a repair costs what it cost. The payer is chosen; incidents
charged to the borrower appear as cost lines on the prestation's settlement statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, UserError
from regie.i18n import N_, _
from regie.inventory import catalogue
from regie.inventory.amortisation import amortised_cents
from regie.inventory.bookings import release
from regie.inventory.history import EventKind, record
from regie.inventory.models import (
    Asset,
    AssetStatus,
    Incident,
    IncidentKind,
    IncidentStatus,
    Payer,
    StockLot,
)
from regie.people.actor import require
from regie.people.roles import Permission

KIND_LABELS = {
    IncidentKind.BREAKAGE: N_("casse"),
    IncidentKind.THEFT: N_("vol"),
    IncidentKind.LOSS: N_("perte"),
    IncidentKind.REPAIR: N_("réparation"),
}
STATUS_LABELS = {
    IncidentStatus.OPEN: N_("ouvert"),
    IncidentStatus.QUARANTINED: N_("en quarantaine"),
    IncidentStatus.IN_REPAIR: N_("en réparation"),
    IncidentStatus.REPAIRED: N_("réparé"),
    IncidentStatus.WRITTEN_OFF: N_("sorti de l'inventaire"),
    IncidentStatus.FOUND: N_("retrouvé"),
}
PAYER_LABELS = {
    Payer.UNDECIDED: N_("à décider"),
    Payer.BORROWER: N_("l'emprunteur"),
    Payer.OWNER: N_("le propriétaire"),
    Payer.SHARED_POT: N_("le pot commun"),
}
CLOSED = (IncidentStatus.REPAIRED, IncidentStatus.WRITTEN_OFF, IncidentStatus.FOUND)


def book_value(asset: Asset, day: dt.date) -> int:
    """What an item of equipment is worth on a day: its cost less its amortisation to date."""
    return asset.purchase_cost_cents - amortised_cents(
        asset.purchase_cost_cents,
        asset.salvage_value_cents,
        asset.amortisation_months,
        asset.purchase_date,
        day,
    )


def open_for_asset(
    session: Session,
    asset: Asset,
    kind: IncidentKind,
    *,
    description: str = "",
    loan_id: int | None = None,
    prestation_id: int | None = None,
    at: dt.datetime | None = None,
) -> Incident:
    """Open an incident and put the asset in the state it implies."""
    at = at or clock.now()
    if kind in (IncidentKind.BREAKAGE,):
        status, asset_status, event = (
            IncidentStatus.QUARANTINED,
            AssetStatus.QUARANTINED,
            EventKind.QUARANTINED,
        )
    elif kind is IncidentKind.REPAIR:
        status, asset_status, event = (
            IncidentStatus.IN_REPAIR,
            AssetStatus.IN_REPAIR,
            EventKind.IN_REPAIR,
        )
    else:
        status, asset_status, event = IncidentStatus.OPEN, AssetStatus.LOST, EventKind.MISSING
    incident = Incident(
        kind=kind,
        status=status,
        asset_id=asset.id,
        loan_id=loan_id,
        prestation_id=prestation_id,
        description=description,
        opened_at=at,
        cost_cents=book_value(asset, at.date())
        if kind in (IncidentKind.LOSS, IncidentKind.THEFT)
        else 0,
        quantity=1,
        payer=Payer.UNDECIDED,
    )
    session.add(incident)
    session.flush()
    asset.status = asset_status
    record(
        session,
        asset,
        event,
        at,
        _("incident n°{number} ({kind}) {description}")
        .format(number=incident.id, kind=_(KIND_LABELS[kind]), description=description)
        .strip(),
        incident_id=incident.id,
        loan_id=loan_id,
        prestation_id=prestation_id,
    )
    return incident


def open_for_lot(
    session: Session,
    lot: StockLot,
    quantity: int,
    *,
    loan_id: int | None,
    prestation_id: int | None,
    at: dt.datetime,
) -> Incident:
    """Items of a lot lost: counted and priced at the lot's unit cost (out of the stock)."""
    incident = Incident(
        kind=IncidentKind.LOSS,
        status=IncidentStatus.WRITTEN_OFF,
        stock_lot_id=lot.id,
        quantity=quantity,
        loan_id=loan_id,
        prestation_id=prestation_id,
        cost_cents=quantity * lot.unit_cost_cents,
        payer=Payer.UNDECIDED,
        description=f"{quantity} × {lot.name} non rendus",
        opened_at=at,
        closed_at=at,
    )
    session.add(incident)
    session.flush()
    return incident


def report(
    session: Session,
    tag: str,
    kind: IncidentKind,
    description: str = "",
) -> Incident:
    """Declare an incident on an asset in stock (a repair, a theft from the depot…)."""
    asset = catalogue.asset(session, tag)
    if asset.status == AssetStatus.OUT:
        raise Conflict(
            _("{tag} est sorti : déclarez l'incident à son retour").format(tag=asset.tag)
        )
    if _open_incident(session, asset) is not None:
        raise Conflict(_("{tag} a déjà un incident en cours").format(tag=asset.tag))
    return open_for_asset(session, asset, kind, description=description)


def _open_incident(session: Session, asset: Asset) -> Incident | None:
    return session.scalar(
        select(Incident).where(Incident.asset_id == asset.id, Incident.status.not_in(CLOSED))
    )


def get_incident(session: Session, number: int) -> Incident:
    incident = session.get(Incident, number)
    if incident is None:
        raise UserError(_("incident n°{number} inconnu").format(number=number))
    return incident


def _move(
    session: Session,
    number: int,
    allowed_from: tuple[IncidentStatus, ...],
    to: IncidentStatus,
    asset_status: AssetStatus | None,
    event: EventKind,
    detail: str = "",
    cost_cents: int | None = None,
) -> Incident:
    incident = get_incident(session, number)
    if incident.status not in allowed_from:
        raise Conflict(
            _("incident n°{number} : impossible de passer de « {status} » à « {to} »").format(
                number=number, status=_(STATUS_LABELS[incident.status]), to=_(STATUS_LABELS[to])
            )
        )
    at = clock.now()
    incident.status = to
    if to in CLOSED:
        incident.closed_at = at
    if cost_cents is not None:
        if cost_cents < 0:
            raise UserError(_("un coût ne peut pas être négatif"))
        incident.cost_cents += cost_cents
    if incident.asset_id is not None:
        asset = session.get_one(Asset, incident.asset_id)
        if asset_status is AssetStatus.AVAILABLE:
            release(session, asset)
        elif asset_status is not None:
            asset.status = asset_status
        record(
            session,
            asset,
            event,
            at,
            _("incident n°{number} {detail}").format(number=number, detail=detail).strip(),
            incident_id=number,
            cost_cents=cost_cents,
        )
    return incident


def start_repair(session: Session, number: int, detail: str = "") -> Incident:
    return _move(
        session,
        number,
        (IncidentStatus.QUARANTINED, IncidentStatus.OPEN),
        IncidentStatus.IN_REPAIR,
        AssetStatus.IN_REPAIR,
        EventKind.IN_REPAIR,
        detail,
    )


def mark_repaired(session: Session, number: int, cost_cents: int = 0, detail: str = "") -> Incident:
    return _move(
        session,
        number,
        (IncidentStatus.IN_REPAIR, IncidentStatus.QUARANTINED),
        IncidentStatus.REPAIRED,
        AssetStatus.AVAILABLE,
        EventKind.REPAIRED,
        detail,
        cost_cents,
    )


def mark_found(session: Session, number: int, detail: str = "") -> Incident:
    return _move(
        session,
        number,
        (IncidentStatus.OPEN,),
        IncidentStatus.FOUND,
        AssetStatus.AVAILABLE,
        EventKind.FOUND,
        detail,
    )


def write_off(session: Session, number: int, detail: str = "") -> Incident:
    """Out of the inventory for good; priced at its book value on the day if not yet priced."""
    require(session, Permission.WRITE_OFF)
    incident = get_incident(session, number)
    if incident.asset_id is not None and incident.cost_cents == 0:
        asset = session.get_one(Asset, incident.asset_id)
        incident.cost_cents = book_value(asset, clock.today())
    return _move(
        session,
        number,
        (IncidentStatus.OPEN, IncidentStatus.QUARANTINED, IncidentStatus.IN_REPAIR),
        IncidentStatus.WRITTEN_OFF,
        AssetStatus.WRITTEN_OFF,
        EventKind.WRITTEN_OFF,
        detail,
    )


def settle_cost(session: Session, number: int, cost_cents: int, payer: Payer) -> Incident:
    """Who pays what under the convention (borrower, owner or the shared pot)."""
    if cost_cents < 0:
        raise UserError(_("un coût ne peut pas être négatif"))
    incident = get_incident(session, number)
    incident.cost_cents = cost_cents
    incident.payer = payer
    return incident


def log_maintenance(session: Session, tag: str, description: str, cost_cents: int = 0) -> None:
    """A line in the asset's maintenance log (cleaning, firmware update, battery change)."""
    if cost_cents < 0:
        raise UserError(_("un coût ne peut pas être négatif"))
    asset = catalogue.asset(session, tag)
    record(session, asset, EventKind.MAINTENANCE, clock.now(), description, cost_cents=cost_cents)


@dataclass(frozen=True, kw_only=True)
class IncidentRow:
    id: int
    kind: IncidentKind
    status: IncidentStatus
    item: str
    quantity: int
    cost_cents: int
    payer: Payer
    description: str
    opened_at: dt.datetime


def list_incidents(session: Session, *, open_only: bool = False) -> list[IncidentRow]:
    query = (
        select(Incident, Asset.tag, StockLot.name)
        .outerjoin(Asset, Incident.asset_id == Asset.id)
        .outerjoin(StockLot, Incident.stock_lot_id == StockLot.id)
        .order_by(Incident.opened_at.desc(), Incident.id.desc())
    )
    if open_only:
        query = query.where(Incident.status.not_in(CLOSED))
    return [
        IncidentRow(
            id=incident.id,
            kind=incident.kind,
            status=incident.status,
            item=tag or lot or "",
            quantity=incident.quantity,
            cost_cents=incident.cost_cents,
            payer=incident.payer,
            description=incident.description,
            opened_at=incident.opened_at,
        )
        for incident, tag, lot in session.execute(query)
    ]

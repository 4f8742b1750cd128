"""Serialized assets: adding them, reading one with its history, listing them for a table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, UserError
from regie.i18n import N_, _
from regie.inventory import catalogue
from regie.inventory.asset_window import AssetFilter, AssetRow, rows_query  # with the table query
from regie.inventory.history import EventKind, history, record
from regie.inventory.models import (
    Asset,
    AssetEvent,
    AssetShare,
    AssetStatus,
)
from regie.models import Organisation

STATUS_LABELS = {
    AssetStatus.AVAILABLE: N_("disponible"),
    AssetStatus.BOOKED: N_("réservé"),
    AssetStatus.OUT: N_("sorti"),
    AssetStatus.IN_REPAIR: N_("en réparation"),
    AssetStatus.QUARANTINED: N_("en quarantaine"),
    AssetStatus.LOST: N_("perdu"),
    AssetStatus.WRITTEN_OFF: N_("sorti de l'inventaire"),
}

# Statuses in which an item cannot go out.
UNUSABLE = (
    AssetStatus.IN_REPAIR,
    AssetStatus.QUARANTINED,
    AssetStatus.LOST,
    AssetStatus.WRITTEN_OFF,
)


@dataclass(frozen=True, kw_only=True)
class NewAsset:
    tag: str
    model: str
    owner: str
    serial_number: str = ""
    category: str = ""
    manufacturer: str = ""
    purchase_date: dt.date | None = None
    purchase_cost_cents: int = 0
    amortisation_months: int = 36
    salvage_value_cents: int = 0
    status: AssetStatus = AssetStatus.AVAILABLE
    location: str = ""
    notes: str = ""
    co_owners: tuple[tuple[str, int], ...] = ()  # (organisation, share in basis points)


def add_asset(session: Session, new: NewAsset, *, imported: bool = False) -> Asset:
    """Create one asset from plain values; raises UserError with a French reason."""
    tag = catalogue.normalise_tag(new.tag)
    if not tag:
        raise UserError(_("étiquette vide"))
    if session.scalar(select(Asset.id).where(Asset.tag == tag)) is not None:
        raise Conflict(_("étiquette déjà utilisée : {tag}").format(tag=tag))
    if new.purchase_cost_cents < 0 or new.salvage_value_cents < 0:
        raise UserError(_("un coût ne peut pas être négatif"))
    if new.amortisation_months <= 0:
        raise UserError(_("la durée d'amortissement doit être d'au moins un mois"))
    owner = catalogue.organisation(session, new.owner)
    model = catalogue.model_named(
        session, new.model, category=new.category, manufacturer=new.manufacturer
    )
    location = catalogue.location(session, new.location) if new.location else None
    asset = Asset(
        tag=tag,
        serial_number=new.serial_number.strip(),
        model_id=model.id,
        owner_id=owner.id,
        purchase_date=new.purchase_date,
        purchase_cost_cents=new.purchase_cost_cents,
        amortisation_months=new.amortisation_months,
        salvage_value_cents=new.salvage_value_cents,
        status=new.status,
        location_id=location.id if location else None,
        notes=new.notes,
    )
    session.add(asset)
    session.flush()
    if new.co_owners:
        set_shares(session, asset, new.co_owners)
    record(session, asset, EventKind.IMPORTED if imported else EventKind.CREATED, clock.now())
    return asset


def set_shares(session: Session, asset: Asset, shares: tuple[tuple[str, int], ...]) -> None:
    """Co-owners of an asset; the shares must add up to 100 % (10000 basis points)."""
    total = sum(share for _name, share in shares)
    if total != 10000:
        raise UserError(
            _("les parts des copropriétaires font {total:g} %, pas 100 %").format(total=total / 100)
        )
    for existing in session.scalars(select(AssetShare).where(AssetShare.asset_id == asset.id)):
        session.delete(existing)
    for name, share in shares:
        if share <= 0:
            raise UserError(_("part nulle ou négative pour {name}").format(name=name))
        organisation = catalogue.organisation(session, name)
        session.add(AssetShare(asset_id=asset.id, organisation_id=organisation.id, share_bp=share))
    session.flush()


def list_assets(session: Session, where: AssetFilter | None = None) -> list[AssetRow]:
    """The inventory table, filtered, in tag order (every row: for files and the CLI)."""
    query, _columns = rows_query(where or AssetFilter())
    return [AssetRow(*row) for row in session.execute(query.order_by(Asset.tag))]


def asset_row(session: Session, asset_id: int) -> AssetRow:
    query, _columns = rows_query(AssetFilter())
    return AssetRow(*session.execute(query.where(Asset.id == asset_id)).one())


@dataclass(frozen=True, kw_only=True)
class AssetDetail:
    row: AssetRow
    purchase_date: dt.date | None
    amortisation_months: int
    salvage_value_cents: int
    notes: str
    shares: list[tuple[str, int]]
    events: list[AssetEvent]


def asset_detail(session: Session, tag: str) -> AssetDetail:
    asset = catalogue.asset(session, tag)
    row = asset_row(session, asset.id)
    shares = [
        (name, share)
        for name, share in session.execute(
            select(Organisation.short_name, AssetShare.share_bp)
            .join(Organisation, AssetShare.organisation_id == Organisation.id)
            .where(AssetShare.asset_id == asset.id)
            .order_by(AssetShare.share_bp.desc())
        )
    ]
    return AssetDetail(
        row=row,
        purchase_date=asset.purchase_date,
        amortisation_months=asset.amortisation_months,
        salvage_value_cents=asset.salvage_value_cents,
        notes=asset.notes,
        shares=shares or [(row.owner, 10000)],
        events=history(session, asset.id),
    )

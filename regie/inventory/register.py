"""Adding to the inventory's reference data: organisations, places, prestations, models,
stock lots, and kits (cases holding assets). Names are unique; a duplicate is refused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from regie.errors import Conflict, UserError
from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.catalogue import same_name
from regie.inventory.models import (
    Asset,
    AssetModel,
    AssetStatus,
    Kit,
    Location,
    StockLot,
    Tracking,
)
from regie.models import Organisation, Prestation


def _unique(session: Session, column: InstrumentedAttribute[str], value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise UserError(f"{what} : nom vide")
    if session.scalar(select(func.count()).where(same_name(column, value))):
        raise Conflict(_("{what} « {value} » existe déjà").format(what=what, value=value))
    return value


def add_organisation(
    session: Session,
    short_name: str,
    name: str = "",
    *,
    siret: str = "",
    vat_number: str = "",
    address: str = "",
    email: str = "",
) -> Organisation:
    short = _unique(session, Organisation.short_name, short_name, "organisation")
    if siret and (not siret.isdigit() or len(siret) not in (9, 14)):
        raise UserError(
            _("SIREN/SIRET invalide « {siret} » (9 ou 14 chiffres)").format(siret=siret)
        )
    organisation = Organisation(
        short_name=short,
        name=name.strip() or short,
        siret=siret,
        vat_number=vat_number,
        address=address,
        email=email,
    )
    session.add(organisation)
    session.flush()
    return organisation


def add_location(session: Session, name: str, address: str = "") -> Location:
    location = Location(name=_unique(session, Location.name, name, "lieu"), address=address)
    session.add(location)
    session.flush()
    return location


PRESTATION_KINDS = ("external", "own")


def default_kind(session: Session, client: str, day: dt.date) -> str:
    """« own » when the client is the convention's partner (its own festival), else
    « external »."""
    from regie.settings.convention import settings_at  # the convention's partner

    partner = settings_at(session, day).text("partner")
    return "own" if client.strip().lower() == partner.lower() else "external"


def _kind(kind: str) -> str:
    if kind not in PRESTATION_KINDS:
        raise UserError(
            _(
                "nature de prestation « {kind} » : external (prestation extérieure) ou own "
                "(événement propre du partenaire)"
            ).format(kind=kind)
        )
    return kind


def add_prestation(
    session: Session,
    name: str,
    client: str,
    starts_on: dt.date,
    ends_on: dt.date,
    place: str = "",
    *,
    kind: str | None = None,
) -> Prestation:
    """A prestation; its kind defaults to « own » when the client is the partner."""
    if ends_on < starts_on:
        raise UserError(_("la prestation finit avant de commencer"))
    organisation = catalogue.organisation(session, client)
    prestation = Prestation(
        name=_unique(session, Prestation.name, name, "prestation"),
        client_id=organisation.id,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        kind=_kind(kind or default_kind(session, organisation.short_name, starts_on)),
    )
    session.add(prestation)
    session.flush()
    return prestation


def set_prestation_kind(session: Session, name: str, kind: str) -> Prestation:
    """Say whether a prestation is an external one or the partner's own event."""
    prestation = session.scalar(select(Prestation).where(same_name(Prestation.name, name)))
    if prestation is None:
        raise UserError(_("prestation inconnue : « {name} »").format(name=name))
    prestation.kind = _kind(kind)
    session.flush()
    return prestation


def add_model(
    session: Session,
    name: str,
    category: str,
    *,
    manufacturer: str = "",
    counted: bool = False,
    amortisation_months: int = 36,
) -> AssetModel:
    if amortisation_months <= 0:
        raise UserError(_("la durée d'amortissement doit être d'au moins un mois"))
    model = AssetModel(
        name=_unique(session, AssetModel.name, name, _("modèle")),
        manufacturer=manufacturer,
        category_id=catalogue.category_named(session, category.strip() or "Divers").id,
        tracking=Tracking.QUANTITY if counted else Tracking.SERIAL,
        amortisation_months=amortisation_months,
    )
    session.add(model)
    session.flush()
    return model


def add_stock_lot(
    session: Session,
    name: str,
    model: str,
    owner: str,
    quantity: int,
    unit_cost_cents: int,
    *,
    purchase_date: dt.date | None = None,
    location: str = "",
) -> StockLot:
    if quantity <= 0:
        raise UserError(_("un lot contient au moins un élément"))
    if unit_cost_cents < 0:
        raise UserError(_("un coût ne peut pas être négatif"))
    lot = StockLot(
        name=_unique(session, StockLot.name, name, "lot"),
        model_id=catalogue.model_named(session, model).id,
        owner_id=catalogue.organisation(session, owner).id,
        location_id=catalogue.location(session, location).id if location else None,
        quantity=quantity,
        unit_cost_cents=unit_cost_cents,
        purchase_date=purchase_date,
    )
    session.add(lot)
    session.flush()
    return lot


def create_kit(session: Session, tag: str, name: str, location: str = "") -> Kit:
    kit = Kit(
        tag=_unique(session, Kit.tag, catalogue.normalise_tag(tag), "valise"),
        name=name.strip() or tag,
        location_id=catalogue.location(session, location).id if location else None,
    )
    session.add(kit)
    session.flush()
    return kit


def put_in_kit(session: Session, kit_tag: str, tags: list[str]) -> list[str]:
    """Put assets in a kit (each asset in one kit at most; not while out)."""
    kit = catalogue.kit(session, kit_tag)
    added = []
    for tag in tags:
        asset = catalogue.asset(session, tag)
        if asset.kit_id not in (None, kit.id):
            other = session.get_one(Kit, asset.kit_id)
            raise Conflict(
                _("{tag} est déjà dans la valise {tag2}").format(tag=asset.tag, tag2=other.tag)
            )
        if asset.status == AssetStatus.OUT:
            raise Conflict(_("{tag} est sorti : rangez-le à son retour").format(tag=asset.tag))
        asset.kit_id = kit.id
        added.append(asset.tag)
    return added


def take_out_of_kit(session: Session, kit_tag: str, tags: list[str]) -> None:
    kit = catalogue.kit(session, kit_tag)
    for tag in tags:
        asset = catalogue.asset(session, tag)
        if asset.kit_id != kit.id:
            raise UserError(
                _("{tag} n'est pas dans la valise {tag2}").format(tag=asset.tag, tag2=kit.tag)
            )
        asset.kit_id = None


def kits(session: Session) -> list[tuple[str, str, list[str]]]:
    """Every kit with its contents: (tag, name, asset tags)."""
    contents: dict[int, list[str]] = {}
    for kit_id, tag in session.execute(
        select(Asset.kit_id, Asset.tag).where(Asset.kit_id.is_not(None)).order_by(Asset.tag)
    ):
        if kit_id is not None:
            contents.setdefault(kit_id, []).append(tag)
    return [
        (kit.tag, kit.name, contents.get(kit.id, []))
        for kit in session.scalars(select(Kit).order_by(Kit.tag))
    ]

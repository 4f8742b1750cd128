"""Looking up the inventory's reference data by the names people type."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from regie.errors import NotFound
from regie.inventory.models import Asset, AssetCategory, AssetModel, Kit, Location, StockLot
from regie.models import Organisation, Prestation


def organisation(session: Session, name: str) -> Organisation:
    """An organisation by its short name or full name, case-insensitive."""
    key = name.strip().lower()
    found = session.scalar(
        select(Organisation).where(
            or_(func.lower(Organisation.short_name) == key, func.lower(Organisation.name) == key)
        )
    )
    if found is None:
        known = ", ".join(session.scalars(select(Organisation.short_name)).all())
        raise NotFound(f"organisation inconnue : « {name} » (connues : {known or 'aucune'})")
    return found


def prestation(session: Session, name: str) -> Prestation:
    found = session.scalar(
        select(Prestation).where(func.lower(Prestation.name) == name.strip().lower())
    )
    if found is None:
        raise NotFound(f"prestation inconnue : « {name} »")
    return found


def location(session: Session, name: str) -> Location:
    found = session.scalar(
        select(Location).where(func.lower(Location.name) == name.strip().lower())
    )
    if found is None:
        raise NotFound(f"lieu inconnu : « {name} »")
    return found


def asset(session: Session, tag: str) -> Asset:
    found = session.scalar(select(Asset).where(Asset.tag == normalise_tag(tag)))
    if found is None:
        raise NotFound(f"étiquette inconnue : « {tag} »")
    return found


def kit(session: Session, tag: str) -> Kit:
    found = session.scalar(select(Kit).where(Kit.tag == normalise_tag(tag)))
    if found is None:
        raise NotFound(f"valise inconnue : « {tag} »")
    return found


def stock_lot(session: Session, name: str) -> StockLot:
    found = session.scalar(
        select(StockLot).where(func.lower(StockLot.name) == name.strip().lower())
    )
    if found is None:
        raise NotFound(f"lot inconnu : « {name} »")
    return found


def category_named(session: Session, name: str) -> AssetCategory:
    """The category of that name, created if new."""
    found = session.scalar(select(AssetCategory).where(AssetCategory.name == name))
    if found is None:
        found = AssetCategory(name=name)
        session.add(found)
        session.flush()
    return found


def model_named(
    session: Session, name: str, *, category: str = "", manufacturer: str = ""
) -> AssetModel:
    """The asset model of that name; created (serial tracking) when a category is given."""
    found = session.scalar(select(AssetModel).where(func.lower(AssetModel.name) == name.lower()))
    if found is not None:
        return found
    if not category:
        raise NotFound(f"modèle inconnu : « {name} » (donnez sa catégorie pour le créer)")
    from regie.inventory.models import Tracking

    found = AssetModel(
        name=name,
        manufacturer=manufacturer,
        category_id=category_named(session, category).id,
        tracking=Tracking.SERIAL,
        amortisation_months=36,
    )
    session.add(found)
    session.flush()
    return found


def normalise_tag(tag: str) -> str:
    """Tags are compared upper-case without surrounding blanks (scanners add some)."""
    return tag.strip().upper()

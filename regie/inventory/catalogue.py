"""Looking up the inventory's reference data by the names people type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from regie.errors import NotFound
from regie.i18n import _
from regie.inventory.models import Asset, AssetCategory, AssetModel, Kit, Location, StockLot
from regie.models import Organisation, Prestation


class fold(FunctionElement[str]):
    """Unicode case folding in SQL: lower() on PostgreSQL, Régie's regie_fold on SQLite."""

    type = String()
    inherit_cache = True


@compiles(fold)
def _fold_default(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: SQLCompiler, **kw: Any) -> str:
    return f"regie_fold({compiler.process(element.clauses, **kw)})"


def same_name(column: InstrumentedAttribute[str], name: str) -> ColumnElement[bool]:
    """Case-insensitive equality, folded by the database on both sides."""
    return fold(column) == fold(name.strip())


def organisation(session: Session, name: str) -> Organisation:
    """An organisation by its short name or full name, case-insensitive."""
    found = session.scalar(
        select(Organisation).where(
            or_(same_name(Organisation.short_name, name), same_name(Organisation.name, name))
        )
    )
    if found is None:
        known = ", ".join(session.scalars(select(Organisation.short_name)).all())
        raise NotFound(
            _("organisation inconnue : « {name} » (connues : {known})").format(
                name=name, known=known or _("aucune")
            )
        )
    return found


def prestation(session: Session, name: str) -> Prestation:
    found = session.scalar(select(Prestation).where(same_name(Prestation.name, name)))
    if found is None:
        raise NotFound(_("prestation inconnue : « {name} »").format(name=name))
    return found


def location(session: Session, name: str) -> Location:
    found = session.scalar(select(Location).where(same_name(Location.name, name)))
    if found is None:
        raise NotFound(_("lieu inconnu : « {name} »").format(name=name))
    return found


def asset(session: Session, tag: str) -> Asset:
    found = session.scalar(select(Asset).where(Asset.tag == normalise_tag(tag)))
    if found is None:
        raise NotFound(_("étiquette inconnue : « {tag} »").format(tag=tag))
    return found


def kit(session: Session, tag: str) -> Kit:
    found = session.scalar(select(Kit).where(Kit.tag == normalise_tag(tag)))
    if found is None:
        raise NotFound(_("valise inconnue : « {tag} »").format(tag=tag))
    return found


def stock_lot(session: Session, name: str) -> StockLot:
    found = session.scalar(select(StockLot).where(same_name(StockLot.name, name)))
    if found is None:
        raise NotFound(_("lot inconnu : « {name} »").format(name=name))
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
    found = session.scalar(select(AssetModel).where(same_name(AssetModel.name, name)))
    if found is not None:
        return found
    if not category:
        raise NotFound(
            _("modèle inconnu : « {name} » (donnez sa catégorie pour le créer)").format(name=name)
        )
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

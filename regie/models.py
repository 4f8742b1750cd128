"""The shared tables: who (organisations) and when (prestations).

Each domain package (inventory, cards, ledger…) declares its own tables on the same
``Base``; Alembic sees them all through :mod:`regie.schema`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Date, DateTime, Enum, ForeignKey, MetaData, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def portable_enum(cls: type[enum.Enum]) -> Enum:
    """A portable enum column: stored as its value in a VARCHAR, same on SQLite and PostgreSQL."""
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


def created_now() -> Any:
    """A timestamp column the database fills in when the row is written."""
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Organisation(Base):
    """An owner of equipment, a borrower, a client: the cooperative, the collective, a festival."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(80), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = created_now()


class Prestation(Base):
    """An event served for a client: a festival, a season of concerts."""

    __tablename__ = "prestation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # external: the partner serves an outside client (share + cachet); own: the partner's
    # own festival (no cachet, a share only if the convention says so).
    kind: Mapped[str] = mapped_column(String(12), default="external", server_default="external")
    # the settlement scheme its statement is drawn under: convention, flat, soticket
    scheme: Mapped[str] = mapped_column(
        String(16), default="convention", server_default="convention"
    )

"""Inventory tables: what the cooperative and the collective own and lend."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base


class Tracking(enum.StrEnum):
    SERIAL = "serial"  # one row per physical item, with a tag
    QUANTITY = "quantity"  # counted in lots (NFC cards, cables)


class AssetStatus(enum.StrEnum):
    AVAILABLE = "available"
    BOOKED = "booked"
    OUT = "out"
    IN_REPAIR = "in_repair"
    QUARANTINED = "quarantined"
    LOST = "lost"
    WRITTEN_OFF = "written_off"


class AssetCategory(Base):
    __tablename__ = "asset_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class AssetModel(Base):
    """A kind of equipment: Sunmi V2s, Stripe reader, NFC card…"""

    __tablename__ = "asset_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("asset_category.id"))
    tracking: Mapped[Tracking] = mapped_column(
        Enum(Tracking, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    amortisation_months: Mapped[int] = mapped_column(Integer, default=36)


class Asset(Base):
    """One serialized item, known by the tag stuck on it."""

    __tablename__ = "asset"
    __table_args__ = (
        CheckConstraint("purchase_cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("salvage_value_cents >= 0", name="salvage_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), unique=True)
    serial_number: Mapped[str] = mapped_column(String(80), default="")
    model_id: Mapped[int] = mapped_column(ForeignKey("asset_model.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)
    purchase_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    amortisation_months: Mapped[int] = mapped_column(Integer, default=36)
    salvage_value_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[AssetStatus] = mapped_column(
        Enum(
            AssetStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AssetStatus.AVAILABLE,
        index=True,
    )
    notes: Mapped[str] = mapped_column(Text, default="")


class StockLot(Base):
    """Items counted, not tagged: a lot of 6,000 NFC cards, a box of cables."""

    __tablename__ = "stock_lot"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("unit_cost_cents >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("asset_model.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)
    amortisation_months: Mapped[int] = mapped_column(Integer, default=36)
    notes: Mapped[str] = mapped_column(Text, default="")

"""Inventory tables: what the cooperative and the collective own and lend."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base, created_now, portable_enum


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


class Condition(enum.StrEnum):
    """How an item comes back from a loan."""

    OK = "ok"
    DAMAGED = "damaged"
    MISSING = "missing"


class IncidentKind(enum.StrEnum):
    BREAKAGE = "breakage"
    THEFT = "theft"
    LOSS = "loss"
    REPAIR = "repair"


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    QUARANTINED = "quarantined"
    IN_REPAIR = "in_repair"
    REPAIRED = "repaired"  # back in stock
    WRITTEN_OFF = "written_off"
    FOUND = "found"  # a missing item came back


class Payer(enum.StrEnum):
    """Who pays for an incident under the convention."""

    UNDECIDED = "undecided"
    BORROWER = "borrower"
    OWNER = "owner"
    SHARED_POT = "shared_pot"


class Location(Base):
    """Where equipment lives between events: a depot, an office, a festival site."""

    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


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
    tracking: Mapped[Tracking] = mapped_column(portable_enum(Tracking))
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
        portable_enum(AssetStatus), default=AssetStatus.AVAILABLE, index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kit.id"), index=True)
    # UID (upper-case hex) of an NFC sticker on the item, so the card reader can identify it.
    nfc_uid: Mapped[str | None] = mapped_column(String(20), unique=True)


class AssetShare(Base):
    """A co-owner's share of an asset, in basis points (10000 = 100 %)."""

    __tablename__ = "asset_share"
    __table_args__ = (CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_range"),)

    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    share_bp: Mapped[int] = mapped_column(Integer)


class Kit(Base):
    """A case holding assets, checked out and in as one."""

    __tablename__ = "kit"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
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
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)
    amortisation_months: Mapped[int] = mapped_column(Integer, default=36)
    notes: Mapped[str] = mapped_column(Text, default="")


class Booking(Base):
    """An asset, a kit or a quantity of a lot reserved for a prestation's date window."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("ends_on >= starts_on", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kit.id"))
    stock_lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lot.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_now()


class Loan(Base):
    """Equipment out to an organisation (for a prestation) until its due date."""

    __tablename__ = "loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"), index=True)
    out_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[dt.date] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str] = mapped_column(Text, default="")


class LoanLine(Base):
    """One asset, or a quantity of a lot, in a loan; filled in again at check-in."""

    __tablename__ = "loan_line"
    __table_args__ = (
        CheckConstraint("quantity_out > 0", name="quantity_out_positive"),
        CheckConstraint(
            "quantity_back >= 0 AND quantity_back <= quantity_out", name="quantity_back_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    stock_lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lot.id"))
    kit_id: Mapped[int | None] = mapped_column(ForeignKey("kit.id"))
    quantity_out: Mapped[int] = mapped_column(Integer, default=1)
    quantity_back: Mapped[int] = mapped_column(Integer, default=0)
    condition: Mapped[Condition | None] = mapped_column(portable_enum(Condition))
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    """Breakage, theft, loss or repair of an asset or of a quantity of a lot."""

    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IncidentKind] = mapped_column(portable_enum(IncidentKind))
    status: Mapped[IncidentStatus] = mapped_column(portable_enum(IncidentStatus), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    stock_lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lot.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    payer: Mapped[Payer] = mapped_column(portable_enum(Payer), default=Payer.UNDECIDED)
    description: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AssetEvent(Base):
    """One line of an asset's history. Append-only: history is never rewritten."""

    __tablename__ = "asset_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text, default="")
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    cost_cents: Mapped[int | None] = mapped_column(Integer)


class Audit(Base):
    """A stock-take with a scanner, of a prestation's equipment or of a location."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expected: Mapped[int] = mapped_column(Integer, default=0)
    present: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    misplaced: Mapped[int] = mapped_column(Integer, default=0)


class AuditScan(Base):
    """A tag scanned during an audit, with what it was found to be."""

    __tablename__ = "audit_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id"), index=True)
    tag: Mapped[str] = mapped_column(String(80))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

"""Card tables: batches, cards, their append-only history, staff cards, returns after a loan.

A card is known by its printed number (8 characters, the QR uuid's first 8 hex digits), the
uuid of its QR URL, and its chip UID once paired. TiBillet keeps only the UID's first 4
bytes (``tag_id``); Régie keeps the full UID (4, 7 or 10 bytes) and the ``tag_id`` beside it,
because a factory file may give only the 4-byte form: the full UID is filled in when the
card is first tapped at an encoding station.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from regie.i18n import N_
from regie.models import Base, created_now, portable_enum


class CardState(enum.StrEnum):
    """Where the card stands for the terminals and the office."""

    ACTIVE = "active"
    BLOCKED = "blocked"  # refused by terminals (block list)
    LOST = "lost"  # declared lost: refused by terminals, balance moved to a replacement
    RETURNED = "returned"  # back in stock after a prestation
    DESTROYED = "destroyed"


STATE_LABELS: dict[CardState, str] = {
    CardState.ACTIVE: N_("active"),
    CardState.BLOCKED: N_("bloquée"),
    CardState.LOST: N_("perdue"),
    CardState.RETURNED: N_("rendue"),
    CardState.DESTROYED: N_("détruite"),
}


# What a card's history line records (CardEvent.kind), in the office's words.
EVENT_LABELS: dict[str, str] = {
    "state": N_("Changement d'état"),
    "encoded": N_("Encodage"),
    "paired": N_("Puce associée"),
    "unpaired": N_("Association annulée"),
    "replaced": N_("Remplacée"),
    "replacement": N_("Remplaçante"),
    "staff": N_("Carte staff"),
    "staff_revoked": N_("Staff révoquée"),
}


def state_label(value: str | None) -> str:
    """A stored state (``"lost"``) in the user's language; an unknown one as it is."""
    from regie.i18n import _

    try:
        return _(STATE_LABELS[CardState(value or "")])
    except ValueError:
        return value or ""


def event_label(kind: str) -> str:
    from regie.i18n import _

    return _(EVENT_LABELS[kind]) if kind in EVENT_LABELS else kind


class Encoding(enum.StrEnum):
    """How far the encoding station got with the chip."""

    BLANK = "blank"  # never processed at a station
    TO_REENCODE = "to_reencode"  # a write started and did not finish: the next tap finishes it
    ENCODED = "encoded"  # paired, and written / protected as the session asked, verified


ENCODING_LABELS: dict[Encoding, str] = {
    Encoding.BLANK: N_("non encodée"),
    Encoding.TO_REENCODE: N_("à ré-encoder"),
    Encoding.ENCODED: N_("encodée"),
}


class CardBatch(Base):
    """A factory batch of printed cards, owned by an organisation, part of an inventory lot."""

    __tablename__ = "card_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    stock_lot_id: Mapped[int | None] = mapped_column(ForeignKey("stock_lot.id"), index=True)
    source: Mapped[str] = mapped_column(String(400), default="")  # file imported or generated
    base_url: Mapped[str] = mapped_column(String(400), default="")
    # Key from which each card's NTAG password is derived (see regie.cards.protection).
    # Never printed, never logged.
    protect_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = created_now()
    notes: Mapped[str] = mapped_column(Text, default="")


class Card(Base):
    """One printed card and, once paired, its chip."""

    __tablename__ = "card"
    __table_args__ = (UniqueConstraint("batch_id", "position", name="uq_card_batch_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("card_batch.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in the batch (printing order)
    number: Mapped[str] = mapped_column(String(8), unique=True)
    qr_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    url: Mapped[str] = mapped_column(String(400))
    uid: Mapped[str | None] = mapped_column(String(20), unique=True)  # full UID, hex upper
    tag_id: Mapped[str | None] = mapped_column(String(8), unique=True)  # first 4 bytes, hex
    chip: Mapped[str | None] = mapped_column(String(16))  # ntag213, ntag215…
    state: Mapped[CardState] = mapped_column(
        portable_enum(CardState), default=CardState.ACTIVE, index=True
    )
    encoding: Mapped[Encoding] = mapped_column(portable_enum(Encoding), default=Encoding.BLANK)
    url_written: Mapped[bool] = mapped_column(Boolean, default=False)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    encoded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("card.id"))


class CardEvent(Base):
    """One line of a card's history: who did what, when, why. Append-only."""

    __tablename__ = "card_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(24))  # state, encoded, paired, replaced…
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    who: Mapped[str] = mapped_column(String(120), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))


class StaffCard(Base):
    """A staff card (TiBillet's "primary card"): opens points of sale for one person."""

    __tablename__ = "staff_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id"), unique=True)
    person: Mapped[str] = mapped_column(String(200))
    # Points of sale the card opens, one per line; "*" alone opens them all.
    points_of_sale: Mapped[str] = mapped_column(Text, default="")
    manager: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CardReturn(Base):
    """A card of a lent lot counted back at the end of a prestation."""

    __tablename__ = "card_return"
    __table_args__ = (UniqueConstraint("prestation_id", "card_id", name="uq_card_return_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id"), index=True)
    returned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(120), default="")
    how: Mapped[str] = mapped_column(String(16), default="tap")  # tap | batch

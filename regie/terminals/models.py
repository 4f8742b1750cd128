"""Terminals tables: the registry, the configuration versions pushed, the menus of the points
of sale, the event's terminal settings, the link history and the journals pulled back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base, created_now


class TerminalSettings(Base):
    """What every terminal of the event shares (one row): server, Wi-Fi, language."""

    __tablename__ = "terminal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_name: Mapped[str] = mapped_column(String(200), default="")
    server_url: Mapped[str] = mapped_column(String(400), default="")
    wifi_ssid: Mapped[str] = mapped_column(String(64), default="")
    wifi_password: Mapped[str] = mapped_column(String(128), default="")
    locale: Mapped[str] = mapped_column(String(16), default="fr_FR")


class Terminal(Base):
    """A terminal of the fleet: an inventory asset, the point of sale it serves, and what
    Régie last learnt from it over the link."""

    __tablename__ = "terminal"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), unique=True)
    pos_id: Mapped[int | None] = mapped_column(ForeignKey("pos.id"), index=True)
    pairing_pin: Mapped[str] = mapped_column(String(12), default="")
    api_key: Mapped[str] = mapped_column(String(120), default="")  # sent instead of the PIN
    printer_width: Mapped[int] = mapped_column(Integer, default=32)  # characters per line
    port: Mapped[str] = mapped_column(String(400), default="")  # the last port that worked
    agent_version: Mapped[str] = mapped_column(String(60), default="")
    protocol: Mapped[int | None] = mapped_column(Integer)
    config_version: Mapped[int | None] = mapped_column(Integer)  # the one the terminal runs
    config_hash: Mapped[str] = mapped_column(String(64), default="")
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # journal received up to
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = created_now()


class TerminalConfig(Base):
    """One version of a terminal's configuration bundle: canonical JSON and its SHA-256."""

    __tablename__ = "terminal_config"
    __table_args__ = (
        UniqueConstraint("terminal_id", "version", name="uq_terminal_config_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminal.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_now()


class MenuItem(Base):
    """A product on a point of sale's menu: price in cents (VAT included), VAT in basis points."""

    __tablename__ = "terminal_menu_item"
    __table_args__ = (
        UniqueConstraint("pos_id", "product", name="uq_terminal_menu_item_pos_product"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("vat_bp >= 0 AND vat_bp <= 10000", name="vat_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pos_id: Mapped[int] = mapped_column(ForeignKey("pos.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(80), default="")
    price_cents: Mapped[int] = mapped_column(Integer)
    vat_bp: Mapped[int] = mapped_column(Integer)


class TerminalEvent(Base):
    """One exchange with a terminal over the link (push, pull, status) and how it ended."""

    __tablename__ = "terminal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminal.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(16))  # push, pull, status
    ok: Mapped[bool] = mapped_column(Boolean)
    port: Mapped[str] = mapped_column(String(400), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class JournalPull(Base):
    """A run of journal lines received from a terminal and handed to the ledger.

    ``digest`` is the SHA-256 of the lines' bytes (each ending with a newline), so the same
    run pulled again is recognised without asking the ledger line by line.
    """

    __tablename__ = "terminal_pull"

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminal.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    first_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
    imported: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    archive: Mapped[str] = mapped_column(String(400), default="")


class RefundPoint(Base):
    """A point of sale where terminals may refund a card's balance (the desks, not the bars):
    its terminals' configurations say so, and the journal import refuses a refund elsewhere."""

    __tablename__ = "terminal_refund_point"

    pos_id: Mapped[int] = mapped_column(ForeignKey("pos.id"), primary_key=True)

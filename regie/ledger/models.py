"""Ledger tables. ``transfer`` and ``closure`` are append-only (triggers refuse changes)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base


class LedgerAsset(Base):
    """A currency the festival runs on: local euro token, gift token, federated euro…"""

    __tablename__ = "ledger_asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # local, gift, federated, custom
    payment_rank: Mapped[int] = mapped_column(Integer, default=50)  # lower pays first
    refundable: Mapped[bool] = mapped_column(Boolean, default=True)


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    may_go_negative: Mapped[bool] = mapped_column(Boolean)


class PointOfSale(Base):
    __tablename__ = "pos"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class Source(Base):
    """Who wrote transfers: a terminal (by name), the office desk, Stripe, the system."""

    __tablename__ = "ledger_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # terminal, desk, stripe, system


class LedgerHead(Base):
    """The chain head; every writer locks this one row first."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_transfer_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    next_desk_seq: Mapped[int] = mapped_column(BigInteger, default=1)
    last_closure_number: Mapped[int] = mapped_column(Integer, default=0)
    last_closure_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The first transfer the chain hashes by content (names), not ids (regie.ledger.chain).
    content_from: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    # The first Z that must carry a signature (those closed before the seal have none).
    signed_from: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # This base's identity: the Z archive file of a laptop holds the Z of several bases.
    base_id: Mapped[str] = mapped_column(String(36), default="", server_default="")


class Transfer(Base):
    __tablename__ = "transfer"
    __table_args__ = (
        UniqueConstraint("source_id", "seq", "leg", name="uq_transfer_source_seq_leg"),
        Index("ix_transfer_pos_id_id", "pos_id", "id"),  # a till's X and Z
        Index("ix_transfer_event_id_id", "event_id", "id"),  # an event's figures
        # Keys are rare (the desk, Stripe, melting): the index holds them, not a million NULLs.
        Index(
            "ux_transfer_idem_key",
            "idem_key",
            unique=True,
            sqlite_where=text("idem_key IS NOT NULL"),
            postgresql_where=text("idem_key IS NOT NULL"),
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_id <> credit_id", name="two_accounts"),
    )

    # INTEGER on SQLite: the rowid itself (64 bits there too), not a second index beside it.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    link_id: Mapped[int] = mapped_column(BigInteger)
    source_id: Mapped[int] = mapped_column(ForeignKey("ledger_source.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    leg: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(16))
    at: Mapped[int] = mapped_column(BigInteger)  # seconds since the epoch, UTC
    tz_minutes: Mapped[int] = mapped_column(Integer)  # the terminal's offset from UTC
    debit_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    credit_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("ledger_asset.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    pos_id: Mapped[int | None] = mapped_column(ForeignKey("pos.id"))
    ref_id: Mapped[int | None] = mapped_column(BigInteger)  # seq (same source) a void reverses
    idem_key: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[str] = mapped_column(Text, default="")
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The prestation this transfer belongs to (None: « hors prestation »), decided when it is
    # written (see regie.ledger.attribution); not part of the hash chain.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))


class Balance(Base):
    """Cached balance per account and asset, kept in the transfers' transaction."""

    __tablename__ = "balance"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("ledger_asset.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[int] = mapped_column(BigInteger)  # last movement, for melting


class SalesSummary(Base):
    """Sales per event, point of sale, product, VAT rate and local hour (cache of the journal)."""

    __tablename__ = "sales_summary"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: hors prestation
    pos_id: Mapped[int] = mapped_column(ForeignKey("pos.id"), primary_key=True)
    product: Mapped[str] = mapped_column(String(120), primary_key=True)
    vat_bp: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)  # "2026-07-12T21"
    quantity: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)


class Product(Base):
    """A product sold at the points of sale, with its category (for reports)."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(80), default="")


class Closure(Base):
    """A Z closure: numbered without gaps, immutable, chained to the previous one."""

    __tablename__ = "closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    scope: Mapped[str] = mapped_column(String(90))  # "pos:<name>" or "event"
    period: Mapped[str] = mapped_column(String(16))  # session, day, event
    first_transfer_id: Mapped[int] = mapped_column(BigInteger)
    last_transfer_id: Mapped[int] = mapped_column(BigInteger)
    totals: Mapped[str] = mapped_column(Text)  # canonical JSON of the figures
    grand_total: Mapped[int] = mapped_column(BigInteger)
    cash_float: Mapped[int] = mapped_column(BigInteger, default=0)
    cash_expected: Mapped[int] = mapped_column(BigInteger, default=0)
    cash_counted: Mapped[int | None] = mapped_column(BigInteger)
    chain_head: Mapped[bytes] = mapped_column(LargeBinary(32))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class ZKey(Base):
    """A public key that signs Z closures (its private half lives in an OS keyring)."""

    __tablename__ = "z_key"

    fingerprint: Mapped[str] = mapped_column(String(40), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ZSignature(Base):
    """The Ed25519 signature of one Z (append-only, like the closure it signs)."""

    __tablename__ = "z_signature"

    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_fingerprint: Mapped[str] = mapped_column(ForeignKey("z_key.fingerprint"))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))

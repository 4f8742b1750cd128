"""Settlement tables: Stripe's objects as synced, refund runs, recorded settlement
statements, invoices and credit notes (the convention's settings: :mod:`regie.settings.models`).

Amounts are integer cents; Stripe's ids are kept as they are (``pi_…``, ``txn_…``, ``po_…``).
No Stripe secret and no idempotency key is ever stored here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base, created_now


class StripePayment(Base):
    """A PaymentIntent (a top-up paid on a card reader or online)."""

    __tablename__ = "stripe_payment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    amount_received: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    created: Mapped[int] = mapped_column(BigInteger, index=True)
    method: Mapped[str] = mapped_column(String(24), default="")  # card_present, card…
    card_uid: Mapped[str] = mapped_column(String(20), default="")  # from the metadata
    charge_id: Mapped[str] = mapped_column(String(64), default="")
    origin: Mapped[str] = mapped_column(String(8))  # api, csv


class StripeBalanceTransaction(Base):
    """A movement of the Stripe balance: charge, refund, fee, payout, adjustment…"""

    __tablename__ = "stripe_balance_txn"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    reporting_category: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created: Mapped[int] = mapped_column(BigInteger, index=True)
    available_on: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(64), default="")
    payment_intent: Mapped[str] = mapped_column(String(64), default="", index=True)
    payout: Mapped[str] = mapped_column(String(64), default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(8))


class StripePayout(Base):
    __tablename__ = "stripe_payout"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    arrival_date: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(8))


class StripeRefund(Base):
    __tablename__ = "stripe_refund"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payment_intent: Mapped[str] = mapped_column(String(64), default="", index=True)
    charge: Mapped[str] = mapped_column(String(64), default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    created: Mapped[int] = mapped_column(BigInteger)
    refund_item: Mapped[str] = mapped_column(String(40), default="")  # metadata regie_item


class StripeSync(Base):
    """One synchronisation (API) or report import (CSV), with what it brought."""

    __tablename__ = "stripe_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(8))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text, default="")


class RefundRun(Base):
    """A planned batch of card refunds of leftover balances; resumable."""

    __tablename__ = "refund_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    event: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12))  # planned, running, stopped, done
    rules: Mapped[str] = mapped_column(Text)  # JSON: fee, minimum, window


class RefundItem(Base):
    """One refund to send: part of a card's balance back to one of its Stripe payments."""

    __tablename__ = "refund_item"
    __table_args__ = (UniqueConstraint("run_id", "card_uid", "payment_intent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("refund_run.id"), index=True)
    card_uid: Mapped[str] = mapped_column(String(20))
    asset: Mapped[str] = mapped_column(String(16))
    payment_intent: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)  # sent to the cardholder
    fee: Mapped[int] = mapped_column(BigInteger, default=0)  # kept as the refund fee
    # planned → reserved (balance set aside, Stripe maybe called) → done | failed
    state: Mapped[str] = mapped_column(String(12), index=True)
    stripe_refund_id: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")


class SettlementRecord(Base):
    """A statement recorded for a prestation: what the cooperative is owed. Immutable: a
    correction is a new version that shows the difference with the one before."""

    __tablename__ = "settlement_record"
    __table_args__ = (UniqueConstraint("prestation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prestation_id: Mapped[int] = mapped_column(ForeignKey("prestation.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # the cooperative's invoice to the partner drawn from this statement
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    scheme: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(20))
    base_cents: Mapped[int] = mapped_column(BigInteger)
    share_cents: Mapped[int] = mapped_column(BigInteger)
    recovery_cents: Mapped[int] = mapped_column(BigInteger)  # counts toward amortisation
    total_cents: Mapped[int] = mapped_column(BigInteger)
    inputs: Mapped[str] = mapped_column(Text)  # JSON of every input
    recorded_at: Mapped[dt.datetime] = created_now()


class Invoice(Base):
    """An invoice or a credit note; numbered per issuer, series and year without gaps."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("issuer_id", "series", "year", "number", name="uq_invoice_issuer_number"),
        UniqueConstraint("issuer_id", "reference", name="uq_invoice_issuer_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))  # F-2026-0001, unique per issuer
    series: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # invoice, credit
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    prestation_id: Mapped[int | None] = mapped_column(ForeignKey("prestation.id"))
    credited_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    total_excl_cents: Mapped[int] = mapped_column(BigInteger)
    total_vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_incl_cents: Mapped[int] = mapped_column(BigInteger)
    vat_exemption: Mapped[str] = mapped_column(Text, default="")
    payment_terms: Mapped[str] = mapped_column(Text, default="")
    late_penalties: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # the dates of the service invoiced and the category of operation (a mandatory mention)
    service_from: Mapped[dt.date | None] = mapped_column(Date)
    service_to: Mapped[dt.date | None] = mapped_column(Date)
    operation: Mapped[str] = mapped_column(
        String(20), default="services", server_default="services"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="service")  # service, cachet, cost
    quantity_milli: Mapped[int] = mapped_column(BigInteger)  # 1.5 days = 1500
    unit_cents: Mapped[int] = mapped_column(BigInteger)  # excl. VAT
    vat_bp: Mapped[int] = mapped_column(Integer)
    total_excl_cents: Mapped[int] = mapped_column(BigInteger)


class InvoiceCounter(Base):
    """Last number given per issuer, series and year; its row is locked while numbering."""

    __tablename__ = "invoice_counter"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)

"""The seal register: one append-only, hash-chained line per sealed state of a record.

What may change only through Régie — the audit trail's lines, the people and their roles,
the invoices and credit notes — gets a line each time Régie writes it: its kind, which one
(``subject``, the row's id), a label for messages (the invoice's reference, the person's
name) and the digest of its content. ``regie verify`` recomputes every digest.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base


class SealRecord(Base):
    __tablename__ = "seal_record"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # audit, person, invoice
    subject: Mapped[str] = mapped_column(String(40))  # the row's id
    label: Mapped[str] = mapped_column(String(120), default="")
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class SealHead(Base):
    """The register's head (one row): how many lines, the last hash."""

    __tablename__ = "seal_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

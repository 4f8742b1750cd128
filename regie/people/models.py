"""The people who use Régie and the audit trail of what they changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from regie.models import Base


class Person(Base):
    """Someone at the production office: a name, a role and a PIN (only its hash is kept)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(12))  # operator, manager, admin
    pin_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    pin_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def with_pin(
        cls, *, name: str, role: str, salted: tuple[bytes, bytes], at: dt.datetime
    ) -> Person:
        """A new, active person whose PIN is ``salted``: ``(salt, hash)`` from ``hash_pin``."""
        salt, digest = salted
        return cls(name=name, role=role, pin_salt=salt, pin_hash=digest, active=True, created_at=at)


class AuditEntry(Base):
    """One change to money or equipment: who, when, what. Append-only (database triggers).

    ``template`` is the French source text of the summary and ``params`` its values (JSON), so
    the trail is shown in the reader's language, not in the one it was recorded in.
    """

    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(12))  # empty: not identified (single-user mode)
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    template: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text, default="{}")


class SignInLock(Base):
    """Failed sign-ins of one name since its last success, and until when it is locked.

    Kept in the base, so closing Régie or running the command again does not reset it; keyed
    by the name typed, known or not, so the lock tells nothing about who exists.
    """

    __tablename__ = "sign_in_lock"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

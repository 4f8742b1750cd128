"""Melting currency (monnaie fondante): balances untouched for N months go to ``melted``.

The duration is the convention's ``melting_months`` setting in force on the day (``regie
convention set melting_months N``), unless one is given. Always preview first; the sweep is
one audited operation (one linked entry per wallet, all in one transaction), keyed so that
running it twice melts nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.ledger.entries import Entry, Leg
from regie.ledger.models import Account, Balance, LedgerAsset
from regie.ledger.posting import Writer
from regie.people.actor import require
from regie.people.roles import Permission

DEFAULT_MONTHS = 14  # the setting's default: « au bout de 14 mois »


def months_in_force(session: Session, day: dt.date | None = None) -> int:
    """The convention's ``melting_months`` in force on ``day`` (today by default)."""
    from regie.settings.convention import settings_at  # the convention's numbers

    return settings_at(session, day or clock.today()).cents("melting_months")


@dataclass(frozen=True)
class Dormant:
    wallet: str
    last_activity: dt.datetime
    balances: dict[str, int]


def _cutoff(now: dt.datetime, months: int) -> int:
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)
    return int(now.replace(year=now.year + year, month=month + 1, day=day).timestamp())


def preview(
    session: Session, months: int | None = None, now: dt.datetime | None = None
) -> list[Dormant]:
    """Wallets with money whose last movement (any asset) is older than ``months`` (by
    default the convention's setting)."""
    now = now or clock.now()
    months = months or months_in_force(session, now.date())
    cutoff = _cutoff(now, months)
    last = (
        select(Balance.account_id, func.max(Balance.last_at).label("last_at"))
        .group_by(Balance.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account.name, last.c.last_at, LedgerAsset.code, Balance.amount)
        .join(last, last.c.account_id == Account.id)
        .join(Balance, Balance.account_id == Account.id)
        .join(LedgerAsset, Balance.asset_id == LedgerAsset.id)
        .where(Account.kind == "wallet", last.c.last_at < cutoff, Balance.amount > 0)
        .order_by(Account.name, LedgerAsset.payment_rank)
    )
    found: dict[str, Dormant] = {}
    for name, last_at, code, amount in rows:
        dormant = found.setdefault(
            name, Dormant(name, dt.datetime.fromtimestamp(last_at, dt.UTC), {})
        )
        dormant.balances[code] = amount
    return list(found.values())


def sweep(
    session: Session, months: int | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """Melt what :func:`preview` lists; returns the total melted per asset."""
    require(session, Permission.MELT)
    now = now or clock.now()
    months = months or months_in_force(session, now.date())
    writer = Writer(session)
    melted: dict[str, int] = {}
    for dormant in preview(session, months, now):
        legs = tuple(
            Leg(dormant.wallet, "melted", code, amount) for code, amount in dormant.balances.items()
        )
        writer.post(
            Entry(
                source="Régie",
                source_kind="system",
                op="melt",
                method="system",
                at=int(now.timestamp()),
                tz_minutes=0,
                legs=legs,
                idem_key=f"melt:{dormant.wallet}:{dormant.last_activity.isoformat()}",
                details=f"fonte après {months} mois sans mouvement",
            )
        )
        for code, amount in dormant.balances.items():
            melted[code] = melted.get(code, 0) + amount
    writer.flush()
    return melted

"""SoTicket, the venues' scheme: 2.5 % of a structure's ticketing revenue per calendar year,
within a yearly floor (575 €) and cap (3,500 €), per structure (every number a setting).

The structure of a prestation is its client organisation; its year is the year the prestation
starts. Each soticket prestation accrues base × rate (the rate in force on its last day); the
structure's year gets one adjustment that brings the sum of its accruals up to the floor or
down to the cap (the floor and cap in force on the year's last day). So a structure's yearly
fee is always within [floor, cap], does not depend on the order its events were recorded in,
and one venue's events never change another's fee.

A soticket prestation is one whose latest recorded statement is under the soticket scheme, or,
with no statement recorded, whose scheme is soticket. Its base is that statement's base, else
its invoiced turnover (:func:`regie.settlement.invoices.turnover_of`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.models import Organisation, Prestation
from regie.settings.convention import settings_at
from regie.settlement.invoices import turnover_of
from regie.settlement.models import SettlementRecord

SCHEME = "soticket"


def percent(base: int, bp: int) -> int:
    """``base × bp / 10 000`` rounded half up, in cents."""
    return (base * bp + 5000) // 10000


@dataclass(frozen=True, kw_only=True)
class SoticketStructure:
    structure: str  # organisation short name
    events: list[tuple[str, int, int]]  # (prestation, base_cents, accrual_cents), by date
    accrued_cents: int
    adjustment_cents: int  # > 0 up to the floor, < 0 down to the cap, else 0
    fee_cents: int  # accrued + adjustment, within [floor, cap]
    floor_cents: int
    cap_cents: int

    def accrued_through(self, prestation: str) -> int:
        """The accruals of the year up to and including ``prestation`` (by date)."""
        total = 0
        for name, _base, accrual in self.events:
            total += accrual
            if name == prestation:
                break
        return total


def _latest_records(session: Session) -> dict[int, SettlementRecord]:
    latest = (
        select(SettlementRecord.prestation_id, func.max(SettlementRecord.version).label("v"))
        .group_by(SettlementRecord.prestation_id)
        .subquery()
    )
    rows = session.scalars(
        select(SettlementRecord).join(
            latest,
            (SettlementRecord.prestation_id == latest.c.prestation_id)
            & (SettlementRecord.version == latest.c.v),
        )
    )
    return {row.prestation_id: row for row in rows}


def structures(
    session: Session, year: int, *, bases: dict[int, int] | None = None
) -> list[SoticketStructure]:
    """The SoTicket year of every structure (by short name). ``bases``: prestation id → base
    for statements being drawn (a preview: such a prestation counts as soticket with that
    base, whatever is recorded)."""
    bases = bases or {}
    records = _latest_records(session)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    by_structure: dict[str, list[tuple[str, int, int]]] = {}
    for prestation, client in session.execute(
        select(Prestation, Organisation.short_name)
        .join(Organisation, Prestation.client_id == Organisation.id)
        .where(Prestation.starts_on >= start, Prestation.starts_on < end)
        .order_by(Prestation.starts_on, Prestation.ends_on, Prestation.id)
    ):
        record = records.get(prestation.id)
        if prestation.id in bases:
            base = bases[prestation.id]
        elif record is not None:
            if record.scheme != SCHEME:
                continue
            base = record.base_cents
        elif prestation.scheme == SCHEME:
            base = turnover_of(session, prestation.id)[0]
        else:
            continue
        rate = settings_at(session, prestation.ends_on).cents("soticket_rate_bp")
        by_structure.setdefault(client, []).append((prestation.name, base, percent(base, rate)))
    values = settings_at(session, end - dt.timedelta(days=1))
    floor, cap = values.cents("soticket_floor_cents"), values.cents("soticket_cap_cents")
    found = []
    for structure, events in sorted(by_structure.items()):
        accrued = sum(accrual for _name, _base, accrual in events)
        fee = min(max(accrued, floor), cap)
        found.append(
            SoticketStructure(
                structure=structure,
                events=events,
                accrued_cents=accrued,
                adjustment_cents=fee - accrued,
                fee_cents=fee,
                floor_cents=floor,
                cap_cents=cap,
            )
        )
    return found


def structure_of(
    session: Session, prestation_id: int, year: int, base_cents: int
) -> SoticketStructure:
    """The SoTicket year of the structure of one prestation, with that prestation's base."""
    client = session.scalar(
        select(Organisation.short_name)
        .join(Prestation, Prestation.client_id == Organisation.id)
        .where(Prestation.id == prestation_id)
    )
    bases = {prestation_id: base_cents}
    return next(s for s in structures(session, year, bases=bases) if s.structure == client)

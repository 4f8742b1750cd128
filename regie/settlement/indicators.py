"""The yearly statement: the indicators the convention names (events covered, cards used,
turnover) and what each prestation owed, with SoTicket's yearly floor and cap applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from regie.ledger.models import Account, Transfer
from regie.models import Prestation
from regie.settlement.invoices import turnover_of
from regie.settlement.models import SettlementRecord
from regie.settlement.settings import settings_at


@dataclass(frozen=True)
class PrestationLine:
    name: str
    starts_on: dt.date
    turnover_cents: int
    scheme: str  # "" when no statement is recorded
    phase: str
    share_cents: int
    total_cents: int


@dataclass
class YearIndicators:
    year: int
    events: int = 0
    cards_used: int = 0
    turnover_cents: int = 0
    cashless_sales_cents: int = 0
    owed_cents: int = 0
    soticket_floor_topup_cents: int = 0
    lines: list[PrestationLine] = field(default_factory=list)


def indicators(session: Session, year: int) -> YearIndicators:
    result = YearIndicators(year)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    records = {  # the newest version of each statement
        row.prestation_id: row
        for row in session.scalars(select(SettlementRecord).order_by(SettlementRecord.version))
    }
    for prestation in session.scalars(
        select(Prestation)
        .where(Prestation.starts_on >= start, Prestation.starts_on < end)
        .order_by(Prestation.starts_on)
    ):
        turnover, _source = turnover_of(session, prestation.id)
        record = records.get(prestation.id)
        result.lines.append(PrestationLine(
            prestation.name, prestation.starts_on, record.base_cents if record else turnover,
            record.scheme if record else "", record.phase if record else "",
            record.share_cents if record else 0, record.total_cents if record else 0,
        ))  # fmt: skip
    result.events = len(result.lines)
    result.turnover_cents = sum(line.turnover_cents for line in result.lines)
    result.owed_cents = sum(line.total_cents for line in result.lines)
    soticket = sum(line.share_cents for line in result.lines if line.scheme == "soticket")
    if any(line.scheme == "soticket" for line in result.lines):
        floor = settings_at(session, end - dt.timedelta(days=1)).cents("soticket_floor_cents")
        result.soticket_floor_topup_cents = max(floor - soticket, 0)
        result.owed_cents += result.soticket_floor_topup_cents
    first = int(dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC).timestamp())
    last = int(dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC).timestamp())
    wallet = aliased(Account)
    result.cards_used = int(session.scalar(
        select(func.count(func.distinct(wallet.id)))
        .select_from(Transfer)
        .join(wallet, or_(Transfer.debit_id == wallet.id, Transfer.credit_id == wallet.id))
        .where(wallet.kind == "wallet", Transfer.at >= first, Transfer.at < last)
    ) or 0)  # fmt: skip
    sign = func.coalesce(func.sum(Transfer.amount), 0)
    sales = session.scalar(select(sign).where(Transfer.op == "sale", Transfer.at >= first,
                                              Transfer.at < last))  # fmt: skip
    voids = session.scalar(select(sign).where(Transfer.op == "void", Transfer.at >= first,
                                              Transfer.at < last,
                                              Transfer.details.startswith("[")))  # fmt: skip
    result.cashless_sales_cents = int(sales or 0) - int(voids or 0)
    return result


def cards_by_prestation(session: Session, year: int) -> dict[str, int]:
    """Cards used at each prestation of the year: the wallets moved from its first day to
    noon after its last (bars close after midnight), for the yearly chart."""
    wallet = aliased(Account)
    used: dict[str, int] = {}
    for prestation in session.scalars(
        select(Prestation)
        .where(Prestation.starts_on >= dt.date(year, 1, 1))
        .where(Prestation.starts_on < dt.date(year + 1, 1, 1))
        .order_by(Prestation.starts_on)
    ):
        first = dt.datetime.combine(prestation.starts_on, dt.time(), tzinfo=dt.UTC)
        last = dt.datetime.combine(prestation.ends_on, dt.time(12), tzinfo=dt.UTC)
        last += dt.timedelta(days=1)
        used[prestation.name] = int(session.scalar(
            select(func.count(func.distinct(wallet.id)))
            .select_from(Transfer)
            .join(wallet, or_(Transfer.debit_id == wallet.id, Transfer.credit_id == wallet.id))
            .where(wallet.kind == "wallet", Transfer.at >= int(first.timestamp()),
                   Transfer.at < int(last.timestamp()))
        ) or 0)  # fmt: skip
    return used

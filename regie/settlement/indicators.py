"""The yearly statement: the indicators the convention names (events covered, cards used,
turnover) and what each prestation owed, with SoTicket's yearly floor and cap applied.

Cards and sales are counted from the transfers attributed to the year's prestations (those
starting in the year), never from the whole ledger: money outside every event (hors
prestation) and a card used after its event are not the year's events' figures. Sales are
split by how they were paid: cashless (from a card wallet), cash, bank card."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from regie.ledger.models import Account, Transfer
from regie.models import Prestation
from regie.settlement.invoices import turnover_of
from regie.settlement.models import SettlementRecord
from regie.settlement.soticket import SoticketStructure, structures


@dataclass(frozen=True)
class PrestationLine:
    name: str
    starts_on: dt.date
    turnover_cents: int
    scheme: str  # "" when no statement is recorded
    phase: str
    share_cents: int
    total_cents: int
    id: int = 0


@dataclass
class YearIndicators:
    year: int
    events: int = 0
    cards_used: int = 0
    turnover_cents: int = 0  # excl. VAT: the statements' bases (else the invoices)
    sales_cents: int = 0  # incl. VAT, voided sales taken off: every means of payment
    cashless_sales_cents: int = 0  # paid from a card wallet
    cash_sales_cents: int = 0
    card_sales_cents: int = 0  # bank card at the bar
    owed_cents: int = 0
    soticket_floor_topup_cents: int = 0  # Σ of the structures' adjustments up to the floor
    soticket_adjustment_cents: int = 0  # Σ of every structure's adjustment (floor +, cap −)
    soticket: list[SoticketStructure] = field(default_factory=list)
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
        result.lines.append(
            PrestationLine(
                name=prestation.name,
                starts_on=prestation.starts_on,
                turnover_cents=record.base_cents if record else turnover,
                scheme=record.scheme if record else "",
                phase=record.phase if record else "",
                share_cents=record.share_cents if record else 0,
                total_cents=record.total_cents if record else 0,
                id=prestation.id,
            )
        )
    result.events = len(result.lines)
    result.turnover_cents = sum(line.turnover_cents for line in result.lines)
    # SoTicket: each structure owes its yearly fee (its accruals brought within floor and cap)
    result.soticket = structures(session, year)
    soticket = {name for each in result.soticket for name, _base, _accrual in each.events}
    result.owed_cents = sum(line.total_cents for line in result.lines if line.name not in soticket)
    result.owed_cents += sum(each.fee_cents for each in result.soticket)
    result.soticket_adjustment_cents = sum(each.adjustment_cents for each in result.soticket)
    result.soticket_floor_topup_cents = sum(
        max(each.adjustment_cents, 0) for each in result.soticket
    )
    events = [line.id for line in result.lines]
    result.cards_used = cards_used(session, events)
    by_method = sales_by_method(session, events)
    result.cashless_sales_cents = by_method.pop("cashless", 0)
    result.cash_sales_cents = by_method.pop("cash", 0)
    result.card_sales_cents = by_method.pop("card", 0)
    result.sales_cents = (
        result.cashless_sales_cents
        + result.cash_sales_cents
        + result.card_sales_cents
        + sum(by_method.values())
    )
    return result


def moved_wallets(events: list[int]) -> Any:
    """The wallets (cards) moved by a transfer of these events: the debit side and the credit
    side read apart, each through the (event_id, id) index (an OR join would scan the events'
    transfers once per wallet: minutes on a festival of a million)."""
    debit = (
        select(Transfer.debit_id.label("id"))
        .join(Account, Account.id == Transfer.debit_id)
        .where(Transfer.event_id.in_(events), Account.kind == "wallet")
    )
    credit = (
        select(Transfer.credit_id.label("id"))
        .join(Account, Account.id == Transfer.credit_id)
        .where(Transfer.event_id.in_(events), Account.kind == "wallet")
    )
    return union(debit, credit).subquery()


def cards_used(session: Session, events: list[int]) -> int:
    """The cards (wallets) moved by at least one transfer of these events."""
    if not events:
        return 0
    moved = moved_wallets(events)
    return int(session.scalar(select(func.count()).select_from(moved)) or 0)


def sales_by_method(session: Session, events: list[int]) -> dict[str, int]:
    """Net sales of these events per means of payment (cashless, cash, card), voided sales
    taken off (a void cancels a sale when it carries the sale's lines)."""
    if not events:
        return {}
    sign = case((Transfer.op == "void", -Transfer.amount), else_=Transfer.amount)
    return {
        method: int(total)
        for method, total in session.execute(
            select(Transfer.method, func.sum(sign))
            .where(Transfer.event_id.in_(events), Transfer.op.in_(("sale", "void")))
            .where((Transfer.op == "sale") | Transfer.details.startswith("["))
            .group_by(Transfer.method)
        )
        if total
    }


def cards_by_prestation(session: Session, year: int) -> dict[str, int]:
    """Cards used at each prestation of the year (the wallets its transfers moved), for the
    yearly chart."""
    used: dict[str, int] = {}
    for id_, name in session.execute(
        select(Prestation.id, Prestation.name)
        .where(Prestation.starts_on >= dt.date(year, 1, 1))
        .where(Prestation.starts_on < dt.date(year + 1, 1, 1))
        .order_by(Prestation.starts_on)
    ):
        used[name] = cards_used(session, [id_])
    return used


def indicators_figures(found: YearIndicators) -> dict[str, Any]:
    """The year's figures as plain values (cents, English keys) for ``regie indicators
    --json``: stable, so other tools and tests read figures, not wording."""
    return {
        "year": found.year,
        "events": found.events,
        "cards_used": found.cards_used,
        "turnover_cents": found.turnover_cents,
        "sales_cents": found.sales_cents,
        "cashless_sales_cents": found.cashless_sales_cents,
        "cash_sales_cents": found.cash_sales_cents,
        "card_sales_cents": found.card_sales_cents,
        "owed_cents": found.owed_cents,
        "soticket_floor_topup_cents": found.soticket_floor_topup_cents,
        "prestations": [
            {
                "name": line.name,
                "starts_on": line.starts_on.isoformat(),
                "turnover_cents": line.turnover_cents,
                "scheme": line.scheme,
                "phase": line.phase,
                "share_cents": line.share_cents,
                "total_cents": line.total_cents,
            }
            for line in found.lines
        ],
    }

"""The home screen's figures: one plain snapshot of the festival, read in one short session.

It reuses the queries the sections already run (open loans, overdue loans, terminals, past
Z, balances, reconciliation) and adds the few counts a glance needs. Nothing here is slow on
the reference festival (a million transfers) except the day's top-ups, a scan of the day's
transfers: the GUI reads the snapshot off its thread.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.cards.models import Card, CardState, Encoding
from regie.inventory.loan_desk import open_loans
from regie.inventory.loans import OverdueLoan, overdue
from regie.ledger.browse import past_z
from regie.ledger.models import (
    Account,
    Balance,
    LedgerAsset,
    LedgerHead,
    PointOfSale,
    SalesSummary,
    Transfer,
)
from regie.ledger.reports import totals_by_asset
from regie.models import Organisation, Prestation
from regie.settlement.events import Event
from regie.settlement.indicators import cards_used
from regie.settlement.models import StripePayment
from regie.settlement.reconcile import reconcile
from regie.terminals.registry import list_terminals

log = logging.getLogger(__name__)


class Stage(enum.StrEnum):
    RUNNING = "running"  # today is one of its days
    UPCOMING = "upcoming"  # the next one to come
    FINISHED = "finished"  # none running nor to come: the last one


class StripeKey(enum.StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    NO_KEYRING = "no_keyring"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class CurrentPrestation:
    event: Event
    stage: Stage


@dataclass(frozen=True)
class HourMoney:
    hour: int  # 0-23, on the terminals' clock
    sales_cents: int
    topups_cents: int


@dataclass(frozen=True)
class DayMoney:
    """Turnover and top-ups of one day: today, or the last day that sold something."""

    day: dt.date | None  # None: nothing sold yet
    is_today: bool
    sales_cents: int
    topups_cents: int
    hours: list[HourMoney]
    by_pos: list[tuple[str, int]]  # the day's sales per point of sale, biggest first


@dataclass(frozen=True)
class Equipment:
    items_out: int  # tagged items and lot quantities out on open loans
    open_loans: int
    overdue: list[OverdueLoan]


@dataclass(frozen=True)
class Cards:
    total: int
    encoded: int
    in_use: int  # wallets that moved during the current prestation (seen by the terminals)
    lost_or_blocked: int


@dataclass(frozen=True)
class TerminalSeen:
    name: str
    pos: str
    last_seen: dt.datetime | None


@dataclass(frozen=True)
class LastClosure:
    number: int
    scope: str  # "event" or "pos:<name>"
    closed_at: dt.datetime
    grand_total: int


@dataclass(frozen=True)
class LedgerHealth:
    unbalanced_assets: list[str]  # assets whose balances do not sum to zero
    head_matches: bool  # the chain head names the last transfer and its hash
    stripe_mismatches: int  # reconciliation differences (0 when Stripe was never synced)

    @property
    def ok(self) -> bool:
        return not self.unbalanced_assets and self.head_matches


@dataclass(frozen=True)
class Snapshot:
    today: dt.date
    prestation: CurrentPrestation | None
    money: DayMoney
    equipment: Equipment
    cards: Cards
    terminals: list[TerminalSeen]
    last_closure: LastClosure | None
    ledger: LedgerHealth
    stripe_key: StripeKey


def snapshot(session: Session, *, check_stripe_key: bool = True) -> Snapshot:
    """Everything the dashboard shows, as of ``clock.today()``."""
    today = clock.today()
    current = current_prestation(session, today)
    event = current.event if current else None
    loans = open_loans(session)
    return Snapshot(
        today=today,
        prestation=current,
        money=day_money(session, today, event),
        equipment=Equipment(
            items_out=sum(
                1 if line.tag else line.quantity_out for loan in loans for line in loan.lines
            ),
            open_loans=len(loans),
            overdue=overdue(session, today),
        ),
        cards=card_counts(session, event),
        terminals=[TerminalSeen(t.name, t.pos, t.last_seen) for t in list_terminals(session)],
        last_closure=last_closure(session),
        ledger=ledger_health(session, event),
        stripe_key=stripe_key_state() if check_stripe_key else StripeKey.UNCHECKED,
    )


def current_prestation(session: Session, today: dt.date) -> CurrentPrestation | None:
    """The prestation running today, else the next one, else the last one."""
    events = [
        Event(
            id=p.id,
            name=p.name,
            client=client,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            place=p.place,
        )
        for p, client in session.execute(
            select(Prestation, Organisation.short_name)
            .join(Organisation, Prestation.client_id == Organisation.id)
            .order_by(Prestation.starts_on, Prestation.id)
        )
    ]
    for event in events:
        if event.starts_on <= today <= event.ends_on:
            return CurrentPrestation(event, Stage.RUNNING)
    for event in events:
        if event.starts_on > today:
            return CurrentPrestation(event, Stage.UPCOMING)
    return CurrentPrestation(events[-1], Stage.FINISHED) if events else None


def _sales_days(session: Session) -> list[str]:
    day = func.substr(SalesSummary.hour, 1, 10)
    return list(session.scalars(select(day).distinct().order_by(day)))


def _shown_day(session: Session, today: dt.date, event: Event | None) -> dt.date | None:
    """Today if it sold something; else the event's last day of sales (festival nights end
    the day after); else the last day of sales there is."""
    days = _sales_days(session)
    if today.isoformat() in days:
        return today
    if event is not None:
        last = (event.ends_on + dt.timedelta(days=1)).isoformat()
        inside = [d for d in days if event.starts_on.isoformat() <= d <= last]
        if inside:
            return dt.date.fromisoformat(inside[-1])
    return dt.date.fromisoformat(days[-1]) if days else None


def day_money(session: Session, today: dt.date, event: Event | None) -> DayMoney:
    day = _shown_day(session, today, event)
    if day is None:
        return DayMoney(
            day=None, is_today=False, sales_cents=0, topups_cents=0, hours=[], by_pos=[]
        )
    prefix = f"{day.isoformat()}T"
    sales_by_hour: dict[int, int] = {}
    for hour, amount in session.execute(
        select(SalesSummary.hour, func.sum(SalesSummary.amount))
        .where(SalesSummary.hour.startswith(prefix))
        .group_by(SalesSummary.hour)
    ):
        sales_by_hour[int(hour[-2:])] = int(amount)
    by_pos = [
        (name, int(amount))
        for name, amount in session.execute(
            select(PointOfSale.name, func.sum(SalesSummary.amount))
            .join(PointOfSale, SalesSummary.pos_id == PointOfSale.id)
            .where(SalesSummary.hour.startswith(prefix))
            .group_by(PointOfSale.name)
            .order_by(func.sum(SalesSummary.amount).desc(), PointOfSale.name)
        )
    ]
    topups_by_hour = _topups_by_hour(session, day)
    hours = sorted(set(sales_by_hour) | set(topups_by_hour))
    return DayMoney(
        day=day,
        is_today=day == today,
        sales_cents=sum(sales_by_hour.values()),
        topups_cents=sum(topups_by_hour.values()),
        hours=[HourMoney(h, sales_by_hour.get(h, 0), topups_by_hour.get(h, 0)) for h in hours],
        by_pos=by_pos,
    )


def _topups_by_hour(session: Session, day: dt.date) -> dict[int, int]:
    """Money topped up per hour of ``day`` on the terminals' clock (the sales cache's hours),
    voided top-ups taken off; gift tokens are offered, not paid: left out."""
    start = int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())
    local = Transfer.at + Transfer.tz_minutes * 60
    sign = case((Transfer.op == "void", -1), else_=1)
    hour = ((local - start) // 3600).label("hour")
    rows = session.execute(
        select(hour, func.sum(sign * Transfer.amount))
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .where(
            (Transfer.op == "topup") | ((Transfer.op == "void") & (Transfer.details == "topup")),
            LedgerAsset.kind != "gift",
            local >= start,
            local < start + 86_400,
        )
        .group_by(hour)
    )
    return {int(number): int(amount) for number, amount in rows}


def card_counts(session: Session, event: Event | None) -> Cards:
    total, encoded, lost = session.execute(
        select(
            func.count(Card.id),
            func.coalesce(func.sum(case((Card.encoding == Encoding.ENCODED, 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((Card.state.in_((CardState.LOST, CardState.BLOCKED)), 1), else_=0)),
                0,
            ),
        )
    ).one()
    if event is not None:  # the wallets its transfers moved: a later use changes nothing
        in_use = cards_used(session, [event.id])
    else:
        in_use = int(
            session.scalar(
                select(func.count(func.distinct(Balance.account_id)))
                .join(Account, Balance.account_id == Account.id)
                .where(Account.kind == "wallet")
            )
            or 0
        )
    return Cards(total=int(total), encoded=int(encoded), in_use=in_use, lost_or_blocked=int(lost))


def last_closure(session: Session) -> LastClosure | None:
    closures = past_z(session)
    if not closures:
        return None
    z = closures[0]
    closed_at = z.closed_at if z.closed_at.tzinfo else z.closed_at.replace(tzinfo=dt.UTC)
    return LastClosure(
        number=z.number, scope=z.scope, closed_at=closed_at, grand_total=z.grand_total
    )


def ledger_health(session: Session, event: Event | None) -> LedgerHealth:
    """The cheap checks: balances sum to zero, the chain head names the last transfer, and
    the Stripe reconciliation of the current prestation (only once Stripe was synced). The
    full chain check is « Vérifier le journal », too long for every glance."""
    unbalanced = sorted(code for code, total in totals_by_asset(session).items() if total)
    head = session.get(LedgerHead, 1)
    last = session.execute(select(Transfer.id, Transfer.hash).order_by(Transfer.id.desc()).limit(1))
    row = last.first()
    if head is None:
        head_matches = row is None
    elif row is None:
        head_matches = head.last_transfer_id == 0
    else:
        head_matches = (row[0], row[1]) == (head.last_transfer_id, head.last_hash)
    mismatches = 0
    if session.scalar(select(StripePayment.id).limit(1)) is not None:
        mismatches = len(reconcile(session, event.window() if event else None).mismatches)
    return LedgerHealth(unbalanced, head_matches, mismatches)


def stripe_key_state() -> StripeKey:
    from regie.stripe_key import KeyringUnavailable, stripe_secret_key

    try:
        return StripeKey.PRESENT if stripe_secret_key() else StripeKey.MISSING
    except KeyringUnavailable:
        return StripeKey.NO_KEYRING
    except Exception:  # a system keyring failing its own way must not blank the dashboard
        log.warning("the keyring failed while reading the Stripe key", exc_info=True)
        return StripeKey.NO_KEYRING

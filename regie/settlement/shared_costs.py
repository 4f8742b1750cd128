"""What a prestation's statement takes from the season: its Stripe fees, the money that melted
in its period, the incidents charged to the borrower, the equipment lent.

**Periods.** The prestations are put in chronological order (end date, then start date, then
id). A prestation's period runs from midnight (UTC) after the previous prestation's last day
up to midnight after its own last day; the first one's period has no beginning. Each moment
belongs to exactly one period, so a melt or a fee is counted once. What happens after the last
prestation's end belongs to no period yet: it is counted in the statement of the next
prestation entered.

**Stripe fees.** A fee belongs to the prestation of the top-up its payment made (the ledger
transfer ``op=topup`` whose ``details`` is the PaymentIntent, attributed when it was written);
a fee with no attributed top-up belongs to the prestation whose period holds the moment
Stripe charged it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.i18n import N_
from regie.inventory.models import Asset, Incident, Loan, LoanLine, Payer, StockLot
from regie.ledger.models import Account, LedgerAsset, Transfer
from regie.models import Organisation, Prestation
from regie.settlement.models import StripeBalanceTransaction

# Currencies that are money: the local and federated euros. Gift and membership tokens (kind
# gift or custom, not refundable) are not money: they never melt into a payback.
MONEY_KINDS = ("local", "federated")
# The account melts credit, read through its index (not a scan of the journal's ops).
MELTED = select(Account.id).where(Account.name == "melted").scalar_subquery()
INCIDENT_LABEL = N_("Casse, perte, vol")


@dataclass(frozen=True)
class Period:
    prestation_id: int
    start: int | None  # seconds since the epoch, included; None: since the beginning
    end: int  # excluded

    def holds(self, at: int) -> bool:
        return (self.start is None or at >= self.start) and at < self.end


def midnight_after(day: dt.date) -> int:
    return int(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp())


def chronological(session: Session) -> list[Prestation]:
    """Every prestation in the convention's order: end date, start date, id."""
    return list(
        session.scalars(
            select(Prestation).order_by(Prestation.ends_on, Prestation.starts_on, Prestation.id)
        )
    )


def periods(prestations: list[Prestation]) -> list[Period]:
    """One period per prestation of the convention; a venue on SoTicket's scheme is not the
    partner's prestation: its period holds nothing (a melt or a fee in its weeks goes to the
    partner's next prestation)."""
    found: list[Period] = []
    start: int | None = None
    for prestation in prestations:
        if prestation.scheme == "soticket":
            found.append(Period(prestation.id, 0, 0))
            continue
        end = max(midnight_after(prestation.ends_on), start or 0)
        found.append(Period(prestation.id, start, end))
        start = end
    return found


def period_of(session: Session, prestation_id: int) -> Period:
    return next(p for p in periods(chronological(session)) if p.prestation_id == prestation_id)


def stripe_fees_by_event(session: Session) -> dict[int, int]:
    """Every Stripe fee, in cents, given to exactly one prestation (see the module's rule)."""
    fees = session.execute(
        select(
            StripeBalanceTransaction.payment_intent,
            StripeBalanceTransaction.created,
            StripeBalanceTransaction.fee,
        ).where(StripeBalanceTransaction.fee != 0)
    ).all()
    charged = select(StripeBalanceTransaction.payment_intent).where(
        StripeBalanceTransaction.fee != 0, StripeBalanceTransaction.payment_intent != ""
    )  # a subquery, not a list: a season's fees outnumber what one statement may bind
    owner: dict[str, int] = {}
    for intent, event_id in session.execute(
        select(Transfer.details, func.min(Transfer.event_id))
        .where(
            Transfer.op == "topup", Transfer.details.in_(charged), Transfer.event_id.is_not(None)
        )
        .group_by(Transfer.details)
    ):
        if event_id is not None:
            owner[intent] = int(event_id)
    spans = periods(chronological(session))
    result: dict[int, int] = {}
    for intent, at, fee in fees:
        event_id = owner.get(intent)
        if event_id is None:
            event_id = next((p.prestation_id for p in spans if p.holds(int(at))), None)
        if event_id is not None:
            result[event_id] = result.get(event_id, 0) + int(fee)
    return result


def melted_money(session: Session, period: Period) -> int:
    """Euros (local and federated) melted within a period, in cents; never gift tokens."""
    query = (
        select(func.coalesce(func.sum(Transfer.amount), 0))
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .where(
            Transfer.credit_id == MELTED,
            Transfer.op == "melt",
            LedgerAsset.kind.in_(MONEY_KINDS),
            LedgerAsset.refundable.is_(True),
            Transfer.at < period.end,
        )
    )
    if period.start is not None:
        query = query.where(Transfer.at >= period.start)
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class Charged:
    number: int
    item: str
    description: str
    cents: int

    @property
    def detail(self) -> str:
        return f"n°{self.number} {self.item} {self.description}".strip()


def _owner_id(session: Session, owner: str) -> int:
    return int(session.scalar(select(Organisation.id).where(Organisation.short_name == owner)) or 0)


def incidents_charged(session: Session, prestation_id: int, owner: str) -> list[Charged]:
    """The prestation's incidents on ``owner``'s equipment (the cooperative's) whose cost the
    convention puts on the borrower: the partner's own lost cards are not the cooperative's
    loss."""
    owner_id = _owner_id(session, owner)
    rows = session.execute(
        select(Incident.id, Asset.tag, StockLot.name, Incident.description, Incident.cost_cents)
        .outerjoin(Asset, Incident.asset_id == Asset.id)
        .outerjoin(StockLot, Incident.stock_lot_id == StockLot.id)
        .where(
            Incident.prestation_id == prestation_id,
            Incident.payer == Payer.BORROWER,
            Incident.cost_cents > 0,
            func.coalesce(Asset.owner_id, StockLot.owner_id) == owner_id,
        )
        .order_by(Incident.id)
    )
    return [
        Charged(number=number, item=tag or lot or "", description=description, cents=int(cents))
        for number, tag, lot, description, cents in rows
    ]


def equipment_lent(session: Session, prestation_id: int, owner: str) -> int:
    """Purchase value of ``owner``'s equipment (the cooperative's) lent for the prestation,
    assets and lots: the partner's own cards wear at its own cost."""
    owner_id = _owner_id(session, owner)
    assets = session.scalar(
        select(func.coalesce(func.sum(Asset.purchase_cost_cents), 0))
        .join(LoanLine, LoanLine.asset_id == Asset.id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == prestation_id, Asset.owner_id == owner_id)
    )
    lots = session.scalar(
        select(func.coalesce(func.sum(StockLot.unit_cost_cents * LoanLine.quantity_out), 0))
        .join(LoanLine, LoanLine.stock_lot_id == StockLot.id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == prestation_id, StockLot.owner_id == owner_id)
    )
    return int(assets or 0) + int(lots or 0)

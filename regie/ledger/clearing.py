"""Federation clearing: who owes whom when federated euros move between organisations.

Federated euros (``FED``) topped up at one organisation's points of sale are cash that
organisation holds; spent at another organisation's points of sale, they are revenue the
second organisation has not received. Each organisation's position is what it took in
minus what was spent at its points of sale (refunds count as money given back); positions
are settled with the fewest payments, largest debtor to largest creditor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from regie.ledger.models import Account, LedgerAsset, PointOfSale, Transfer
from regie.models import Organisation

UNASSIGNED = "(sans organisation)"


@dataclass(frozen=True)
class Position:
    organisation: str
    collected: int  # FED topped up at its points of sale
    spent_here: int  # FED spent at its points of sale
    refunded: int

    @property
    def owes(self) -> int:
        return self.collected - self.refunded - self.spent_here


@dataclass(frozen=True)
class Payment:
    debtor: str
    creditor: str
    amount: int


@dataclass(frozen=True)
class Statement:
    positions: list[Position]
    payments: list[Payment]


def statement(session: Session, asset: str = "FED") -> Statement:
    debit = aliased(Account)
    credit = aliased(Account)
    rows = session.execute(
        select(Transfer.op, Transfer.amount, Organisation.short_name, debit.kind, credit.kind)
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .join(debit, Transfer.debit_id == debit.id)
        .join(credit, Transfer.credit_id == credit.id)
        .outerjoin(PointOfSale, Transfer.pos_id == PointOfSale.id)
        .outerjoin(Organisation, PointOfSale.organisation_id == Organisation.id)
        .where(LedgerAsset.code == asset, Transfer.pos_id.is_not(None))
    )
    totals: dict[str, list[int]] = {}
    for op, amount, organisation, debit_kind, credit_kind in rows:
        row = totals.setdefault(organisation or UNASSIGNED, [0, 0, 0])
        if credit_kind == "wallet" and debit_kind != "wallet":  # money onto cards
            if op == "void":
                row[1] -= amount  # a sale cancelled
            else:
                row[0] += amount  # a top-up
        elif debit_kind == "wallet" and credit_kind != "wallet":  # money off cards
            if op == "void":
                row[0] -= amount  # a top-up cancelled
            elif op == "refund":
                row[2] += amount
            else:
                row[1] += amount  # a sale
    positions = [
        Position(organisation=name, collected=collected, spent_here=spent, refunded=refunded)
        for name, (collected, spent, refunded) in sorted(totals.items())
    ]
    return Statement(positions, settle(positions))


def settle(positions: list[Position]) -> list[Payment]:
    debtors = sorted(((p.owes, p.organisation) for p in positions if p.owes > 0), reverse=True)
    creditors = sorted(((-p.owes, p.organisation) for p in positions if p.owes < 0), reverse=True)
    payments = []
    while debtors and creditors:
        owed, debtor = debtors.pop(0)
        due, creditor = creditors.pop(0)
        amount = min(owed, due)
        payments.append(Payment(debtor, creditor, amount))
        if owed > amount:
            debtors.insert(0, (owed - amount, debtor))
        if due > amount:
            creditors.insert(0, (due - amount, creditor))
    return payments

"""What the cards screens list: batches with their counts per state, and the names forms offer.

Plain values read in one query each; the GUI wraps them in item models, the CLI may print them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from regie.cards.models import Card, CardBatch, CardState, Encoding
from regie.cards.staff import aware
from regie.inventory.models import AssetCategory, AssetModel, Loan, LoanLine, StockLot
from regie.ledger.models import PointOfSale
from regie.models import Organisation, Prestation


@dataclass(frozen=True)
class BatchSummary:
    """One batch as the batches list shows it."""

    name: str
    owner: str
    lot: str | None
    source: str
    created_at: dt.datetime | None
    cards: int
    paired: int  # with a chip UID
    encoded: int
    to_reencode: int
    states: dict[CardState, int]

    def count(self, state: CardState) -> int:
        return self.states.get(state, 0)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def batch_summaries(session: Session) -> list[BatchSummary]:
    """Every batch, the newest first, with its cards counted per state and encoding."""
    states = list(CardState)
    query = (
        select(
            CardBatch.name,
            Organisation.short_name,
            StockLot.name,
            CardBatch.source,
            CardBatch.created_at,
            func.count(Card.id),
            _count_if(or_(Card.uid.is_not(None), Card.tag_id.is_not(None))),
            _count_if(Card.encoding == Encoding.ENCODED),
            _count_if(Card.encoding == Encoding.TO_REENCODE),
            *(_count_if(Card.state == state) for state in states),
        )
        .join(Organisation, CardBatch.owner_id == Organisation.id)
        .outerjoin(StockLot, CardBatch.stock_lot_id == StockLot.id)
        .outerjoin(Card, Card.batch_id == CardBatch.id)
        .group_by(CardBatch.id, Organisation.short_name, StockLot.name)
        .order_by(CardBatch.created_at.desc(), CardBatch.id.desc())
    )
    rows = []
    for row in session.execute(query):
        name, owner, lot, source, created, cards, paired, encoded, redo, *per_state = row
        rows.append(
            BatchSummary(
                name,
                owner,
                lot,
                source or "",
                aware(created) if created else None,
                int(cards),
                int(paired),
                int(encoded),
                int(redo),
                {state: int(n) for state, n in zip(states, per_state, strict=True) if n},
            )
        )
    return rows


@dataclass(frozen=True)
class CardLotChoice:
    name: str
    owner: str


@dataclass(frozen=True)
class CardChoices:
    """The names the cards forms offer, sorted for people."""

    batches: list[str]
    owners: list[str]
    card_lots: list[CardLotChoice]  # inventory lots of cards (name, model or category)
    prestations: list[str]  # those that borrowed a lot holding card batches, newest first
    points_of_sale: list[str]


def card_choices(session: Session) -> CardChoices:
    words = ("%carte%", "%nfc%")
    lots = session.execute(
        select(StockLot.name, Organisation.short_name)
        .join(Organisation, StockLot.owner_id == Organisation.id)
        .join(AssetModel, StockLot.model_id == AssetModel.id)
        .join(AssetCategory, AssetModel.category_id == AssetCategory.id)
        .where(
            or_(
                *(
                    func.lower(column).like(word)
                    for word in words
                    for column in (StockLot.name, AssetModel.name, AssetCategory.name)
                )
            )
        )
        .order_by(StockLot.name)
    ).all()
    lent = (
        select(Prestation.name, func.max(Loan.id).label("last"))
        .join(Loan, Loan.prestation_id == Prestation.id)
        .join(LoanLine, LoanLine.loan_id == Loan.id)
        .join(CardBatch, CardBatch.stock_lot_id == LoanLine.stock_lot_id)
        .group_by(Prestation.name)
        .subquery()
    )
    return CardChoices(
        batches=list(
            session.scalars(
                select(CardBatch.name).order_by(CardBatch.created_at.desc(), CardBatch.id.desc())
            )
        ),
        owners=list(
            session.scalars(select(Organisation.short_name).order_by(Organisation.short_name))
        ),
        card_lots=[CardLotChoice(name, owner) for name, owner in lots],
        prestations=list(session.scalars(select(lent.c.name).order_by(lent.c.last.desc()))),
        points_of_sale=list(session.scalars(select(PointOfSale.name).order_by(PointOfSale.name))),
    )

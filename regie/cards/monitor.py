"""The card monitor: everything the office knows about the card in hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.cards import ledger_hook
from regie.cards.lookup import find_card
from regie.cards.models import (
    ENCODING_LABELS,
    STATE_LABELS,
    Card,
    CardBatch,
    CardEvent,
    CardState,
    Encoding,
    StaffCard,
)
from regie.cards.ntag import CHIP_LABELS, Chip
from regie.cards.staff import StaffInfo, aware, staff_cards
from regie.i18n import _
from regie.inventory.models import Loan, LoanLine, StockLot
from regie.models import Organisation, Prestation


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    kind: str
    before: str | None
    after: str | None
    who: str
    why: str


@dataclass(frozen=True)
class CardInfo:
    number: str
    uid: str | None
    tag_id: str | None
    url: str
    chip: str  # label, "?" when never tapped
    state: CardState
    state_label: str
    encoding: Encoding
    encoding_label: str
    url_written: bool
    protected: bool
    batch: str
    owner: str
    lot: str | None
    lent_to: list[str]  # prestations with an open loan of the card's lot
    staff: StaffInfo | None
    replaced_by: str | None
    replaces: str | None
    history: list[HistoryLine]
    # Balance per asset in cents; None until Régie has a ledger (not the same as zero).
    balances: dict[str, int] | None


def prestations_lending(session: Session, stock_lot_id: int | None) -> list[str]:
    if stock_lot_id is None:
        return []
    return list(
        session.scalars(
            select(Prestation.name)
            .join(Loan, Loan.prestation_id == Prestation.id)
            .join(LoanLine, LoanLine.loan_id == Loan.id)
            .where(LoanLine.stock_lot_id == stock_lot_id)
            .where(LoanLine.returned_at.is_(None), Loan.closed_at.is_(None))
            .distinct()
            .order_by(Prestation.name)
        )
    )


def card_info(session: Session, ref: str, history: int = 20) -> CardInfo:
    """The card meant by a UID, a printed number or a QR URL, with its last events."""
    card = find_card(session, ref)
    batch = session.get_one(CardBatch, card.batch_id)
    owner = session.get_one(Organisation, batch.owner_id)
    lot = session.get(StockLot, batch.stock_lot_id) if batch.stock_lot_id else None
    staff = None
    if session.scalar(select(StaffCard.id).where(StaffCard.card_id == card.id)) is not None:
        staff = next((s for s in staff_cards(session) if s.number == card.number), None)
    replaced_by = (
        session.scalar(select(Card.number).where(Card.id == card.replaced_by_id))
        if card.replaced_by_id
        else None
    )
    replaces = session.scalar(select(Card.number).where(Card.replaced_by_id == card.id))
    events = session.scalars(
        select(CardEvent)
        .where(CardEvent.card_id == card.id)
        .order_by(CardEvent.at.desc(), CardEvent.id.desc())
        .limit(history)
    )
    return CardInfo(
        number=card.number,
        uid=card.uid,
        tag_id=card.tag_id,
        url=card.url,
        chip=_(CHIP_LABELS[Chip(card.chip)]) if card.chip else "?",
        state=card.state,
        state_label=_(STATE_LABELS[card.state]),
        encoding=card.encoding,
        encoding_label=_(ENCODING_LABELS[card.encoding]),
        url_written=card.url_written,
        protected=card.protected,
        batch=batch.name,
        owner=owner.short_name,
        lot=lot.name if lot else None,
        lent_to=prestations_lending(session, batch.stock_lot_id),
        staff=staff,
        replaced_by=replaced_by,
        replaces=replaces,
        history=[
            HistoryLine(aware(e.at), e.kind, e.from_state, e.to_state, e.who, e.why) for e in events
        ],
        balances=ledger_hook.balances(session, card),
    )

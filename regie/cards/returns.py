"""Cards lent with a lot: counting them back at the end of a prestation.

The cards lent to a prestation are those of the batches whose inventory lot went out on a
loan for it (a lot lent in part cannot say which cards went out: all its cards are
expected back, and the report says how many came back against how many the loan counted).
Each card tapped at the return desk, or a whole batch returned in its box, is counted once;
the others are listed as missing, and :func:`declare_missing_lost` puts them on the block
list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from regie.cards.lookup import CardsError, current_user, find_card, now, record_event
from regie.cards.models import Card, CardBatch, CardEvent, CardReturn, CardState
from regie.cards.reasons import NOT_RETURNED, RETURNED, french
from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.models import Loan, LoanLine
from regie.models import Prestation


def _lent_lots(session: Session, prestation: Prestation) -> Any:
    return (
        select(LoanLine.stock_lot_id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == prestation.id, LoanLine.stock_lot_id.is_not(None))
    )


def _lent_cards(session: Session, prestation: Prestation) -> Any:
    return (
        select(Card.id)
        .join(CardBatch, Card.batch_id == CardBatch.id)
        .where(CardBatch.stock_lot_id.in_(_lent_lots(session, prestation)))
        .where(Card.state != CardState.DESTROYED)
    )


@dataclass(frozen=True)
class ReturnTap:
    number: str
    already: bool  # this card was already counted back
    returned: int
    lent: int


def _counts(session: Session, prestation: Prestation) -> tuple[int, int]:
    lent = session.scalar(
        select(func.count()).select_from(_lent_cards(session, prestation).subquery())
    )
    returned = session.scalar(
        select(func.count())
        .select_from(CardReturn)
        .where(CardReturn.prestation_id == prestation.id)
    )
    return int(returned or 0), int(lent or 0)


def record_return(
    session: Session, prestation_name: str, ref: str, *, who: str | None = None
) -> ReturnTap:
    """Count one card back (tapped at the return desk)."""
    prestation = catalogue.prestation(session, prestation_name)
    card = find_card(session, ref)
    lent = session.scalar(_lent_cards(session, prestation).where(Card.id == card.id))
    if lent is None:
        raise CardsError(
            _("la carte {number} n'a pas été prêtée pour {name}").format(
                number=card.number, name=prestation.name
            )
        )
    known = session.scalar(
        select(CardReturn.id).where(
            CardReturn.prestation_id == prestation.id, CardReturn.card_id == card.id
        )
    )
    if known is None:
        who = who or current_user()
        session.add(
            CardReturn(prestation_id=prestation.id, card_id=card.id, returned_at=now(), who=who)
        )
        if card.state in (CardState.ACTIVE, CardState.LOST):
            record_event(
                session,
                card,
                "state",
                who=who,
                why=french(RETURNED, name=prestation.name),
                to_state=CardState.RETURNED,
                prestation_id=prestation.id,
            )
        session.flush()
    returned, total = _counts(session, prestation)
    return ReturnTap(card.number, known is not None, returned, total)


def record_batch_returned(
    session: Session, prestation_name: str, batch_name: str, *, who: str | None = None
) -> int:
    """A whole batch came back in its box: count all its lent cards not counted yet."""
    prestation = catalogue.prestation(session, prestation_name)
    batch = session.scalar(select(CardBatch).where(CardBatch.name == batch_name))
    if batch is None:
        raise CardsError(_("lot de cartes inconnu : {batch_name}").format(batch_name=batch_name))
    counted = select(CardReturn.card_id).where(CardReturn.prestation_id == prestation.id)
    rows = session.execute(
        _lent_cards(session, prestation)
        .add_columns(Card.state)
        .where(Card.batch_id == batch.id, Card.id.not_in(counted))
    ).all()
    if not rows:
        return 0
    who, at = who or current_user(), now()
    session.execute(
        insert(CardReturn),
        [
            {
                "prestation_id": prestation.id,
                "card_id": card_id,
                "returned_at": at,
                "who": who,
                "how": "batch",
            }
            for card_id, _state in rows
        ],
    )
    moving = [card_id for card_id, state in rows if state in (CardState.ACTIVE, CardState.LOST)]
    if moving:
        session.execute(
            insert(CardEvent),
            [
                {
                    "card_id": card_id,
                    "at": at,
                    "kind": "state",
                    "from_state": state.value,
                    "to_state": CardState.RETURNED.value,
                    "who": who,
                    "why": _("lot {batch} rendu à la fin de {prestation}").format(
                        batch=batch.name, prestation=prestation.name
                    ),
                    "prestation_id": prestation.id,
                }
                for card_id, state in rows
                if card_id in set(moving)
            ],
        )
        session.execute(
            update(Card).where(Card.id.in_(moving)).values(state=CardState.RETURNED),
            execution_options={"synchronize_session": False},
        )
    return len(rows)


@dataclass(frozen=True)
class MissingCard:
    number: str
    uid: str | None
    state: CardState
    batch: str


@dataclass(frozen=True)
class ReturnReport:
    prestation: str
    lent: int
    returned: int
    loaned_quantity: int  # what the inventory loan lines counted out
    missing: list[MissingCard]


def return_report(session: Session, prestation_name: str) -> ReturnReport:
    """How many cards came back, and which did not."""
    prestation = catalogue.prestation(session, prestation_name)
    counted = select(CardReturn.card_id).where(CardReturn.prestation_id == prestation.id)
    missing = session.execute(
        select(Card.number, Card.uid, Card.tag_id, Card.state, CardBatch.name)
        .join(CardBatch, Card.batch_id == CardBatch.id)
        .where(Card.id.in_(_lent_cards(session, prestation)), Card.id.not_in(counted))
        .order_by(CardBatch.name, Card.position)
    ).all()
    quantity = session.scalar(
        select(func.coalesce(func.sum(LoanLine.quantity_out), 0))
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == prestation.id, LoanLine.stock_lot_id.is_not(None))
    )
    returned, lent = _counts(session, prestation)
    return ReturnReport(
        prestation.name,
        lent,
        returned,
        int(quantity or 0),
        [MissingCard(n, uid or tag, state, batch) for n, uid, tag, state, batch in missing],
    )


def declare_missing_lost(
    session: Session, prestation_name: str, *, who: str | None = None
) -> list[str]:
    """Every active card of the prestation not counted back becomes lost (block list)."""
    report = return_report(session, prestation_name)
    prestation = catalogue.prestation(session, prestation_name)
    who = who or current_user()
    lost = []
    for missing in report.missing:
        if missing.state is not CardState.ACTIVE:
            continue
        card = find_card(session, missing.number)
        record_event(
            session,
            card,
            "state",
            who=who,
            why=french(NOT_RETURNED, name=prestation.name),
            to_state=CardState.LOST,
            prestation_id=prestation.id,
        )
        lost.append(missing.number)
    return lost

"""Card states and the lost-card procedure, with an append-only who/when/why history.

States: active, blocked, lost, returned, destroyed. Blocked, lost and destroyed cards are on
the block list that terminal configurations carry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.cards import ledger_hook
from regie.cards.lookup import CardsError, current_user, find_card, now, record_event
from regie.cards.models import STATE_LABELS, Card, CardEvent, CardState, StaffCard
from regie.cards.reasons import REPLACED_BY, REPLACES, french
from regie.i18n import _

BLOCKED_STATES = (CardState.BLOCKED, CardState.LOST, CardState.DESTROYED)

ALLOWED: dict[CardState, frozenset[CardState]] = {
    CardState.ACTIVE: frozenset(
        {CardState.BLOCKED, CardState.LOST, CardState.RETURNED, CardState.DESTROYED}
    ),
    CardState.BLOCKED: frozenset({CardState.ACTIVE, CardState.LOST, CardState.DESTROYED}),
    CardState.LOST: frozenset({CardState.ACTIVE, CardState.RETURNED, CardState.DESTROYED}),
    CardState.RETURNED: frozenset(
        {CardState.ACTIVE, CardState.BLOCKED, CardState.LOST, CardState.DESTROYED}
    ),
    CardState.DESTROYED: frozenset(),
}


@dataclass(frozen=True)
class StateChange:
    number: str
    uid: str | None
    before: CardState
    after: CardState
    at: dt.datetime


def change_state(
    session: Session,
    ref: str,
    to: CardState,
    *,
    reason: str,
    who: str | None = None,
    prestation_id: int | None = None,
) -> StateChange:
    """Move a card to another state; refused if the move makes no sense or has no reason."""
    card = find_card(session, ref)
    return _change(session, card, to, reason=reason, who=who, prestation_id=prestation_id)


def _change(
    session: Session,
    card: Card,
    to: CardState,
    *,
    reason: str,
    who: str | None,
    prestation_id: int | None = None,
) -> StateChange:
    before = card.state
    if to == before:
        raise CardsError(
            _("la carte {number} est déjà {to}").format(number=card.number, to=_(STATE_LABELS[to]))
        )
    if to not in ALLOWED[before]:
        raise CardsError(
            _("la carte {number} est {before} : elle ne peut pas devenir {to}").format(
                number=card.number, before=_(STATE_LABELS[before]), to=_(STATE_LABELS[to])
            )
        )
    if to in BLOCKED_STATES and not reason.strip():
        raise CardsError(
            _("donnez la raison : elle reste dans l'historique"),
            command=_("donnez la raison (--reason) : elle reste dans l'historique"),
        )
    at = now()
    record_event(
        session,
        card,
        "state",
        who=who or current_user(),
        why=reason.strip(),
        at=at,
        to_state=to,
        prestation_id=prestation_id,
    )
    return StateChange(card.number, card.uid or card.tag_id, before, to, at)


def block_card(session: Session, ref: str, *, reason: str, who: str | None = None) -> StateChange:
    """Block a card: terminals refuse it once they receive the new block list."""
    return change_state(session, ref, CardState.BLOCKED, reason=reason, who=who)


def unblock_card(session: Session, ref: str, *, reason: str, who: str | None = None) -> StateChange:
    return change_state(session, ref, CardState.ACTIVE, reason=reason, who=who)


@dataclass(frozen=True)
class Replacement:
    old_number: str
    old_uid: str | None
    new_number: str
    new_uid: str | None
    # What the ledger moved per asset, in cents; None while Régie has no ledger.
    balances_moved: dict[str, int] | None
    staff_card_moved: bool


def replace_card(
    session: Session,
    old_ref: str,
    new_ref: str,
    *,
    reason: str = "carte perdue",
    who: str | None = None,
) -> Replacement:
    """Lost-card procedure: the old card is lost (on the block list), the new one replaces it.

    Its balances move to the new card through the ledger (once there is one), its staff
    rights too. All in the caller's transaction: everything or nothing.
    """
    who = who or current_user()
    old, new = find_card(session, old_ref), find_card(session, new_ref)
    if old.id == new.id:
        raise CardsError(_("l'ancienne et la nouvelle carte sont la même"))
    if old.replaced_by_id is not None:
        done = session.get_one(Card, old.replaced_by_id)
        raise CardsError(
            _("la carte {number} est déjà remplacée par {number2}").format(
                number=old.number, number2=done.number
            )
        )
    if old.state is CardState.DESTROYED:
        raise CardsError(_("la carte {number} est détruite").format(number=old.number))
    if new.state is not CardState.ACTIVE and new.state is not CardState.RETURNED:
        raise CardsError(
            _("la carte {number} est {state} : prenez-en une autre").format(
                number=new.number, state=_(STATE_LABELS[new.state])
            )
        )
    if not (new.uid or new.tag_id):
        raise CardsError(
            _("la carte {number} n'a pas encore de puce associée : encodez-la").format(
                number=new.number
            )
        )
    earlier = session.scalar(select(Card.number).where(Card.replaced_by_id == new.id))
    if earlier is not None:
        raise CardsError(
            _("la carte {number} remplace déjà la carte {earlier}").format(
                number=new.number, earlier=earlier
            )
        )
    if session.scalar(select(StaffCard.id).where(StaffCard.card_id == new.id)) is not None:
        raise CardsError(
            _("la carte {number} est une carte staff : prenez-en une autre").format(
                number=new.number
            )
        )
    at = now()
    if old.state is not CardState.LOST:
        _change(session, old, CardState.LOST, reason=reason, who=who)
    if new.state is CardState.RETURNED:
        _change(
            session,
            new,
            CardState.ACTIVE,
            reason=_("remplace la carte {number}").format(number=old.number),
            who=who,
        )
    old.replaced_by_id = new.id
    record_event(
        session,
        old,
        "replaced",
        who=who,
        why=french(REPLACED_BY, number=new.number),
        at=at,
    )
    why = french(REPLACES, number=old.number)
    record_event(session, new, "replacement", who=who, why=why, at=at)
    staff = session.scalar(select(StaffCard).where(StaffCard.card_id == old.id))
    if staff is not None:
        staff.card_id = new.id
    session.flush()
    moved = ledger_hook.move_balances(
        session, old, new, who=who, key=f"card-replace:{old.number}:{new.number}"
    )
    return Replacement(
        old.number, old.uid or old.tag_id, new.number, new.uid, moved, staff is not None
    )


@dataclass(frozen=True)
class BlockedCard:
    uid: str  # full UID when known, else TiBillet's 4-byte tag_id
    tag_id: str
    number: str
    state: CardState
    since: dt.datetime | None


def block_list(session: Session) -> list[BlockedCard]:
    """Chips terminals must refuse: blocked, lost and destroyed cards, by UID."""
    since = (
        select(CardEvent.card_id, func.max(CardEvent.at).label("since"))
        .where(CardEvent.to_state.in_([s.value for s in BLOCKED_STATES]))
        .group_by(CardEvent.card_id)
        .subquery()
    )
    rows = session.execute(
        select(Card.uid, Card.tag_id, Card.number, Card.state, since.c.since)
        .outerjoin(since, since.c.card_id == Card.id)
        .where(Card.state.in_(BLOCKED_STATES))
        .where((Card.uid.is_not(None)) | (Card.tag_id.is_not(None)))
        .order_by(Card.number)
    )
    return [
        BlockedCard(uid or tag_id or "", tag_id or "", number, state, at)
        for uid, tag_id, number, state, at in rows
    ]

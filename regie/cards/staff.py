"""Staff cards (TiBillet's "primary cards"): a person, the points of sale they open, manager
mode, an expiry date. A terminal asks :func:`check_staff_card`; expired, revoked, blocked or
lost staff cards are refused, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.cards.lookup import (
    CardsError,
    card_by_uid,
    current_user,
    find_card,
    normalise_uid,
    now,
    record_event,
)
from regie.cards.models import STATE_LABELS, Card, CardState, StaffCard
from regie.cards.reasons import MANAGER_MODE, STAFF, french
from regie.i18n import _, local_time

ALL_POINTS_OF_SALE = "*"


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class StaffInfo:
    number: str
    uid: str | None
    person: str
    points_of_sale: list[str]
    manager: bool
    expires_at: dt.datetime | None
    revoked: bool


@dataclass(frozen=True)
class StaffCheck:
    allowed: bool
    reason: str  # French: why refused, or what it opens
    person: str = ""
    manager: bool = False
    number: str = ""


def _info(card: Card, staff: StaffCard) -> StaffInfo:
    return StaffInfo(
        card.number,
        card.uid or card.tag_id,
        staff.person,
        [line for line in staff.points_of_sale.splitlines() if line],
        staff.manager,
        aware(staff.expires_at) if staff.expires_at else None,
        staff.revoked_at is not None,
    )


def make_staff_card(
    session: Session,
    ref: str,
    *,
    person: str,
    points_of_sale: Sequence[str],
    manager: bool = False,
    expires_at: dt.datetime | None = None,
    who: str | None = None,
) -> StaffInfo:
    """Make (or update) a staff card; ``["*"]`` opens every point of sale."""
    card = find_card(session, ref)
    if card.state is not CardState.ACTIVE:
        raise CardsError(
            _("la carte {number} est {state}").format(
                number=card.number, state=_(STATE_LABELS[card.state])
            )
        )
    if not (card.uid or card.tag_id):
        raise CardsError(
            _("la carte {number} n'a pas encore de puce : encodez-la d'abord").format(
                number=card.number
            )
        )
    if not person.strip():
        raise CardsError(_("une carte staff est au nom de quelqu'un"))
    places = [p.strip() for p in points_of_sale if p.strip()]
    if not places:
        raise CardsError(_("donnez au moins un point de vente (ou * pour tous)"))
    staff = session.scalar(select(StaffCard).where(StaffCard.card_id == card.id))
    if staff is None:
        staff = StaffCard(card_id=card.id)
        session.add(staff)
    staff.person = person.strip()
    staff.points_of_sale = "\n".join(places)
    staff.manager = manager
    staff.expires_at = expires_at
    staff.revoked_at = None
    mode = MANAGER_MODE if manager else ""
    record_event(
        session,
        card,
        "staff",
        who=who or current_user(),
        why=french(STAFF, person=staff.person, places=", ".join(places), mode=mode),
    )
    session.flush()
    return _info(card, staff)


def revoke_staff_card(
    session: Session, ref: str, *, reason: str, who: str | None = None
) -> StaffInfo:
    card = find_card(session, ref)
    staff = session.scalar(select(StaffCard).where(StaffCard.card_id == card.id))
    if staff is None:
        raise CardsError(
            _("la carte {number} n'est pas une carte staff").format(number=card.number)
        )
    staff.revoked_at = now()
    record_event(session, card, "staff_revoked", who=who or current_user(), why=reason)
    return _info(card, staff)


def staff_cards(session: Session) -> list[StaffInfo]:
    rows = session.execute(
        select(Card, StaffCard)
        .join(StaffCard, StaffCard.card_id == Card.id)
        .order_by(StaffCard.person)
    )
    return [_info(card, staff) for card, staff in rows]


def check_staff_card(
    session: Session, uid: str, pos: str, at: dt.datetime | None = None
) -> StaffCheck:
    """May this chip open point of sale ``pos`` at ``at``? Always an answer, never an error."""
    at = aware(at or now())
    key = normalise_uid(uid)
    card = card_by_uid(session, key) if key else None
    if card is None:
        return StaffCheck(False, "carte inconnue")
    staff = session.scalar(select(StaffCard).where(StaffCard.card_id == card.id))
    if staff is None:
        return StaffCheck(
            False,
            _("la carte {number} n'est pas une carte staff").format(number=card.number),
            number=card.number,
        )
    info = _info(card, staff)

    def refuse(reason: str) -> StaffCheck:
        return StaffCheck(False, reason, info.person, info.manager, card.number)

    if card.state is not CardState.ACTIVE:
        return refuse(f"carte staff {STATE_LABELS[card.state]}")
    if info.revoked:
        return refuse(_("carte staff révoquée"))
    if info.expires_at is not None and at >= info.expires_at:
        return refuse(
            _("carte staff expirée le {expires_at:%d/%m/%Y %H:%M}").format(
                expires_at=local_time(info.expires_at)
            )
        )
    if ALL_POINTS_OF_SALE not in info.points_of_sale and pos not in info.points_of_sale:
        allowed = ", ".join(info.points_of_sale)
        return refuse(
            _("point de vente {pos} non autorisé (autorisés : {allowed})").format(
                pos=pos, allowed=allowed
            )
        )
    mode = _(" en mode gérant") if info.manager else ""
    return StaffCheck(
        True, f"{info.person} ouvre {pos}{mode}", info.person, info.manager, card.number
    )

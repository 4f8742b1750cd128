"""Finding a card from what the user has in hand (UID, printed number, QR URL), and history."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.cards.models import STATE_LABELS, Card, CardEvent, CardState
from regie.errors import UserError
from regie.i18n import _

_HEX = re.compile(r"[0-9A-F]+")
_SEPARATORS = re.compile(r"[\s:\-]")
QR_UUID = re.compile(r"/qr/([0-9a-fA-F-]{36})/?$")


class CardsError(UserError):
    """A cards operation that cannot be done, with a French sentence for the user."""


def now() -> dt.datetime:
    return clock.now()


def current_user() -> str:
    """Who is acting, for the history: REGIE_USER, else the login name."""
    try:
        return os.environ.get("REGIE_USER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "?"


def normalise_uid(text: str) -> str | None:
    """``04:a1:b2…`` -> ``04A1B2…``; None unless 4, 7 or 10 bytes of hex."""
    cleaned = _SEPARATORS.sub("", text).upper()
    if len(cleaned) in (8, 14, 20) and _HEX.fullmatch(cleaned):
        return cleaned
    return None


def uuid_in_url(url: str) -> str | None:
    """The uuid after ``/qr/`` in a card URL, lower case (None if there is none)."""
    match = QR_UUID.search(url.strip())
    if not match:
        return None
    try:
        return str(uuid.UUID(match.group(1)))
    except ValueError:
        return None


def card_by_uid(session: Session, uid: str) -> Card | None:
    """The card of a chip: by full UID, else by TiBillet's 4-byte ``tag_id``."""
    card = session.scalar(select(Card).where(Card.uid == uid))
    if card is None:
        card = session.scalar(select(Card).where(Card.tag_id == uid[:8]))
        if card is not None and card.uid is not None and card.uid != uid:
            return None  # another chip that shares its first 4 bytes
    return card


def find_card(session: Session, ref: str) -> Card:
    """The card a user means by a UID, a printed number, a QR URL or its uuid."""
    text = ref.strip()
    if "/" in text:
        qr = uuid_in_url(text)
        card = session.scalar(select(Card).where(Card.qr_uuid == qr)) if qr else None
        if card is None:
            raise CardsError(_("aucune carte n'a l'adresse {text}").format(text=text))
        return card
    try:
        as_uuid = str(uuid.UUID(text))
    except ValueError:
        as_uuid = ""
    if as_uuid:
        card = session.scalar(select(Card).where(Card.qr_uuid == as_uuid))
        if card is not None:
            return card
    by_number = session.scalar(select(Card).where(Card.number == text.upper()))
    uid = normalise_uid(text)
    by_uid = card_by_uid(session, uid) if uid else None
    if by_number is not None and by_uid is not None and by_number.id != by_uid.id:
        raise CardsError(
            _(
                "{text} est à la fois le numéro de la carte {number} et "
                "l'UID de la carte {number2} : précisez l'UID complet"
            ).format(text=text, number=by_number.number, number2=by_uid.number)
        )
    card = by_number or by_uid
    if card is None:
        raise CardsError(_("aucune carte n'a le numéro ou l'UID {text}").format(text=text))
    return card


def record_event(
    session: Session,
    card: Card,
    kind: str,
    *,
    who: str,
    why: str = "",
    at: dt.datetime | None = None,
    to_state: CardState | None = None,
    prestation_id: int | None = None,
) -> CardEvent:
    """Append one line to the card's history (and change its state if ``to_state``)."""
    event = CardEvent(
        card_id=card.id,
        at=at or now(),
        kind=kind,
        from_state=card.state.value if to_state else None,
        to_state=to_state.value if to_state else None,
        who=who,
        why=why,
        prestation_id=prestation_id,
    )
    if to_state is not None:
        card.state = to_state
    session.add(event)
    return event


def wallet_uid(session: Session, ref: str) -> str:
    """The chip UID whose wallet the office means by ``ref`` (a printed number, a UID, a QR
    address): the wallet the terminals debit. A UID no card of ours carries is accepted when
    the terminals have already moved its wallet (a partner's card); anything else is refused,
    so that money never lands in a wallet no card opens."""
    from regie.ledger.entries import wallet_name
    from regie.ledger.models import Account

    try:
        card = find_card(session, ref)
    except CardsError:
        uid = normalise_uid(ref)
        if uid and session.scalar(select(Account.id).where(Account.name == wallet_name(uid))):
            return uid
        raise
    if not card.uid:
        raise CardsError(
            _("la carte {number} n'a pas encore de puce associée : pas de porte-monnaie").format(
                number=card.number
            )
        )
    return card.uid


def loadable_uid(session: Session, ref: str) -> str:
    """:func:`wallet_uid`, for money put on the card: a card the terminals refuse (blocked,
    lost, returned, destroyed) is refused, its money would be stuck there."""
    uid = wallet_uid(session, ref)
    card = card_by_uid(session, uid)
    if card is not None and card.state != CardState.ACTIVE:
        raise CardsError(
            _(
                "la carte {number} est {state} : les terminaux la refusent, rien n'y est chargé"
            ).format(number=card.number or uid, state=_(STATE_LABELS[CardState(card.state)]))
        )
    return uid

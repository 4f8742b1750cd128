"""The cards the demo's simulated reader lays, so that the demo plays the user guide: a
festival-goer's card with euros and gift tokens, a staff card, a lost card the terminals
refuse, and a blank card for the encoding station.

The demo batch (:mod:`regie.cards.demo`) is printed and encoded before the season; its third
card is the chip a festival-goer paid with at MamAfrica and MamaStock (its wallet is in the
journals), so the card monitor and the desk show a balance. Each known card is laid as the
encoder left it: its address written, protected by its batch's password.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.cards import ntag
from regie.cards.demo import DEMO_BATCH
from regie.cards.models import Card, CardBatch
from regie.cards.protection import AUTH0_PROTECT_ALL, card_password
from regie.devices.ntag_layout import USER_START, CardKind
from regie.devices.simulated_ntag import SimulatedNtag
from regie.i18n import N_
from regie.ledger.simulate import card_uid


class DemoCard(enum.StrEnum):
    VISITOR = "visitor"
    STAFF = "staff"
    LOST = "lost"
    BLANK = "blank"


# What the simulated reader's menu says it lays.
LABELS = {
    DemoCard.VISITOR: N_("Poser la carte d'un &festivalier (euros et cadeau)"),
    DemoCard.STAFF: N_("Poser une carte &staff"),
    DemoCard.LOST: N_("Poser une carte &bloquée (perdue)"),
    DemoCard.BLANK: N_("Poser une carte &neuve à encoder"),
}
# Their place in the demo batch (printing order).
POSITIONS = {
    DemoCard.VISITOR: 3,
    DemoCard.STAFF: 1,  # Camille (régie), a manager at every point of sale
    DemoCard.LOST: 42,  # lost at Bar Nord, replaced by the batch's card 150
}
# The journals' card n° 27: 34,00 € and 20 gift tokens left after the season.
VISITOR_UID = card_uid(0x1B)


def _demo_card(session: Session, kind: DemoCard) -> Card | None:
    return session.scalar(
        select(Card)
        .join(CardBatch, Card.batch_id == CardBatch.id)
        .where(CardBatch.name == DEMO_BATCH, Card.position == POSITIONS[kind])
    )


def pair_visitor_card(session: Session) -> None:
    """At the demo's filling: the batch's visitor card is the chip the journals name."""
    card = _demo_card(session, DemoCard.VISITOR)
    if card is not None and card.uid != VISITOR_UID:
        # No TiBillet tag_id: every simulated journal's chip starts with 04 00 00 00, the
        # prefix a factory file may give one of its cards (tag_id is unique).
        card.uid, card.tag_id = VISITOR_UID, None
        session.flush()


def encoded_chip(*, uid: bytes, url: str, protect_key: str) -> SimulatedNtag:
    """An NTAG215 as the encoding station leaves it: ``url`` written, every user page
    protected by the batch's password for this UID."""
    chip = SimulatedNtag(CardKind.NTAG215, uid)
    layout = chip.layout
    assert layout is not None
    start = USER_START * 4
    image = ntag.area_image(ntag.control_prefix(bytes(chip.memory[start : start + 16])), url)
    chip.memory[start : start + len(image)] = image
    password = card_password(protect_key, uid)
    chip.memory[layout.pwd * 4 : layout.pwd * 4 + 4] = password.pwd
    chip.memory[layout.pack * 4 : layout.pack * 4 + 4] = password.pack + b"\x00\x00"
    chip.memory[layout.cfg0 * 4 + 3] = AUTH0_PROTECT_ALL
    return chip


def demo_chip(session: Session, kind: DemoCard) -> SimulatedNtag | None:
    """The chip of the demo card ``kind`` (a blank one is new each time); None when the base
    does not hold the demo's cards."""
    if kind is DemoCard.BLANK:
        return SimulatedNtag(CardKind.NTAG215)
    card = _demo_card(session, kind)
    if card is None or card.uid is None:
        return None
    key = session.scalars(select(CardBatch.protect_key).where(CardBatch.id == card.batch_id))
    return encoded_chip(uid=bytes.fromhex(card.uid), url=card.url, protect_key=key.one())

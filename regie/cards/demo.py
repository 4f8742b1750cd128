"""The demo festival's cards: a printed batch of the CCC lot, partly encoded, one card lost
and replaced, two staff cards. Reproducible (fixed seed), so screenshots do not change."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.cards.batches import FactoryLine, create_batch, is_spreadsheet_safe
from regie.cards.lookup import record_event
from regie.cards.models import Card, CardBatch, Encoding
from regie.cards.ntag import Chip
from regie.cards.staff import make_staff_card
from regie.cards.states import replace_card
from regie.db import Database
from regie.inventory.models import StockLot
from regie.models import Organisation

DEMO_BATCH = "CCC démo 2026"
DEMO_BASE_URL = "https://demo.tibillet.example"
DEMO_CARDS = 200
DEMO_ENCODED = 150
WHO = "démo"


def holds_demo_cards(db: Database) -> bool:
    """Is this the demo festival's base (its printed batch is there)?"""
    with db.session() as session:
        return session.scalar(select(CardBatch.id).where(CardBatch.name == DEMO_BATCH)) is not None


def fill_cards_demo(session: Session) -> None:
    """Add the demo batch (once) to the CCC card lot; a no-op without CCC or with the batch."""
    owner = session.scalar(select(Organisation).where(Organisation.short_name == "CCC"))
    if owner is None or session.scalar(select(CardBatch.id).where(CardBatch.name == DEMO_BATCH)):
        return
    lot = session.scalar(select(StockLot).where(StockLot.name == "Cartes NFC CCC"))
    rng = random.Random(2026)
    lines: list[FactoryLine] = []
    taken = set(session.scalars(select(Card.number)))
    while len(lines) < DEMO_CARDS:
        qr = uuid.UUID(int=rng.getrandbits(128), version=4)
        number = qr.hex[:8].upper()
        if number in taken or not is_spreadsheet_safe(number):
            continue
        taken.add(number)
        lines.append(
            FactoryLine(len(lines) + 1, f"{DEMO_BASE_URL}/qr/{qr}", str(qr), number, None, None)
        )
    batch = create_batch(
        session,
        lines,
        name=DEMO_BATCH,
        owner=owner,
        lot=lot,
        source="démonstration",
        base_url=DEMO_BASE_URL,
    )
    session.flush()
    cards = list(
        session.scalars(select(Card).where(Card.batch_id == batch.id).order_by(Card.position))
    )
    encoded_at = dt.datetime(2026, 5, 20, 14, 0, tzinfo=dt.UTC)
    for card in cards[:DEMO_ENCODED]:
        uid = "04" + rng.getrandbits(48).to_bytes(6, "big").hex().upper()
        card.uid, card.tag_id, card.chip = uid, uid[:8], Chip.NTAG215.value
        card.encoding, card.url_written, card.protected = Encoding.ENCODED, True, True
        card.encoded_at = encoded_at
        record_event(
            session,
            card,
            "encoded",
            who=WHO,
            why="puce associée, adresse écrite et relue, protégée par mot de passe",
            at=encoded_at,
        )
        encoded_at += dt.timedelta(seconds=3)
    session.flush()
    replace_card(session, cards[41].number, cards[149].number, reason="perdue au bar Nord", who=WHO)
    make_staff_card(
        session,
        cards[0].number,
        person="Camille (régie)",
        points_of_sale=["*"],
        manager=True,
        expires_at=dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
        who=WHO,
    )
    make_staff_card(
        session,
        cards[1].number,
        person="Sam (bar Nord)",
        points_of_sale=["Bar Nord", "Bar Sud"],
        expires_at=dt.datetime(2026, 7, 13, 6, 0, tzinfo=dt.UTC),
        who=WHO,
    )

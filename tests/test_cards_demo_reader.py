"""The demo's simulated reader lays cards Régie knows: a festival-goer's card whose wallet the
journals filled (euros and gift tokens), Camille's staff card, the card lost at Bar Nord, and
a blank card the encoder pairs with the batch's next number. Each known chip is as the encoder
left it: a phone reads its address, a write without the batch's password is refused, and the
encoding station says it is already done. One demo base for the module (SQLite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from regie.cards import ntag
from regie.cards.demo import DEMO_BATCH
from regie.cards.demo_reader import POSITIONS, VISITOR_UID, DemoCard, demo_chip
from regie.cards.encoding import EncodingOptions, EncodingSession, Outcome
from regie.cards.models import Card, CardState
from regie.cards.monitor import card_info
from regie.cards.staff import check_staff_card
from regie.db import Database
from regie.devices.card_link import CardLink
from regie.devices.ntag_layout import USER_START
from regie.devices.simulated_ntag import SimulatedNtag
from regie.ledger.desk import balances_of


@pytest.fixture
def base(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the module's demo festival: the encoder writes to it."""
    target = tmp_path / "festival.sqlite3"
    target.write_bytes(demo_file.read_bytes())
    db = Database(f"sqlite:///{target}")
    yield db
    db.dispose()


def link_to(chip: SimulatedNtag) -> CardLink:
    def send(apdu: bytes) -> tuple[bytes, int, int]:
        answer = chip.process_apdu(apdu)
        return answer[:-2], answer[-2], answer[-1]

    return CardLink(reader="Lecteur simulé", atr=chip.atr, send=send)


def chip_of(db: Database, kind: DemoCard) -> SimulatedNtag:
    with db.session() as session:
        chip = demo_chip(session, kind)
    assert chip is not None
    chip.power_cycle()
    return chip


def test_the_visitor_card_is_the_chip_the_journals_filled_with_euros_and_gift(
    base: Database,
) -> None:
    chip = chip_of(base, DemoCard.VISITOR)
    assert chip.uid.hex().upper() == VISITOR_UID == "0400000000001B"
    with base.session() as session:
        info = card_info(session, VISITOR_UID)
        wallet = balances_of(session, VISITOR_UID)
    assert info.state is CardState.ACTIVE and info.staff is None
    assert info.batch == DEMO_BATCH and info.balances == wallet
    # The simulated journals leave its wallet with both kinds of money after the season.
    assert wallet["EUR"] > 0 and wallet["GIFT"] > 0, wallet


def test_a_known_chip_is_as_the_encoder_left_it(base: Database) -> None:
    chip = chip_of(base, DemoCard.VISITOR)
    with base.session() as session:
        url = session.scalars(select(Card.url).where(Card.uid == VISITOR_UID)).one()
    area = chip.pages(USER_START, 32)
    assert ntag.url_in(area) == url  # what a phone reads
    link = link_to(chip)
    with pytest.raises(ntag.Refused):  # protected: no write without the batch's password
        ntag.write_page(link.transmit, USER_START, b"\x03\x00\xfe\x00")
    session = EncodingSession(base, EncodingOptions(write_url=True, protect=True))
    assert session.handle(link_to(chip)).outcome is Outcome.ALREADY_ENCODED


def test_the_staff_and_the_lost_cards_are_the_demo_batchs(base: Database) -> None:
    staff, lost = chip_of(base, DemoCard.STAFF), chip_of(base, DemoCard.LOST)
    with base.session() as session:
        camille = card_info(session, staff.uid.hex().upper())
        gone = card_info(session, lost.uid.hex().upper())
        during_mamastock = dt.datetime(2026, 7, 11, 20, 0, tzinfo=dt.UTC)
        check = check_staff_card(session, staff.uid.hex().upper(), "Bar Nord", during_mamastock)
    assert camille.staff is not None and camille.staff.person == "Camille (régie)"
    assert check.allowed
    assert gone.state is CardState.LOST  # on the terminals' block list


def test_a_blank_card_is_new_each_time_and_the_encoder_pairs_it_with_the_next_number(
    base: Database,
) -> None:
    first, second = chip_of(base, DemoCard.BLANK), chip_of(base, DemoCard.BLANK)
    assert first.uid != second.uid
    session = EncodingSession(base, EncodingOptions(write_url=True, protect=True))
    following = session.follow_batch(DEMO_BATCH)
    result = session.handle(link_to(first))
    assert result.outcome is Outcome.ENCODED and result.number == following
    with base.session() as db_session:
        card = db_session.scalars(select(Card).where(Card.number == following)).one()
    # The demo encoded the batch's first 150 cards: the next is the 151st.
    assert card.position == 151 and card.uid == first.uid.hex().upper()
    assert POSITIONS[DemoCard.LOST] < 151

"""Encoding, reading and lending cards on the simulated reader: no pcscd, the same chip model.

The simulated reader is owned by a thread of its own, like a PC/SC reader; its cards are the
software NTAG the test rig also puts behind vpcd. A batch of 20 cards is encoded card after
card, each tapped in turn, then every card is read back through a link the device manager
lends, as the monitor or a phone would, and unlocked with the password derived from its UID.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from regie.cards import ntag
from regie.cards.batches import create_batch, generate_lines
from regie.cards.encoding import CardResult, EncodingOptions, EncodingSession, Outcome
from regie.cards.models import Card, CardBatch, Encoding
from regie.cards.protection import AUTH0_PROTECT_ALL, card_password
from regie.db import Database
from regie.devices.card_link import CardLink, LinkLost, NoCard
from regie.devices.lease import LeaseStatus
from regie.devices.manager import DeviceManager
from regie.devices.ntag_layout import CardKind
from regie.devices.simulated import SIMULATED_READER, SimulatedBackend
from regie.devices.simulated_ntag import SimulatedNtag
from regie.models import Organisation

BASE_URL = "https://festival.example"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    with database.session() as session:
        owner = Organisation(short_name="CCC", name="Coopérative Code Commun")
        session.add(owner)
        session.flush()
        lines = generate_lines(25, BASE_URL)
        create_batch(session, lines, name="B1", owner=owner, lot=None, source="test")
    yield database
    database.dispose()


@pytest.fixture
def reader() -> Iterator[tuple[DeviceManager, SimulatedBackend]]:
    backend = SimulatedBackend()
    manager = DeviceManager([backend])
    manager.start()
    yield manager, backend
    manager.stop()


def uid_on(link: CardLink) -> bytes:
    return ntag.read_uid(link.transmit)


def read_back(link: CardLink) -> tuple[str | None, bytes, bytes]:
    """What a phone reads, then what the card's configuration says once unlocked."""
    uid = ntag.read_uid(link.transmit)
    url = ntag.url_in(ntag.read_area(link.transmit, 16 * 8))
    model = ntag.NTAG_MODELS[ntag.identify(link.atr, link.transmit)]
    return url, uid, ntag.read_pages(link.transmit, model.cfg0)


def test_twenty_cards_of_a_batch_are_encoded_one_tap_each_and_read_back_with_their_password(
    db: Database, reader: tuple[DeviceManager, SimulatedBackend]
) -> None:
    manager, backend = reader
    results: queue.Queue[CardResult] = queue.Queue()
    threads: set[str] = set()
    session = EncodingSession(
        db, EncodingOptions(write_url=True, protect=True, who="test"), on_result=results.put
    )
    session.follow_batch("B1")

    def handle(link: CardLink) -> CardResult:
        threads.add(threading.current_thread().name)
        return session.handle(link)

    statuses: list[tuple[LeaseStatus, str]] = []
    lease = manager.serve_cards(None, handle, lambda *status: statuses.append(status))
    assert lease.reader == SIMULATED_READER
    kinds = [CardKind.NTAG213, CardKind.NTAG215, CardKind.NTAG216]
    cards = [backend.new_card(kinds[n % 3]) for n in range(20)]
    done = []
    for card in cards:
        backend.tap(card)
        done.append(results.get(timeout=10))
        backend.lift()
    lease.release()
    assert [r.outcome for r in done] == [Outcome.ENCODED] * 20, [r.line() for r in done]
    assert [r.uid for r in done] == [c.uid.hex().upper() for c in cards]
    assert threads == {f"reader {SIMULATED_READER}"}  # the reader's own thread, not ours
    assert statuses[0] == (LeaseStatus.READY, "Lecteur simulé : posez une carte")
    assert statuses[-1] == (LeaseStatus.STOPPED, "session arrêtée")

    with db.session() as s:
        key = s.scalars(select(CardBatch.protect_key).where(CardBatch.name == "B1")).one()
        rows = {row.uid: row for row in s.scalars(select(Card).where(Card.uid.is_not(None))).all()}
        first_twenty = s.scalars(select(Card.number).order_by(Card.position).limit(20)).all()
    assert [r.number for r in done] == first_twenty  # paired in printing order
    for card in cards:
        row = rows[card.uid.hex().upper()]
        assert row.encoding is Encoding.ENCODED and row.url_written and row.protected
        assert row.tag_id == card.uid.hex().upper()[:8] and row.chip == card.kind.value
        backend.tap(card)  # the lease is released: the card is only read
        url, uid, cfg = manager.lend(SIMULATED_READER, read_back).result(timeout=5)
        password = card_password(key, card.uid)
        assert (url, uid, cfg[3]) == (row.url, card.uid, AUTH0_PROTECT_ALL)
        pack = manager.lend(
            SIMULATED_READER, lambda link, p=password: ntag.pwd_auth(link.transmit, p.pwd)
        ).result(timeout=5)
        assert pack == password.pack
        backend.lift()


def test_a_card_already_lying_is_served_when_the_encoder_borrows_the_reader(
    db: Database, reader: tuple[DeviceManager, SimulatedBackend]
) -> None:
    manager, backend = reader
    results: queue.Queue[CardResult] = queue.Queue()
    session = EncodingSession(db, EncodingOptions(who="test"), on_result=results.put)
    session.follow_batch("B1")
    card = backend.tap(backend.new_card())
    assert manager.state.readers[SIMULATED_READER].uid == card.uid  # reported at once
    lease = manager.serve_cards("simulé", session.handle)  # a part of the name will do
    result = results.get(timeout=10)
    assert result.outcome is Outcome.ENCODED and result.uid == card.uid.hex().upper()
    lease.release()
    backend.lift()
    backend.tap(card)  # laid again once the reader is given back: nobody encodes it
    assert manager.lend(SIMULATED_READER, uid_on).result(timeout=5) == card.uid
    assert results.empty()


def test_a_job_with_no_card_or_no_reader_fails_and_the_reader_lives_on(
    reader: tuple[DeviceManager, SimulatedBackend],
) -> None:
    manager, backend = reader
    with pytest.raises(NoCard, match="pas de carte sur Lecteur simulé"):
        manager.lend(SIMULATED_READER, uid_on).result(timeout=5)
    with pytest.raises(LinkLost, match="lecteur Lecteur absent débranché"):
        manager.lend("Lecteur absent", uid_on).result(timeout=5)

    def crash(_link: CardLink) -> None:
        raise RuntimeError("bogue")

    card = backend.tap(SimulatedNtag(CardKind.NTAG213))
    with pytest.raises(RuntimeError, match="bogue"):
        manager.lend(SIMULATED_READER, crash).result(timeout=5)
    assert manager.lend(SIMULATED_READER, uid_on).result(timeout=5) == card.uid


def test_a_card_lifted_in_the_middle_of_a_job_loses_its_link(
    reader: tuple[DeviceManager, SimulatedBackend],
) -> None:
    manager, backend = reader
    backend.tap(backend.new_card())
    lifted = threading.Event()

    def slow(link: CardLink) -> bytes:
        ntag.read_uid(link.transmit)
        backend.lift()
        lifted.set()
        return ntag.read_pages(link.transmit, 4)

    with pytest.raises(LinkLost, match="carte retirée"):
        manager.lend(SIMULATED_READER, slow).result(timeout=5)
    assert lifted.is_set()


def test_the_encoder_waits_for_its_reader_and_takes_it_back_when_plugged_in_again(
    db: Database,
) -> None:
    backend = SimulatedBackend()
    manager = DeviceManager([backend])
    results: queue.Queue[CardResult] = queue.Queue()
    session = EncodingSession(db, EncodingOptions(who="test"), on_result=results.put)
    session.follow_batch("B1")
    statuses: list[tuple[LeaseStatus, str]] = []
    lease = manager.serve_cards(SIMULATED_READER, session.handle, lambda *s: statuses.append(s))
    missing = "lecteur « Lecteur simulé » introuvable : branchez-le (la session attend)"
    assert statuses == [(LeaseStatus.READER_MISSING, missing)] and lease.owner is None
    manager.start()  # plugged in
    assert lease.reader == SIMULATED_READER
    assert statuses[-1] == (LeaseStatus.READY, "Lecteur simulé : posez une carte")
    backend.stop()  # unplugged
    assert lease.owner is None
    assert statuses[-2:] == [
        (LeaseStatus.READER_MISSING, "lecteur Lecteur simulé débranché"),
        (LeaseStatus.READER_MISSING, missing),
    ]
    manager.start()  # plugged back: the lease takes it again
    card = backend.tap(backend.new_card())
    result = results.get(timeout=10)
    assert (result.outcome, result.uid) == (Outcome.ENCODED, card.uid.hex().upper())
    lease.release()
    manager.stop()
    assert not lease.running and statuses[-1][0] is LeaseStatus.STOPPED

"""Killing Régie during an encoding session loses nothing: a real ``regie cards encode`` is
killed with SIGKILL while it writes the 3rd card of a batch, then reopened.

What the encoding guarantees (regie/cards/encoding.py, "safety rule"): the database records
the pairing and "à ré-encoder" before the first write reaches a chip, and "encodée" only after
the chip has been read back. So after the kill the cards done before are encoded, the card
under the reader is paired with its chip and "à ré-encoder" (never "encodée"), and the next
tap of that card, in a new session, finishes it.

Two kills: at the card's first write (nothing reached the chip), and at its last write, the
one that switches the password protection on, taken by the chip but never answered (the chip
is protected and the database does not know it yet).
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import select

from regie.cards import ntag
from regie.cards.batches import create_batch, generate_lines
from regie.cards.models import Card, Encoding
from regie.cards.protection import AUTH0_PROTECT_ALL
from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.simulate import Festival, write_journal
from regie.models import Organisation
from tests.rig.vcard import VirtualCard
from tests.test_backup import REPO, regie, transfers_at

pytestmark = [pytest.mark.pcsc]

READER, PORT = "Virtual PCD 00 00", 35963
BATCH = "Lot de la nuit"
ENCODE = ["cards", "encode", "--reader", READER, "--write-url", "--protect", "--batch", BATCH]
CFG0_NTAG215 = 0x83  # MIRROR, RFUI, MIRROR_PAGE, AUTH0


def festival(tmp_path: Path) -> str:
    """A database with a ledger (to verify) and a printed batch of 3 cards, none encoded."""
    url = f"sqlite:///{tmp_path / 'regie.sqlite3'}"
    db = Database(url)
    try:
        db.upgrade()
        journal = tmp_path / "journal.jsonl"
        write_journal(Festival(transactions=300, cards=50, seed=8), str(journal))
        with db.session() as session:
            import_journals(session, [journal])
            owner = Organisation(short_name="CCC", name="Coopérative Code Commun")
            session.add(owner)
            session.flush()
            lines = generate_lines(3, "https://festival.example")
            create_batch(session, lines, name=BATCH, owner=owner, lot=None, source="test")
    finally:
        db.dispose()
    return url


def batch_cards(url: str) -> list[Card]:
    db = Database(url)
    try:
        with db.session() as session:
            return list(session.scalars(select(Card).order_by(Card.position)))
    finally:
        db.dispose()


class EncodingStation:
    """``regie cards encode`` in a subprocess; its printed lines arrive in a queue."""

    def __init__(self, url: str, *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "regie", *ENCODE, *extra, "--db", url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO), "REGIE_USER": "Léa"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.statuses: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._read(self.process.stdout, self.lines.put)
        self._read(self.process.stderr, self.statuses.append)

    @staticmethod
    def _read(stream: IO[str], put: Callable[[str], None]) -> None:
        def pump() -> None:
            for line in stream:
                put(line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()

    def line_about(self, card: VirtualCard) -> str:
        """The result line the session prints for this card (waits for it)."""
        uid = card.uid.hex().upper()
        while True:
            try:
                line = self.lines.get(timeout=30)
            except queue.Empty:
                self.kill()
                raise AssertionError(f"no line about {uid}: {self.statuses}") from None
            if uid in line:
                return line

    def tap(self, card: VirtualCard) -> str:
        card.insert()
        try:
            return self.line_about(card)
        finally:
            card.remove()

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)


@pytest.mark.parametrize(
    ("page", "applied"),
    [(None, False), (CFG0_NTAG215, True)],
    ids=["first-write-lost", "protection-taken-unanswered"],
)
def test_a_session_killed_while_writing_a_card_loses_nothing_and_the_card_is_finished_later(
    pcscd: object, tmp_path: Path, page: int | None, applied: bool
) -> None:
    url = festival(tmp_path)
    transfers = transfers_at(url)
    chips = [VirtualCard("ntag215", port=PORT) for _ in range(3)]
    station = EncodingStation(url)
    try:
        for chip in chips[:2]:
            assert station.tap(chip).startswith("ENCODÉE")
        held = chips[2].hold_next_write(page, applied=applied)
        chips[2].insert()
        assert held.wait(timeout=30), f"card 3 was never written: {station.statuses}"
        assert station.kill() == -signal.SIGKILL  # killed in the middle of card 3's write
    finally:
        if station.process.poll() is None:
            station.kill()
        chips[2].remove()

    # Reopened: the two cards done before are encoded, the third is paired, not encoded.
    first, second, third = batch_cards(url)
    for card, chip in ((first, chips[0]), (second, chips[1])):
        assert card.uid == chip.uid.hex().upper()
        assert (card.encoding, card.url_written, card.protected) == (Encoding.ENCODED, True, True)
    uid3 = chips[2].uid.hex().upper()
    assert third.uid == uid3 and third.encoding is Encoding.TO_REENCODE
    assert not third.protected and third.encoded_at is None
    shown = regie("cards", "show", uid3, "--db", url)
    assert shown.returncode == 0, shown.stderr
    assert f"Carte {third.number}" in shown.stdout and "à ré-encoder" in shown.stdout
    memory = bytes(chips[2].memory)
    auth0 = memory[CFG0_NTAG215 * 4 + 3]
    assert auth0 == (AUTH0_PROTECT_ALL if applied else 0xFF)  # the chip as the kill left it

    verified = regie("ledger", "verify", "--db", url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{transfers} transferts" in verified.stdout and "intègre" in verified.stdout
    with sqlite3.connect(tmp_path / "regie.sqlite3") as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    # A new session, the same command: card 3 laid again is finished.
    station = EncodingStation(url, "--count", "1")
    try:
        assert station.tap(chips[2]).startswith("RÉ-ENCODÉE")
        assert station.process.wait(timeout=30) == 0, station.statuses
    finally:
        if station.process.poll() is None:
            station.kill()
    cards = batch_cards(url)
    assert [c.encoding for c in cards] == [Encoding.ENCODED] * 3
    assert all(c.url_written and c.protected for c in cards)
    memory = bytes(chips[2].memory)
    assert ntag.url_in(memory[16:]) == cards[2].url
    assert memory[CFG0_NTAG215 * 4 + 3] == AUTH0_PROTECT_ALL
    assert regie("ledger", "verify", "--db", url).returncode == 0

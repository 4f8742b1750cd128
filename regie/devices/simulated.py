"""A reader that exists only in software, for machines without one and for demos.

It answers like a real one: each card laid is a software NTAG
(:class:`~regie.devices.simulated_ntag.SimulatedNtag`) that keeps its memory from one tap to
the next, and a thread of its own owns the reader as the PC/SC one does, so the encoder, the
card monitor and the desk work on it without pcscd. ``tap`` and ``lift`` are the hand laying
and lifting a card; they report at once, from the caller's thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from regie.devices.card_link import CardLink, LinkLost, NoCard
from regie.devices.ntag_layout import ACR122U_NTAG_ATR, CardKind
from regie.devices.reader_owner import ReaderOwner
from regie.devices.readers import EventSink, ReaderEvent, ReaderEventKind
from regie.devices.simulated_ntag import SimulatedNtag
from regie.i18n import N_, _

SIMULATED_READER = N_("Lecteur simulé")  # its name among the readers, translated where shown
NTAG_ATR = ACR122U_NTAG_ATR


def reader_name(name: str) -> str:
    """A reader's name as shown: the simulated one in the language on screen."""
    return _(name) if name == SIMULATED_READER else name


class SimulatedReader(ReaderOwner):
    """The simulated reader's owner thread: serves each card laid, then the jobs lent."""

    def __init__(self, reader: str) -> None:
        super().__init__(reader)
        self.card: SimulatedNtag | None = None
        self._laid = 0  # taps so far; the thread serves each new one once
        self._wakeup = threading.Event()

    def lay(self, card: SimulatedNtag | None) -> None:
        if card is not None:
            card.power_cycle()  # a card enters the field unauthenticated
        self.card = card
        if card is not None:
            self._laid += 1
            self._wake()

    def _wake(self) -> None:
        self._wakeup.set()

    def _run(self) -> None:
        served = 0
        while not self._stop.is_set():
            self._wakeup.wait()
            self._wakeup.clear()
            if self._stop.is_set():
                return
            if served != self._laid and self.card is not None:
                served = self._laid
                self._arrival += 1
                with contextlib.suppress(LinkLost), self._connect() as link:
                    self._serve_card(link)
            self._run_jobs()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[CardLink]:
        self._on_owner_thread()
        card = self.card
        if card is None:
            raise NoCard(_("pas de carte sur {name}").format(name=reader_name(self.reader)))

        def send(apdu: bytes) -> tuple[bytes, int, int]:
            self._on_owner_thread()
            if self.card is not card:
                raise LinkLost(_("carte retirée"))
            answer = card.process_apdu(apdu)
            return answer[:-2], answer[-2], answer[-1]

        yield CardLink(reader=self.reader, atr=card.atr, send=send)


class SimulatedBackend:
    """One simulated reader; ``tap`` and ``lift`` play a card on it."""

    name = "simulated"

    def __init__(self, reader: str = SIMULATED_READER) -> None:
        self.reader = reader
        self._emit: EventSink | None = None
        self._owner: SimulatedReader | None = None
        self.cards: dict[bytes, SimulatedNtag] = {}  # every card laid so far, by UID

    @property
    def card(self) -> bytes | None:
        """The UID of the card on the reader (None when empty)."""
        card = self._owner.card if self._owner is not None else None
        return card.uid if card is not None else None

    def start(self, emit: EventSink) -> None:
        self._emit = emit
        self._owner = SimulatedReader(self.reader)
        self._owner.start()
        emit(ReaderEvent(ReaderEventKind.READER_ADDED, self.name, reader=self.reader))

    def stop(self) -> None:
        if self._emit is not None:
            self.lift()
            self._emit(ReaderEvent(ReaderEventKind.READER_REMOVED, self.name, reader=self.reader))
        if self._owner is not None:
            self._owner.stop()
        self._emit, self._owner = None, None

    def owner(self, reader: str) -> ReaderOwner | None:
        return self._owner if reader == self.reader else None

    def new_card(self, kind: CardKind | str = CardKind.NTAG215) -> SimulatedNtag:
        """A blank card out of the box, with a UID of its own."""
        card = SimulatedNtag(kind)
        self.cards[card.uid] = card
        return card

    def tap(self, card: SimulatedNtag | bytes) -> SimulatedNtag:
        """Lay a card on the simulated reader (lifting any card already there).

        A UID alone lays the card of that UID laid before, or a new NTAG215 with that UID
        (a UID of 4 bytes: a MIFARE Classic).
        """
        self.lift()
        if isinstance(card, bytes):
            known = self.cards.get(card)
            kind = CardKind.NTAG215 if len(card) == 7 else CardKind.MIFARE_CLASSIC
            card = known if known is not None else SimulatedNtag(kind, card)
        self.cards[card.uid] = card
        if self._emit is not None and self._owner is not None:
            event = ReaderEvent(
                ReaderEventKind.CARD_INSERTED,
                self.name,
                reader=self.reader,
                atr=card.atr,
                uid=card.uid,
            )
            self._emit(event)
            self._owner.lay(card)
        return card

    def lift(self) -> None:
        if self._owner is None or self._owner.card is None:
            return
        self._owner.lay(None)
        if self._emit is not None:
            self._emit(ReaderEvent(ReaderEventKind.CARD_REMOVED, self.name, reader=self.reader))

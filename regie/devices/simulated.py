"""A reader that exists only in software, for machines without one and for demos."""

from __future__ import annotations

from regie.devices.readers import EventSink, ReaderEvent, ReaderEventKind
from regie.i18n import N_, _

SIMULATED_READER = N_("Lecteur simulé")  # its name among the readers, translated where shown
NTAG_ATR = bytes.fromhex("3B8F8001804F0CA0000003060300030000000068")


def reader_name(name: str) -> str:
    """A reader's name as shown: the simulated one in the language on screen."""
    return _(name) if name == SIMULATED_READER else name


class SimulatedBackend:
    """One simulated reader; ``tap`` and ``lift`` play a card on it."""

    name = "simulated"

    def __init__(self, reader: str = SIMULATED_READER) -> None:
        self.reader = reader
        self._emit: EventSink | None = None
        self.card: bytes | None = None

    def start(self, emit: EventSink) -> None:
        self._emit = emit
        emit(ReaderEvent(ReaderEventKind.READER_ADDED, self.name, reader=self.reader))

    def stop(self) -> None:
        if self._emit is not None:
            self.lift()
            self._emit(ReaderEvent(ReaderEventKind.READER_REMOVED, self.name, reader=self.reader))
        self._emit = None

    def tap(self, uid: bytes, atr: bytes = NTAG_ATR) -> None:
        """Lay a card on the simulated reader (lifting any card already there)."""
        self.lift()
        self.card = uid
        if self._emit is not None:
            event = ReaderEvent(
                ReaderEventKind.CARD_INSERTED, self.name, reader=self.reader, atr=atr, uid=uid
            )
            self._emit(event)

    def lift(self) -> None:
        if self.card is not None and self._emit is not None:
            self._emit(ReaderEvent(ReaderEventKind.CARD_REMOVED, self.name, reader=self.reader))
        self.card = None

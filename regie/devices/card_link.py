"""A card on a reader, as the card protocols see it: an ATR and a ``transmit`` function.

The thread that owns a reader (:mod:`regie.devices.reader_owner`) builds one of these for each
connection to the card on it and lends it to a job: the encoder's handler for every card laid,
or a one-off job asked through :meth:`regie.devices.manager.DeviceManager.lend`. A link is
only valid during the job, on the owner's thread. Losing the card or the reader in the middle
of an exchange raises :class:`LinkLost`; asking for a card when none lies there raises
:class:`NoCard`. Tests and benchmarks may build a link over any APDU function.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Transmit = Callable[[bytes], tuple[bytes, int, int]]


class LinkLost(Exception):
    """The card left the field, or the reader went away, during an exchange."""

    def __init__(self, message: str, *, reader_gone: bool = False) -> None:
        super().__init__(message)
        self.reader_gone = reader_gone


class NoCard(LinkLost):
    """No card lies on the reader (or it could not be connected to)."""


@dataclass
class CardLink:
    """One card on one reader for the length of one connection.

    ``transmit`` counts the APDUs and the time spent waiting for their answers, so that the
    encoding session can tell its own cost from the reader's.
    """

    reader: str
    atr: bytes
    send: Transmit
    apdus: int = 0
    apdu_seconds: float = 0.0

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        started = time.perf_counter()
        try:
            answer = self.send(apdu)
        finally:
            self.apdu_seconds += time.perf_counter() - started
            self.apdus += 1
        return answer


CardJob = Callable[[CardLink], Any]  # run on the reader's thread with the card lent
CardHandler = Callable[[CardLink], object]  # called for every card laid on a reader

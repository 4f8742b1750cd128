"""A card on a reader, as the card protocols see it: an ATR and a ``transmit`` function.

The PC/SC session (:mod:`regie.devices.pcsc_session`) hands one of these to its handler for
each card laid on the reader; tests and benchmarks may build one over any APDU function.
Losing the card or the reader in the middle of an exchange raises :class:`LinkLost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Transmit = Callable[[bytes], tuple[bytes, int, int]]


class LinkLost(Exception):
    """The card left the field, or the reader went away, during an exchange."""

    def __init__(self, message: str, *, reader_gone: bool = False) -> None:
        super().__init__(message)
        self.reader_gone = reader_gone


@dataclass
class CardLink:
    """One card on one reader for the length of one PC/SC connection.

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

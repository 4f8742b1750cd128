"""The encoding station's Qt adapter: one encoding session, a reader lent by the device
manager, and signals.

The device manager lends the reader (:meth:`~regie.devices.manager.DeviceManager.serve_cards`):
the reader's own thread runs every APDU and calls back from there; the callbacks only emit Qt
signals, which Qt queues to the GUI thread (the station lives there). The GUI never waits for
a card.

A session (its counts, its rate, the batch it follows) lasts from "Démarrer" to "Terminer";
"Pause" gives the reader back and keeps the session, so a stack of cards can be refilled.
"""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import QObject, Signal

from regie.cards.encoding import CardResult, EncodingOptions, EncodingSession, SessionStats
from regie.db import Database
from regie.devices.lease import LeaseStatus, ReaderLease
from regie.devices.manager import DeviceManager

log = logging.getLogger(__name__)


class Station(QObject):
    result = Signal(object)  # CardResult, on the GUI thread
    status = Signal(str, str)  # SessionStatus value, French message; the current reader only
    _result_from_reader = Signal(object)
    _status_from_reader = Signal(int, str, str)

    def __init__(self, db: Database, devices: DeviceManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.devices = devices
        self.session: EncodingSession | None = None
        self.reader: ReaderLease | None = None
        self._generation = 0
        self._result_from_reader.connect(self.result)
        self._status_from_reader.connect(self._reader_status)

    @property
    def open(self) -> bool:
        return self.session is not None

    @property
    def running(self) -> bool:
        return self.reader is not None

    @property
    def stats(self) -> SessionStats | None:
        return self.session.stats if self.session else None

    def begin(self, options: EncodingOptions, batch: str | None, first: str | None) -> str | None:
        """A new session; with a batch, the number of the first card it will pair."""
        session = EncodingSession(self.db, options, on_result=self._emit_result)
        following = session.follow_batch(batch, first) if batch else None
        self.session = session
        return following

    def start(self, reader: str | None) -> None:
        """Serve ``reader`` (None: the first one found) for the open session."""
        assert self.session is not None
        self.pause()
        self._generation += 1
        generation = self._generation
        self.reader = self.devices.serve_cards(
            reader,
            self.session.handle,
            lambda status, message: self._emit_status(generation, status, message),
        )

    def pause(self) -> None:
        """Give the reader back; the session (counts, next number) stays."""
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.release()  # a card being served finishes first (tens of ms)

    def end(self) -> SessionStats | None:
        self.pause()
        stats = self.stats
        self.session = None
        return stats

    def expect(self, scanned: str) -> str:
        """The next unknown chip is this printed card (its number or QR typed by a scanner)."""
        assert self.session is not None
        return self.session.expect_number(scanned)

    def next_number(self) -> str | None:
        return self.session.next_number() if self.session else None

    # -- from the reader's thread ------------------------------------------------------
    def _emit_result(self, result: CardResult) -> None:
        try:
            self._result_from_reader.emit(result)
        except RuntimeError:  # the screen is gone while a card was on the reader
            log.debug("encoding result after the station closed: %s", result.line())

    def _emit_status(self, generation: int, status: LeaseStatus, message: str) -> None:
        with contextlib.suppress(RuntimeError):  # the screen is gone
            self._status_from_reader.emit(generation, status.value, message)

    def _reader_status(self, generation: int, status: str, message: str) -> None:
        if generation == self._generation:  # not the late "stopped" of a reader paused
            self.status.emit(status, message)

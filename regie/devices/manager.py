"""The device manager: owns the reader backends, keeps what they report, lends their cards.

Backends report from their own threads; the manager hands every event to its listeners
on the asyncio loop it was given (the Qt main thread in the GUI), or at once without one.
Each reader has one owner thread (:mod:`regie.devices.reader_owner`); whoever needs the card
on a reader asks the manager, as Electrum's DeviceMgr hands out a client per request:
:meth:`DeviceManager.lend` runs one job with the card, :meth:`DeviceManager.serve_cards`
lends the reader to a handler for every card laid (the encoder) until the lease is released.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from regie.devices.card_link import CardHandler, CardJob, LinkLost
from regie.devices.lease import LeaseStatus, ReaderLease, StatusListener, match_reader
from regie.devices.reader_owner import ReaderOwner
from regie.devices.readers import CardReaderBackend, ReaderEvent, ReaderEventKind
from regie.devices.simulated import SIMULATED_READER, reader_name
from regie.i18n import _

log = logging.getLogger(__name__)

Listener = Callable[[ReaderEvent], None]


@dataclass
class ReaderState:
    name: str
    backend: str
    card_present: bool = False
    atr: bytes = b""
    uid: bytes = b""


@dataclass
class DeviceSnapshot:
    """What the status bar shows: is PC/SC up, which readers, which cards."""

    service_up: bool | None = None  # None until the first report
    service_detail: str = ""
    readers: dict[str, ReaderState] = field(default_factory=dict)


class DeviceManager:
    def __init__(
        self,
        backends: list[CardReaderBackend],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._backends = list(backends)
        self._loop = loop
        self._listeners: list[Listener] = []
        self.state = DeviceSnapshot()
        # Kept on the backends' threads, at once: which backend has which reader, the leases.
        self._lock = threading.RLock()
        self._readers: dict[str, CardReaderBackend] = {}
        self._leases: list[ReaderLease] = []

    @property
    def backends(self) -> list[CardReaderBackend]:
        return list(self._backends)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def start(self) -> None:
        for backend in self._backends:
            backend.start(self._from_backend)

    def stop(self) -> None:
        for backend in self._backends:
            try:
                backend.stop()
            except Exception:  # one broken backend must not keep the others running
                log.exception("arrêt du lecteur %s", backend.name)

    # -- lending the cards -----------------------------------------------------------------
    def reader_names(self) -> list[str]:
        """The readers plugged in now, as the backends know them this instant (the snapshot
        in ``state`` follows on the loop), real ones first."""
        with self._lock:
            return sorted(self._readers, key=lambda name: (name == SIMULATED_READER, name))

    def owner(self, reader: str) -> ReaderOwner | None:
        """The thread that owns ``reader`` (None if no backend has it now)."""
        with self._lock:
            backend = self._readers.get(reader)
            return backend.owner(reader) if backend is not None else None

    def lend(self, reader: str, job: CardJob) -> Future[Any]:
        """Run ``job`` with the card on ``reader``, on the reader's own thread."""
        owner = self.owner(reader)
        if owner is not None:
            return owner.lend(job)
        future: Future[Any] = Future()
        gone = _("lecteur {name} débranché").format(name=reader_name(reader))
        future.set_exception(LinkLost(gone, reader_gone=True))
        return future

    def serve_cards(
        self, wanted: str | None, handler: CardHandler, on_status: StatusListener | None = None
    ) -> ReaderLease:
        """Lend the reader ``wanted`` (exact name or a part of it; None: the first one) to
        ``handler``, called on the reader's thread for every card laid, the one lying there
        now included, until the lease is released. A reader not plugged in yet is waited for."""
        lease = ReaderLease(wanted, handler, on_status, self._end_lease)
        with self._lock:
            self._leases.append(lease)
            self._place(lease)
        return lease

    def _end_lease(self, lease: ReaderLease) -> None:
        with self._lock:
            if lease in self._leases:
                self._leases.remove(lease)

    def _place(self, lease: ReaderLease) -> None:
        # A real reader first: the simulated one when asked by name, or when alone.
        name = match_reader(lease.wanted, self.reader_names())
        owner = self.owner(name) if name is not None else None
        if name is None or owner is None:
            lease.missing()
        else:
            lease.attach(name, owner)

    def _follow(self, event: ReaderEvent) -> None:
        """Keep the readers and the leases up to date, on the backend's thread."""
        with self._lock:
            match event.kind:
                case ReaderEventKind.READER_ADDED:
                    named = [b for b in self._backends if b.name == event.backend]
                    if named:
                        self._readers[event.reader] = named[0]
                    for lease in self._leases:
                        if lease.owner is None:
                            self._place(lease)
                case ReaderEventKind.READER_REMOVED:
                    self._readers.pop(event.reader, None)
                    for lease in self._leases:
                        if lease.reader == event.reader and lease.owner is not None:
                            lease.detach()
                            lease.missing(gone=event.reader)
                            self._place(lease)
                case ReaderEventKind.SERVICE_DOWN:
                    for lease in self._leases:
                        if lease.owner is None:
                            lease.status(LeaseStatus.SERVICE_DOWN, event.detail)

    def _from_backend(self, event: ReaderEvent) -> None:
        self._follow(event)
        loop = self._loop
        if loop is None:
            self._dispatch(event)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed while the app quits
            loop.call_soon_threadsafe(self._dispatch, event)

    def _dispatch(self, event: ReaderEvent) -> None:
        self._apply(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("listener failed on %s", event)

    def _apply(self, event: ReaderEvent) -> None:
        readers = self.state.readers
        match event.kind:
            case ReaderEventKind.SERVICE_UP:
                self.state.service_up, self.state.service_detail = True, ""
            case ReaderEventKind.SERVICE_DOWN:
                self.state.service_up, self.state.service_detail = False, event.detail
            case ReaderEventKind.READER_ADDED:
                readers[event.reader] = ReaderState(event.reader, event.backend)
            case ReaderEventKind.READER_REMOVED:
                readers.pop(event.reader, None)
            case ReaderEventKind.CARD_INSERTED:
                reader = readers.setdefault(event.reader, ReaderState(event.reader, event.backend))
                reader.card_present, reader.atr, reader.uid = True, event.atr, event.uid
            case ReaderEventKind.CARD_REMOVED:
                if event.reader in readers:
                    reader = readers[event.reader]
                    reader.card_present, reader.atr, reader.uid = False, b"", b""

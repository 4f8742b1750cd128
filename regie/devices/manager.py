"""The device manager: owns the reader backends and keeps what they report.

Backends report from their own threads; the manager hands every event to its listeners
on the asyncio loop it was given (the Qt main thread in the GUI), or at once without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from regie.devices.readers import CardReaderBackend, ReaderEvent, ReaderEventKind

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

    def _from_backend(self, event: ReaderEvent) -> None:
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

"""The real card readers, through pcscd and pyscard.

A watcher thread lists the readers and waits on the PnP pseudo-reader for hotplug; it reports
pcscd going and coming back, and gives each reader an owner thread of its own
(:class:`~regie.devices.pcsc_reader.PcscReader`), the only code that connects to that reader's
cards. The watcher itself never touches a card.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from regie.devices.pcsc_reader import RETRY_SECONDS, WAIT_MS, PcscReader, describe
from regie.devices.reader_owner import ReaderOwner
from regie.devices.readers import EventSink, ReaderEvent, ReaderEventKind

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"


class PcscBackend:
    """Watches the PC/SC readers and owns one thread per reader."""

    name = "pcsc"

    def __init__(self, read_uid: bool = True) -> None:
        self._read_uid = read_uid
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: Any = None
        self._lock = threading.Lock()
        self._owners: dict[str, PcscReader] = {}

    def start(self, emit: EventSink) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(emit,), name="pcsc-readers", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        from smartcard import scard

        self._stop.set()
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def owner(self, reader: str) -> ReaderOwner | None:
        with self._lock:
            return self._owners.get(reader)

    def _run(self, emit: EventSink) -> None:
        from smartcard import scard

        service_up: bool | None = None
        try:
            while not self._stop.is_set():
                hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if hresult != scard.SCARD_S_SUCCESS:
                    if service_up is not False:
                        emit(self._event(ReaderEventKind.SERVICE_DOWN, detail=describe(hresult)))
                        service_up = False
                    self._stop.wait(RETRY_SECONDS)
                    continue
                with self._lock:
                    self._context = context
                emit(self._event(ReaderEventKind.SERVICE_UP))
                service_up = True
                try:
                    reason = self._watch(context, emit)
                finally:
                    with self._lock:
                        self._context = None
                    scard.SCardReleaseContext(context)
                if reason:
                    self._forget(list(self._owners), emit)
                    emit(self._event(ReaderEventKind.SERVICE_DOWN, detail=reason))
                    service_up = False
                    self._stop.wait(RETRY_SECONDS)
        finally:
            self._forget(list(self._owners), emit)

    def _watch(self, context: Any, emit: EventSink) -> str:
        """Follow the readers until stopped; return why the service was lost ("" when stopped)."""
        from smartcard import scard

        lost = (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED)
        pnp = (PNP_READER, scard.SCARD_STATE_UNAWARE)
        while not self._stop.is_set():
            hresult, names = scard.SCardListReaders(context, [])
            if hresult in lost:
                return describe(hresult)
            names = list(names) if hresult == scard.SCARD_S_SUCCESS else []
            for name in names:
                if name not in self._owners:
                    self._adopt(name, emit)
            self._forget([name for name in self._owners if name not in names], emit)
            hresult, states = scard.SCardGetStatusChange(context, WAIT_MS, [pnp])
            if hresult in lost:
                return describe(hresult)
            if hresult == scard.SCARD_E_CANCELLED:
                return ""
            if hresult == scard.SCARD_S_SUCCESS:
                pnp = (PNP_READER, int(states[0][1]) & ~scard.SCARD_STATE_CHANGED)
        return ""

    def _adopt(self, name: str, emit: EventSink) -> None:
        owner = PcscReader(name, emit, read_uid=self._read_uid)
        with self._lock:
            self._owners[name] = owner
        emit(self._event(ReaderEventKind.READER_ADDED, reader=name))  # before its cards
        owner.start()

    def _forget(self, names: list[str], emit: EventSink) -> None:
        for name in names:
            with self._lock:
                owner = self._owners.pop(name)
            owner.stop()  # reports the card lifted, if one was there
            emit(self._event(ReaderEventKind.READER_REMOVED, reader=name))

    def _event(self, kind: ReaderEventKind, **fields: Any) -> ReaderEvent:
        return ReaderEvent(kind=kind, backend=self.name, **fields)

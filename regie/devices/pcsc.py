"""The real card readers, through pcscd and pyscard.

One thread watches every reader with ``SCardGetStatusChange`` (the PnP pseudo-reader wakes
it on hotplug) and reports events; it re-connects by itself when pcscd comes back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from regie.devices.readers import GET_UID_APDU, EventSink, ReaderEvent, ReaderEventKind
from regie.i18n import _

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
WAIT_MS = 500
RETRY_SECONDS = 1.0


def uid_of(reader: str) -> bytes:
    """Read the UID of the card on ``reader`` (empty if it cannot be read)."""
    from smartcard.System import readers as list_readers

    for candidate in list_readers():
        if str(candidate) != reader:
            continue
        connection = candidate.createConnection()
        try:
            connection.connect()
            data, sw1, sw2 = connection.transmit(GET_UID_APDU)
            return bytes(data) if (sw1, sw2) == (0x90, 0x00) else b""
        except Exception:  # the card left before we could read it: not an error worth raising
            return b""
        finally:
            with contextlib.suppress(Exception):
                connection.disconnect()
    return b""


class PcscBackend:
    """Watches the PC/SC readers on a thread of its own."""

    name = "pcsc"

    def __init__(self, read_uid: bool = True) -> None:
        self._read_uid = read_uid
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: Any = None
        self._lock = threading.Lock()

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

    def _run(self, emit: EventSink) -> None:
        from smartcard import scard

        service_up: bool | None = None
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                if service_up is not False:
                    emit(self._event(ReaderEventKind.SERVICE_DOWN, detail=_describe(hresult)))
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
                emit(self._event(ReaderEventKind.SERVICE_DOWN, detail=reason))
                service_up = False
                self._stop.wait(RETRY_SECONDS)

    def _watch(self, context: Any, emit: EventSink) -> str:
        """Report changes until stopped; return why the service was lost ("" when stopped)."""
        from smartcard import scard

        known: dict[str, bool] = {}  # reader -> card present
        states: list[Any] = []
        lost = (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED)
        while not self._stop.is_set():
            hresult, names = scard.SCardListReaders(context, [])
            if hresult in lost:
                self._forget(known, emit)
                return _describe(hresult)
            names = list(names) if hresult == scard.SCARD_S_SUCCESS else []
            for name in names:
                if name not in known:
                    known[name] = False
                    emit(self._event(ReaderEventKind.READER_ADDED, reader=name))
            for name in [n for n in known if n not in names]:
                if known.pop(name):
                    emit(self._event(ReaderEventKind.CARD_REMOVED, reader=name))
                emit(self._event(ReaderEventKind.READER_REMOVED, reader=name))
            previous = {state[0]: state for state in states}
            states = [previous.get(name, (name, scard.SCARD_STATE_UNAWARE)) for name in names]
            states.append(previous.get(PNP_READER, (PNP_READER, scard.SCARD_STATE_UNAWARE)))
            hresult, new_states = scard.SCardGetStatusChange(context, WAIT_MS, states)
            if hresult in lost:
                self._forget(known, emit)
                return _describe(hresult)
            if hresult == scard.SCARD_E_CANCELLED:
                return ""
            if hresult != scard.SCARD_S_SUCCESS:
                continue  # timeout or a reader that vanished: list again
            states = [self._report(state, known, emit) for state in new_states]
        return ""

    def _report(self, state: Any, known: dict[str, bool], emit: EventSink) -> Any:
        from smartcard import scard

        name, event_state, atr = state
        if name == PNP_READER or name not in known:
            return (name, event_state)
        present = bool(event_state & scard.SCARD_STATE_PRESENT) and not (
            event_state & scard.SCARD_STATE_MUTE
        )
        if present and not known[name]:
            known[name] = True
            uid = uid_of(name) if self._read_uid else b""
            emit(self._event(ReaderEventKind.CARD_INSERTED, reader=name, atr=bytes(atr), uid=uid))
        elif not present and known[name]:
            known[name] = False
            emit(self._event(ReaderEventKind.CARD_REMOVED, reader=name))
        return (name, event_state)

    def _forget(self, known: dict[str, bool], emit: EventSink) -> None:
        for name, present in list(known.items()):
            if present:
                emit(self._event(ReaderEventKind.CARD_REMOVED, reader=name))
            emit(self._event(ReaderEventKind.READER_REMOVED, reader=name))
        known.clear()

    def _event(self, kind: ReaderEventKind, **fields: Any) -> ReaderEvent:
        return ReaderEvent(kind=kind, backend=self.name, **fields)


def _describe(hresult: int) -> str:
    from smartcard import scard

    if hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
        return _("le service pcscd ne répond pas")
    return str(scard.SCardGetErrorMessage(hresult))

"""One PC/SC reader and the thread that owns it: its own context, the only connections to it.

The thread waits on the reader's state with ``SCardGetStatusChange``; for each card laid it
connects exclusively (the card stays powered, as an NTAG's PWD_AUTH needs), reads its UID,
reports it, hands the card to the borrowing handler (the encoder), then disconnects. Jobs lent
by the device manager wake it (``SCardCancel``) and run between two cards, each over its own
connection. The hotplug watcher (:mod:`regie.devices.pcsc`) starts and stops this thread as
the reader comes and goes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from regie.devices.card_link import CardLink, LinkLost, NoCard
from regie.devices.reader_owner import ReaderOwner
from regie.devices.readers import GET_UID_APDU, EventSink, ReaderEvent, ReaderEventKind
from regie.i18n import _

log = logging.getLogger(__name__)

WAIT_MS = 500
RETRY_SECONDS = 1.0


class PcscReader(ReaderOwner):
    """The owner of one PC/SC reader; reports its cards through ``emit``."""

    def __init__(self, reader: str, emit: EventSink, *, read_uid: bool = True) -> None:
        super().__init__(reader)
        self._emit = emit
        self._read_uid = read_uid
        self._lock = threading.Lock()
        self._context: Any = None
        self._card: tuple[Any, int] | None = None  # the context and counter of the card laid
        self._reported = False  # a CARD_INSERTED is out, its CARD_REMOVED is not

    def _wake(self) -> None:
        from smartcard import scard

        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)

    def _run(self) -> None:
        from smartcard import scard

        try:
            while not self._stop.is_set():
                hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if hresult != scard.SCARD_S_SUCCESS:
                    self._fail_jobs()  # no card to lend while pcscd is down
                    self._stop.wait(RETRY_SECONDS)  # the watcher tells the user
                    continue
                with self._lock:
                    self._context = context
                try:
                    self._watch(context)
                finally:
                    with self._lock:
                        self._context = None
                    scard.SCardReleaseContext(context)
                    self._card = None
                    self._card_left()
                self._stop.wait(RETRY_SECONDS)
        finally:
            self._card_left()

    def _watch(self, context: Any) -> None:
        """Serve cards and jobs until stopped, or until the reader or pcscd fails (return)."""
        from smartcard import scard

        known = scard.SCARD_STATE_UNAWARE
        served: int | None = None  # pcsc-lite's card event counter of the card served
        while not self._stop.is_set():
            self._run_jobs()
            hresult, states = scard.SCardGetStatusChange(context, WAIT_MS, [(self.reader, known)])
            if hresult in (scard.SCARD_E_CANCELLED, scard.SCARD_E_TIMEOUT):
                continue  # stopped, or jobs to run: the loop looks
            if hresult != scard.SCARD_S_SUCCESS:
                return
            event = int(states[0][1])
            if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                return
            known = event & ~scard.SCARD_STATE_CHANGED
            present = bool(event & scard.SCARD_STATE_PRESENT) and not (
                event & scard.SCARD_STATE_MUTE
            )
            counter = event >> 16
            if not present:
                served, self._card = None, None
                self._card_left()
            elif served != counter:
                served, self._card = counter, (context, counter)
                self._arrival += 1
                self._card_laid(bytes(states[0][2] or b""))

    def _card_laid(self, atr: bytes) -> None:
        uid = b""
        try:
            with self._connect() as link:
                if self._read_uid:
                    data, sw1, sw2 = link.send(bytes(GET_UID_APDU))
                    uid = data if (sw1, sw2) == (0x90, 0x00) else b""
                self._report(ReaderEventKind.CARD_INSERTED, atr=link.atr or atr, uid=uid)
                self._serve_card(CardLink(reader=self.reader, atr=link.atr or atr, send=link.send))
        except LinkLost as lost:  # the card left already, or another program holds it
            log.info("carte sur %s : %s", self.reader, lost)
            if not self._reported:
                self._report(ReaderEventKind.CARD_INSERTED, atr=atr, uid=uid)

    def _card_left(self) -> None:
        if self._reported:
            self._report(ReaderEventKind.CARD_REMOVED)

    def _report(self, kind: ReaderEventKind, **fields: Any) -> None:
        self._reported = kind is ReaderEventKind.CARD_INSERTED
        self._emit(ReaderEvent(kind=kind, backend="pcsc", reader=self.reader, **fields))

    @contextlib.contextmanager
    def _connect(self) -> Iterator[CardLink]:
        from smartcard import scard

        self._on_owner_thread()
        if self._card is None:
            raise NoCard(_("pas de carte sur {name}").format(name=self.reader))
        context = self._card[0]
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hresult, card, protocol = scard.SCardConnect(
            context, self.reader, scard.SCARD_SHARE_EXCLUSIVE, protocols
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise NoCard(describe(hresult), reader_gone=_reader_gone(hresult))
        try:
            hresult, _name, _state, _protocol, atr = scard.SCardStatus(card)
            pci = scard.SCARD_PCI_T1 if protocol == scard.SCARD_PROTOCOL_T1 else scard.SCARD_PCI_T0

            def send(apdu: bytes) -> tuple[bytes, int, int]:
                self._on_owner_thread()
                hresult, response = scard.SCardTransmit(card, pci, list(apdu))
                if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
                    raise LinkLost(describe(hresult), reader_gone=_reader_gone(hresult))
                return bytes(response[:-2]), response[-2], response[-1]

            yield CardLink(reader=self.reader, atr=bytes(atr or b""), send=send)
        finally:
            with contextlib.suppress(Exception):
                scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def _reader_gone(hresult: int) -> bool:
    from smartcard import scard

    return hresult in (
        scard.SCARD_E_READER_UNAVAILABLE,
        scard.SCARD_E_UNKNOWN_READER,
        scard.SCARD_E_NO_SERVICE,
        scard.SCARD_E_SERVICE_STOPPED,
    )


def describe(hresult: int) -> str:
    """pcsc-lite's words for an error code; a plain sentence for pcscd gone."""
    from smartcard import scard

    if hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
        return _("le service pcscd ne répond pas")
    return str(scard.SCardGetErrorMessage(hresult))

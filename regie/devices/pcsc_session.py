"""An exclusive session on one PC/SC reader: a thread that owns it and serves each card.

For each card laid on the reader, the thread connects exclusively (no other application
can slip an APDU between ours, and the card stays powered: an NTAG loses its PWD_AUTH when
pcscd powers it down), hands a :class:`~regie.devices.card_link.CardLink` to the handler,
disconnects, and waits for the card to leave before serving the next one. A reader that
disappears, or pcscd stopping, is reported through ``on_status`` and the thread waits for
them to come back; ``stop()`` ends it from any thread.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from regie.devices.card_link import CardLink, LinkLost
from regie.i18n import _

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
WAIT_MS = 500
SHARING_RETRY_SECONDS = 1.0


class SessionStatus(enum.StrEnum):
    READY = "ready"  # reader found, waiting for a card
    READER_MISSING = "reader_missing"
    SERVICE_DOWN = "service_down"
    STOPPED = "stopped"


CardHandler = Callable[[CardLink], object]
StatusListener = Callable[[SessionStatus, str], None]


def available_readers() -> list[str]:
    """The PC/SC readers pcscd lists now ([] if pcscd does not answer)."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return []
    try:
        hresult, names = scard.SCardListReaders(context, [])
        return list(names) if hresult == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


def match_reader(wanted: str | None, names: list[str]) -> str | None:
    """The reader meant by ``wanted``: exact name, else the only one containing it."""
    if wanted is None:
        return names[0] if names else None
    if wanted in names:
        return wanted
    matches = [name for name in names if wanted.lower() in name.lower()]
    return matches[0] if len(matches) == 1 else None


class PcscReaderSession:
    """One reader, one thread; ``handler`` runs on that thread for every card."""

    def __init__(
        self,
        reader: str | None,
        handler: CardHandler,
        on_status: StatusListener | None = None,
    ) -> None:
        self.wanted = reader
        self.reader: str | None = None  # the resolved name, once found
        self._handler = handler
        self._on_status = on_status
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: Any = None
        self._lock = threading.Lock()
        self._last_status: tuple[SessionStatus, str] | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"pcsc-session-{self.wanted or 'auto'}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        from smartcard import scard

        self._stop.set()
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _status(self, status: SessionStatus, message: str) -> None:
        if (status, message) == self._last_status:
            return
        self._last_status = (status, message)
        if self._on_status is not None:
            try:
                self._on_status(status, message)
            except Exception:
                log.exception("on_status")

    # ------------------------------------------------------------------ thread

    def _run(self) -> None:
        from smartcard import scard

        try:
            while not self._stop.is_set():
                hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if hresult != scard.SCARD_S_SUCCESS:
                    self._status(SessionStatus.SERVICE_DOWN, _("le service pcscd ne répond pas"))
                    self._stop.wait(1.0)
                    continue
                with self._lock:
                    self._context = context
                try:
                    self._serve(context)
                finally:
                    with self._lock:
                        self._context = None
                    scard.SCardReleaseContext(context)
                if not self._stop.is_set():
                    self._stop.wait(0.5)
        finally:
            self._status(SessionStatus.STOPPED, _("session arrêtée"))

    def _serve(self, context: Any) -> None:
        """Serve cards until stopped, or until pcscd goes away (then return)."""
        from smartcard import scard

        lost = (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED)
        while not self._stop.is_set():
            hresult, names = scard.SCardListReaders(context, [])
            if hresult in lost:
                self._status(SessionStatus.SERVICE_DOWN, _("le service pcscd ne répond pas"))
                return
            names = (
                [n for n in names if n != PNP_READER] if hresult == scard.SCARD_S_SUCCESS else []
            )
            name = match_reader(self.wanted, names)
            if name is None:
                wanted = f"« {self.wanted} »" if self.wanted else _("de cartes")
                self._status(
                    SessionStatus.READER_MISSING,
                    _("lecteur {wanted} introuvable : branchez-le (la session attend)").format(
                        wanted=wanted
                    ),
                )
                self._stop.wait(0.5)
                continue
            self.reader = name
            self._status(SessionStatus.READY, _("{name} : posez une carte").format(name=name))
            if self._watch(context, name) == "service":
                self._status(SessionStatus.SERVICE_DOWN, _("le service pcscd ne répond pas"))
                return

    def _watch(self, context: Any, name: str) -> str:
        """Serve the cards of one reader; return "reader" or "service" when it goes."""
        from smartcard import scard

        known = scard.SCARD_STATE_UNAWARE
        served: int | None = None  # pcsc-lite's card event counter of the card served
        while not self._stop.is_set():
            hresult, states = scard.SCardGetStatusChange(context, WAIT_MS, [(name, known)])
            if hresult == scard.SCARD_E_CANCELLED:
                return "stopped"
            if hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
                return "service"
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                self._status(
                    SessionStatus.READER_MISSING, _("lecteur {name} débranché").format(name=name)
                )
                return "reader"
            event = int(states[0][1])
            if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                self._status(
                    SessionStatus.READER_MISSING, _("lecteur {name} débranché").format(name=name)
                )
                return "reader"
            known = event & ~scard.SCARD_STATE_CHANGED
            present = bool(event & scard.SCARD_STATE_PRESENT) and not (
                event & scard.SCARD_STATE_MUTE
            )
            counter = event >> 16
            if not present:
                served = None
                self._status(SessionStatus.READY, _("{name} : posez une carte").format(name=name))
            elif served != counter:
                served = counter
                if self._serve_card(context, name) == "reader":
                    self._status(
                        SessionStatus.READER_MISSING,
                        _("lecteur {name} débranché").format(name=name),
                    )
                    return "reader"
        return "stopped"

    def _serve_card(self, context: Any, name: str) -> str:
        from smartcard import scard

        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        deadline = time.monotonic() + SHARING_RETRY_SECONDS
        while True:
            hresult, card, protocol = scard.SCardConnect(
                context, name, scard.SCARD_SHARE_EXCLUSIVE, protocols
            )
            # The status-bar monitor may hold the card for a moment to read its UID.
            if hresult != scard.SCARD_E_SHARING_VIOLATION or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if hresult in (scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER):
            return "reader"
        if hresult != scard.SCARD_S_SUCCESS:
            log.info("connexion à la carte sur %s : %s", name, _describe(hresult))
            return "card"  # the card left already, or does not answer: wait for the next
        try:
            hresult, _reader, _state, _protocol, atr = scard.SCardStatus(card)
            pci = scard.SCARD_PCI_T1 if protocol == scard.SCARD_PROTOCOL_T1 else scard.SCARD_PCI_T0
            reader_gone = False

            def send(apdu: bytes) -> tuple[bytes, int, int]:
                nonlocal reader_gone
                hresult, response = scard.SCardTransmit(card, pci, list(apdu))
                if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
                    reader_gone = hresult in (
                        scard.SCARD_E_READER_UNAVAILABLE,
                        scard.SCARD_E_UNKNOWN_READER,
                        scard.SCARD_E_NO_SERVICE,
                        scard.SCARD_E_SERVICE_STOPPED,
                    )
                    raise LinkLost(_describe(hresult), reader_gone=reader_gone)
                return bytes(response[:-2]), response[-2], response[-1]

            link = CardLink(reader=name, atr=bytes(atr or b""), send=send)
            try:
                self._handler(link)
            except Exception:  # the handler reports its own failures; a bug must not kill us
                log.exception("traitement de la carte sur %s", name)
            return "reader" if reader_gone else "card"
        finally:
            with contextlib.suppress(Exception):
                scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def _describe(hresult: int) -> str:
    from smartcard import scard

    return str(scard.SCardGetErrorMessage(hresult))

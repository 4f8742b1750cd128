"""A virtual NFC card behind a virtual ACR122U, talking to the real pcscd through vpcd.

The vsmartcard ``vpcd`` driver makes pcscd show the readers "Virtual PCD 00 00" and
"Virtual PCD 00 01", fed by TCP 127.0.0.1:35963 and :35964. vpcd is the server; a virtual
card is a client: connecting inserts the card, closing the socket removes it. Frames both
ways are a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is control
(0 power off, 1 power on, 2 reset, 4 get ATR: reply with the ATR); power off/on/reset get no
reply. Anything longer is an APDU: reply with the response APDU (data + SW1 SW2).
pcscd checks that the card is still there by asking for the ATR every ~400 ms.

The chip and the ACR122U firmware in front of it are Régie's own software card,
:class:`regie.devices.simulated_ntag.SimulatedNtag` (its module doc lists the APDUs): the
simulated reader and this rig answer with the same model. This module adds the vpcd link,
the power cycles pcscd drives (power off, on and reset end the authentication: PWD_AUTH and
the protected writes must happen in one PC/SC connection), and fault injection.

Run by hand: ``python -m tests.rig.vcard --kind ntag215 --uid 04A1B2C3D4E5F6 --port 35963``
keeps a card in the reader until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import signal
import socket
import struct
import tempfile
import threading
import time
from types import TracebackType

from regie.devices.ntag_layout import (
    ACCESS_PROT,
    ACR122U_CLASSIC_1K_ATR,
    ACR122U_NTAG_ATR,
    CardKind,
    NtagLayout,
    factory_memory,
    pcsc_storage_card_atr,
)
from regie.devices.simulated_ntag import SimulatedNtag

__all__ = [
    "ACR122U_CLASSIC_1K_ATR",
    "ACR122U_NTAG_ATR",
    "VPCD_HOST",
    "VPCD_PORT",
    "CardKind",
    "NtagLayout",
    "VirtualCard",
    "VirtualCardError",
    "pcsc_storage_card_atr",
]

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # slot 0 ("Virtual PCD 00 00"); slot n listens on VPCD_PORT + n

# vpcd control bytes
_CTRL_OFF = 0
_CTRL_ON = 1
_CTRL_RESET = 2
_CTRL_ATR = 4


class VirtualCardError(RuntimeError):
    """The virtual card could not be inserted (vpcd not listening, pcscd not polling...)."""


class VirtualCard(SimulatedNtag):
    """An NTAG213/215/216 or MIFARE Classic 1K behind a virtual ACR122U (see module doc).

    ``insert()`` connects to vpcd from a daemon thread; ``remove()`` closes the socket. The
    memory survives removal: ``insert()`` again brings the same card back. ``memory`` is the
    raw page memory (tests may read or patch it); ``apdu_count`` counts answered APDUs.
    """

    def __init__(
        self,
        kind: CardKind | str = CardKind.NTAG215,
        uid: bytes | None = None,
        port: int = VPCD_PORT,
        *,
        host: str = VPCD_HOST,
        reader: str | None = None,
    ) -> None:
        super().__init__(kind, uid)
        self.host = host
        self.port = port
        self.reader = reader  # PC/SC reader name; derived from the port when None
        self.apdu_count = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._live = False  # the card answers (between insert and removal)
        self._powered = threading.Event()  # power-on + ATR answered in this session
        self._power_on_seen = False
        self._yank_after: int | None = None
        self._held_write: tuple[threading.Event, int | None, bool] | None = None

    @property
    def inserted(self) -> bool:
        return self._live

    def factory_reset(self) -> None:
        """Back to the factory memory (same UID), unauthenticated; ``apdu_count`` is kept."""
        with self._lock:
            self.memory[:] = factory_memory(self.kind, self.uid)
            self._authenticated = False
            self._auth_failures = 0

    def _ntag_layout(self, what: str) -> NtagLayout:
        if self.layout is None:
            raise TypeError(f"{what}: a {self.kind} has no NTAG memory map")
        return self.layout

    def set_password(self, pwd: bytes, pack: bytes, auth0: int, *, prot: bool = False) -> None:
        """Preset protection as if a previous encoding had written PWD, PACK, AUTH0, ACCESS.

        Writes to pages >= ``auth0`` then need PWD_AUTH in the same power cycle; with
        ``prot`` reads of those pages need it too. ``auth0`` 0xFF (or past the end) = off.
        """
        lay = self._ntag_layout("set_password")
        if len(pwd) != 4 or len(pack) != 2 or not 0 <= auth0 <= 0xFF:
            raise ValueError("pwd is 4 bytes, pack 2 bytes, auth0 a page number 0..255")
        with self._lock:
            self.memory[lay.pwd * 4 : lay.pwd * 4 + 4] = pwd
            self.memory[lay.pack * 4 : lay.pack * 4 + 2] = pack
            self.memory[lay.cfg0 * 4 + 3] = auth0
            access = self.memory[lay.cfg1 * 4]
            self.memory[lay.cfg1 * 4] = (access | ACCESS_PROT) if prot else (access & 0x7F)
            self._authenticated = False

    # --------------------------------------------------------------- vpcd link

    def insert(self, timeout: float = 5.0, *, busy_timeout: float = 30.0) -> None:
        """Put the card on the reader; return once pcscd has powered it and read its ATR.

        vpcd serves one card per reader, so a card holds an exclusive lock on its reader
        (``flock`` on ``/tmp/regie-vcard-locks/<host>-<port>.lock``, across processes and
        xdist workers)
        from ``insert()`` until it has left the reader; ``insert()`` waits up to
        ``busy_timeout`` seconds for another virtual card to leave.

        Raises VirtualCardError if the reader stays busy, vpcd does not listen on the port,
        or pcscd does not power the card within ``timeout`` seconds. A no-op if the card is
        already inserted.
        """
        with self._lock:
            if self._live:
                return
        self._join_thread(timeout=2.0)
        lock_fd = self._acquire_reader_lock(busy_timeout)
        try:
            # pcscd must have seen the previous card (this one, yanked, or another) leave:
            # if we connected before that, vpcd could accept us at the very poll that drops
            # the previous socket after a failed transmit, pcscd would see no removal and
            # never power the new card.
            self._wait_reader(present=False, timeout=2.0)
            try:
                sock = socket.create_connection((self.host, self.port), timeout=timeout)
            except OSError as exc:
                raise VirtualCardError(
                    f"vpcd does not listen on {self.host}:{self.port} ({exc}): is pcscd "
                    "running with the vsmartcard-vpcd driver? Start it with: "
                    "rm -rf /run/pcscd; mkdir -p /run/pcscd; pcscd --foreground &"
                ) from exc
        except BaseException:
            os.close(lock_fd)
            raise
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock
            self._live = True
            self._authenticated = False
            self._yank_after = None
            self._power_on_seen = False
            self._powered.clear()
            self._thread = threading.Thread(
                target=self._serve,
                args=(sock, lock_fd),
                name=f"vcard-{self.port}",
                daemon=True,
            )
            self._thread.start()
        if not self._powered.wait(timeout):
            self.remove(wait=False)
            raise VirtualCardError(
                f"pcscd did not power the card on {self.host}:{self.port} within {timeout} s "
                "(a card not made by this module on the reader? pcscd not polling vpcd?)"
            )
        self._wait_reader(present=True, timeout=1.0)
        log.debug("card %s inserted on port %d", self.uid.hex().upper(), self.port)

    def _acquire_reader_lock(self, busy_timeout: float) -> int:
        lock_dir = os.path.join(tempfile.gettempdir(), "regie-vcard-locks")
        with contextlib.suppress(OSError):
            os.mkdir(lock_dir)
            os.chmod(lock_dir, 0o1777)  # shared by all users, like /tmp
        path = os.path.join(lock_dir, f"{self.host}-{self.port}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:  # created by another user: a read-only fd locks too
            fd = os.open(path, os.O_RDONLY)
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                    os.close(fd)
                    raise VirtualCardError(
                        f"the reader on port {self.port} stayed busy for {busy_timeout} s: "
                        f"another virtual card is on it ({path}: {holder or '?'})"
                    ) from None
                time.sleep(0.02)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} {self!r}\n".encode(), 0)
        return fd

    def remove(self, wait: bool = True) -> None:
        """Take the card off the reader (close the socket). Memory is kept.

        With ``wait`` (the default), return once pcscd has seen the reader empty, so that a
        following PC/SC status check or ``insert()`` sees a clean removal.
        """
        thread = self._thread
        if not self._live and (thread is None or not thread.is_alive()):
            return  # not on the reader
        self._yank()
        if wait:
            self._join_thread(timeout=2.0)
            self._wait_reader(present=False, timeout=2.0)

    def remove_after(self, n_apdus: int) -> None:
        """Fault injection: answer ``n_apdus`` more APDUs, then leave the field at once.

        The card is yanked right AFTER sending the n-th answer: the host gets that answer,
        the (n+1)-th APDU fails on the host side (pcscd reports a communication error or a
        removed card) and never reaches the card, so it changes nothing in memory.
        ``remove_after(0)`` yanks the card now.
        """
        if n_apdus < 0:
            raise ValueError("n_apdus must be >= 0")
        with self._lock:
            if n_apdus == 0:
                self._yank()
            else:
                self._yank_after = n_apdus

    def hold_next_write(self, page: int | None = None, *, applied: bool = False) -> threading.Event:
        """Fault injection: the next UPDATE BINARY (``FF D6``, to ``page`` if given) hangs.

        Armed until that write comes (call it before ``insert()``). The card never answers it,
        as a chip whose host was killed mid-write: the returned event is set once the write
        has arrived, and the card answers nothing more until it is removed. With ``applied``
        the chip did take the write (only its answer is lost); otherwise the page keeps its
        old bytes.
        """
        held = threading.Event()
        with self._lock:
            self._held_write = (held, page, applied)
        return held

    def _yank(self) -> None:
        """Stop answering and shut the socket down (FIN after any answer already sent).

        The serving thread wakes up and closes the socket. vpcd notices at its next send
        (presence poll or APDU) and ejects the card; pcscd then reports the reader empty.
        """
        with self._lock:
            self._live = False
            self._yank_after = None
            self._authenticated = False
            sock = self._sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _join_thread(self, timeout: float) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _serve(self, sock: socket.socket, lock_fd: int) -> None:
        try:
            while self._live:
                frame = self._recv_frame(sock)
                if frame is None:
                    break
                self._handle_frame(sock, frame)
        except OSError:
            pass
        finally:
            with self._lock:
                self._live = False
                if self._sock is sock:
                    self._sock = None
            sock.close()
            os.close(lock_fd)  # the reader is free for the next card
            log.debug("card %s left port %d", self.uid.hex().upper(), self.port)

    def _recv_exact(self, sock: socket.socket, size: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < size:
            # Linux falls back to delayed ACKs after each segment: ask again before each recv,
            # or every exchange waits ~40 ms for vpcd's next segment to be acknowledged.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = sock.recv(size - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _recv_frame(self, sock: socket.socket) -> bytes | None:
        header = self._recv_exact(sock, 2)
        if header is None:
            return None
        (length,) = struct.unpack(">H", header)
        return self._recv_exact(sock, length) if length else b""

    def _handle_frame(self, sock: socket.socket, frame: bytes) -> None:
        hold = self._held_write
        if hold is not None and frame[:2] == b"\xff\xd6" and hold[1] in (None, *frame[3:4]):
            held, _page, applied = hold
            if applied:
                with self._lock:
                    self._process(frame)
            held.set()  # hang here, the lock free, until remove() shuts the socket
            while self._live:
                time.sleep(0.05)
            self._held_write = None
            return
        with self._lock:
            if not self._live:
                return
            if len(frame) == 1:
                ctrl = frame[0]
                if ctrl == _CTRL_ATR:
                    sock.sendall(struct.pack(">H", len(self.atr)) + self.atr)
                    if self._power_on_seen:  # pcscd powered us and read the ATR
                        self._powered.set()
                elif ctrl in (_CTRL_OFF, _CTRL_ON, _CTRL_RESET):
                    self._authenticated = False
                    if ctrl == _CTRL_ON:
                        self._power_on_seen = True
                return
            response = self._process(frame)
            self.apdu_count += 1  # before the answer leaves: the reader may count at once
            sock.sendall(struct.pack(">H", len(response)) + response)
            log.debug("APDU %s -> %s", frame.hex(" ").upper(), response.hex(" ").upper())
            if self._yank_after is not None:
                self._yank_after -= 1
                if self._yank_after <= 0:
                    self._yank()

    # ----------------------------------------------------- PC/SC confirmation

    def _reader_name(self, names: list[str]) -> str | None:
        if self.reader is not None:
            return self.reader if self.reader in names else None
        slot = self.port - VPCD_PORT
        if not 0 <= slot <= 0xFF:
            return None
        matches = [n for n in names if n.startswith("Virtual PCD") and n.endswith(f" {slot:02X}")]
        return matches[0] if len(matches) == 1 else None

    def _wait_reader(self, present: bool, timeout: float) -> bool:
        """Wait until pcscd reports our reader with (or without) a card; False if unknown."""
        try:
            from smartcard import scard
        except ImportError:  # pyscard missing: a poll period is the best we can do
            time.sleep(0.5)
            return False
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            return False
        try:
            hresult, names = scard.SCardListReaders(context, [])
            name = self._reader_name(list(names)) if hresult == scard.SCARD_S_SUCCESS else None
            if name is None:
                return False
            wanted = scard.SCARD_STATE_PRESENT if present else scard.SCARD_STATE_EMPTY
            deadline = time.monotonic() + timeout
            known = scard.SCARD_STATE_UNAWARE
            while True:
                remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
                hresult, states = scard.SCardGetStatusChange(context, remaining_ms, [(name, known)])
                if hresult != scard.SCARD_S_SUCCESS:
                    return False
                event = int(states[0][1])
                if event & wanted:
                    return True
                if remaining_ms == 0:
                    return False
                known = event & ~scard.SCARD_STATE_CHANGED
        finally:
            scard.SCardReleaseContext(context)

    # ------------------------------------------------------- context manager

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        state = "inserted" if self._live else "out"
        return f"VirtualCard({self.kind.value}, uid={self.uid.hex().upper()}, {state})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.rig.vcard",
        description="Keep a virtual NFC card on a vpcd reader until Ctrl-C.",
    )
    parser.add_argument("--kind", choices=[k.value for k in CardKind], default="ntag215")
    parser.add_argument("--uid", help="UID in hex (7 bytes NTAG, 4 Classic); random if absent")
    parser.add_argument("--port", type=int, default=VPCD_PORT, help="35963 or 35964")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every APDU")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s"
    )
    uid = bytes.fromhex(args.uid) if args.uid else None
    card = VirtualCard(kind=args.kind, uid=uid, port=args.port)
    try:
        card.insert()
    except VirtualCardError as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"{card!r} on port {card.port}; ATR {card.atr.hex(' ').upper()}; Ctrl-C removes it")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` removes it cleanly too
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        card.remove()
        print(f"removed after {card.apdu_count} APDUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A virtual NFC card behind a virtual ACR122U, talking to the real pcscd through vpcd.

The vsmartcard ``vpcd`` driver makes pcscd show the readers "Virtual PCD 00 00" and
"Virtual PCD 00 01", fed by TCP 127.0.0.1:35963 and :35964. vpcd is the server; a virtual
card is a client: connecting inserts the card, closing the socket removes it. Frames both
ways are a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is control
(0 power off, 1 power on, 2 reset, 4 get ATR: reply with the ATR); power off/on/reset get no
reply. Anything longer is an APDU: reply with the response APDU (data + SW1 SW2).
pcscd checks that the card is still there by asking for the ATR every ~400 ms.

This module plays both the NTAG21x (or MIFARE Classic) chip and the ACR122U firmware in
front of it, i.e. it answers what an application sees through PC/SC with a real ACR122U:

* ``FF CA 00 00 00``                    GET UID -> UID + 90 00
* ``FF B0 00 <page> <Le>``              READ BINARY: native READ (4 pages, roll-over at the
  end of the readable area), first Le bytes (Le 00 = 16) + 90 00; failure -> 63 00
* ``FF D6 00 <page> 04 <4 bytes>``      UPDATE BINARY: native WRITE -> 90 00; failure -> 63 00
* ``FF 00 00 00 Lc D4 42 <cmd...>``     PN532 InCommunicateThru -> ``D5 43 <status> <data>``
  + 90 00; status 00 = the tag answered, 01 = time-out (what the PN532 reports when the
  tag NAKs or stays silent; ACR122U API manual, appendix "error codes")
* ``FF 00 00 00 Lc D4 40 01 <cmd...>``  PN532 InDataExchange -> ``D5 41 <status> <data>`` + 90 00
* ``FF 00 40 ...`` (LED/buzzer), ``FF 00 52 ...`` (buzzer on detection), ``FF 82`` (load key)
  -> 90 00; ``FF 86`` (MIFARE authenticate) -> 63 00
* any other ``FF`` instruction -> 6A 81 (function not supported); another class -> 6E 00;
  a malformed APDU (Lc/Le inconsistent with its length) -> 63 00.

Native NTAG commands (NXP NTAG213/215/216 datasheet): GET_VERSION ``60``, READ ``30``,
FAST_READ ``3A``, WRITE ``A2``, PWD_AUTH ``1B``. A NAK (bad address, locked or protected
page, wrong password, unknown command) returns the tag to IDLE and so drops the
authentication, as on the chip. The authentication also ends at power off, power on and reset
(pcscd powers the card down when no application holds it: PWD_AUTH and the protected writes
must happen in one PC/SC connection).

``mifare_classic`` is the "unsupported card" case: GET UID works, page reads/writes fail with
63 00 and native commands time out (a Classic does not answer NTAG commands).

Run by hand: ``python -m tests.rig.vcard --kind ntag215 --uid 04A1B2C3D4E5F6 --port 35963``
keeps a card in the reader until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import fcntl
import logging
import os
import signal
import socket
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from types import TracebackType

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

# Status words (ACR122U API manual: storage-card pseudo-APDUs answer 90 00 or 63 00).
SW_OK = b"\x90\x00"
SW_FAILED = b"\x63\x00"
SW_FUNCTION_NOT_SUPPORTED = b"\x6a\x81"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"

# PN532 status byte in D5 43 / D5 41 answers (ACR122U API manual, error codes).
PN532_OK = 0x00
PN532_TIMEOUT = 0x01  # "Time Out, the target has not answered": how a tag's NAK shows up

# NTAG21x native commands
_NTAG_GET_VERSION = 0x60
_NTAG_READ = 0x30
_NTAG_FAST_READ = 0x3A
_NTAG_WRITE = 0xA2
_NTAG_PWD_AUTH = 0x1B

# ACCESS byte (CFG1 byte 0) bits
_ACCESS_PROT = 0x80  # 1: reads are protected too; 0: only writes
_ACCESS_CFGLCK = 0x40  # CFG0/CFG1 permanently read-only
_ACCESS_AUTHLIM = 0x07  # 0: unlimited failed PWD_AUTH; n: at most 2**n


def _xor(data: bytes) -> int:
    out = 0
    for byte in data:
        out ^= byte
    return out


def pcsc_storage_card_atr(card_name: int, standard: int = 0x03) -> bytes:
    """ATR of a contactless storage card as PC/SC part 3 builds it (ACR122U).

    ``3B 8F 80 01 80 4F 0C A0 00 00 03 06 <SS> <NN NN> 00 00 00 00 <TCK>``: SS = 03 for
    ISO 14443A part 3; NN NN = card name (00 01 MIFARE Classic 1K, 00 02 Classic 4K,
    00 03 MIFARE Ultralight, which an ACR122U reports for NTAG21x); TCK = XOR of T0..last.
    """
    body = (
        bytes([0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, standard])
        + card_name.to_bytes(2, "big")
        + bytes(4)
    )
    return b"\x3b" + body + bytes([_xor(body)])


ACR122U_NTAG_ATR = pcsc_storage_card_atr(0x0003)
ACR122U_CLASSIC_1K_ATR = pcsc_storage_card_atr(0x0001)
assert ACR122U_NTAG_ATR.hex().upper() == "3B8F8001804F0CA0000003060300030000000068"


class CardKind(enum.StrEnum):
    NTAG213 = "ntag213"
    NTAG215 = "ntag215"
    NTAG216 = "ntag216"
    MIFARE_CLASSIC = "mifare_classic"


@dataclass(frozen=True)
class NtagLayout:
    """Memory map of one NTAG21x (NXP NTAG213/215/216 datasheet, "Memory organization")."""

    total_pages: int  # pages 0 .. total_pages-1 answer a READ
    user_end: int  # last user page (user memory is pages 4..user_end)
    cc: bytes  # capability container, page 3
    storage_size: int  # GET_VERSION byte 6
    lock_pages_per_bit: int  # dynamic lock bits: pages locked by one bit

    @property
    def dynamic_lock(self) -> int:
        return self.user_end + 1

    @property
    def cfg0(self) -> int:
        """MIRROR, RFUI, MIRROR_PAGE, AUTH0."""
        return self.user_end + 2

    @property
    def cfg1(self) -> int:
        """ACCESS, RFUI, RFUI, RFUI."""
        return self.user_end + 3

    @property
    def pwd(self) -> int:
        return self.user_end + 4

    @property
    def pack(self) -> int:
        """PACK (2 bytes), RFUI, RFUI."""
        return self.user_end + 5

    @property
    def user_pages(self) -> range:
        return range(4, self.user_end + 1)

    @property
    def version(self) -> bytes:
        """GET_VERSION: header, NXP, NTAG, 50 pF, major 1, minor 0 (V0), size, ISO 14443-3."""
        return bytes([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, self.storage_size, 0x03])


_LAYOUTS: dict[CardKind, NtagLayout] = {
    CardKind.NTAG213: NtagLayout(0x2D, 0x27, bytes.fromhex("E1101200"), 0x0F, 2),
    CardKind.NTAG215: NtagLayout(0x87, 0x81, bytes.fromhex("E1103E00"), 0x11, 16),
    CardKind.NTAG216: NtagLayout(0xE7, 0xE1, bytes.fromhex("E1106D00"), 0x13, 16),
}

_CLASSIC_1K_BYTES = 1024


class VirtualCardError(RuntimeError):
    """The virtual card could not be inserted (vpcd not listening, pcscd not polling...)."""


def _random_uid(kind: CardKind) -> bytes:
    if kind is CardKind.MIFARE_CLASSIC:
        while True:
            uid = os.urandom(4)
            if uid[0] != 0x88:  # 0x88 is the cascade tag, never a first UID byte
                return uid
    return b"\x04" + os.urandom(6)  # NXP manufacturer code, then 6 serial bytes


class VirtualCard:
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
        self.kind = CardKind(kind)
        self.layout: NtagLayout | None = _LAYOUTS.get(self.kind)
        if uid is None:
            uid = _random_uid(self.kind)
        uid = bytes(uid)
        allowed = (4, 7) if self.kind is CardKind.MIFARE_CLASSIC else (7,)
        if len(uid) not in allowed:
            raise ValueError(f"{self.kind} UID must be {' or '.join(map(str, allowed))} bytes")
        self.uid = uid
        self.host = host
        self.port = port
        self.reader = reader  # PC/SC reader name; derived from the port when None
        self.atr = (
            ACR122U_CLASSIC_1K_ATR if self.kind is CardKind.MIFARE_CLASSIC else ACR122U_NTAG_ATR
        )
        self.memory = self._factory_memory()
        self.apdu_count = 0

        self._lock = threading.RLock()
        self._authenticated = False
        self._auth_failures = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._live = False  # the card answers (between insert and removal)
        self._powered = threading.Event()  # power-on + ATR answered in this session
        self._power_on_seen = False
        self._yank_after: int | None = None
        self._held_write: tuple[threading.Event, int | None, bool] | None = None

    # ---------------------------------------------------------------- memory

    def _factory_memory(self) -> bytearray:
        uid = self.uid
        if self.layout is None:
            mem = bytearray(_CLASSIC_1K_BYTES)
            if len(uid) == 4:  # block 0: NUID, BCC, SAK, ATQA, manufacturer data
                mem[0:8] = uid + bytes([_xor(uid), 0x08, 0x04, 0x00])
            else:
                mem[0:10] = uid + bytes([0x08, 0x44, 0x00])
            for trailer in range(3 * 16, _CLASSIC_1K_BYTES, 4 * 16):  # transport keys
                mem[trailer : trailer + 16] = bytes.fromhex("FFFFFFFFFFFFFF078069FFFFFFFFFFFF")
            return mem
        lay = self.layout
        mem = bytearray(lay.total_pages * 4)
        mem[0:4] = uid[0:3] + bytes([0x88 ^ _xor(uid[0:3])])  # CT xor SN0..SN2 = BCC0
        mem[4:8] = uid[3:7]
        mem[8:12] = bytes([_xor(uid[3:7]), 0x48, 0x00, 0x00])  # BCC1, internal, lock 0, lock 1
        mem[12:16] = lay.cc
        if self.kind is CardKind.NTAG213:
            # NTAG213 ships with a Lock Control TLV before the empty NDEF TLV.
            mem[16:24] = bytes.fromhex("0103A00C340300FE")
        else:
            mem[16:20] = bytes.fromhex("0300FE00")
        mem[lay.dynamic_lock * 4 : lay.dynamic_lock * 4 + 4] = bytes.fromhex("000000BD")
        mem[lay.cfg0 * 4 : lay.cfg0 * 4 + 4] = bytes([0x04, 0x00, 0x00, 0xFF])  # AUTH0 = FF
        mem[lay.cfg1 * 4 : lay.cfg1 * 4 + 4] = bytes([0x00, 0x05, 0x00, 0x00])  # ACCESS = 00
        mem[lay.pwd * 4 : lay.pwd * 4 + 4] = b"\xff\xff\xff\xff"
        mem[lay.pack * 4 : lay.pack * 4 + 4] = bytes(4)
        return mem

    def factory_reset(self) -> None:
        """Back to the factory memory (same UID), unauthenticated; ``apdu_count`` is kept."""
        with self._lock:
            self.memory[:] = self._factory_memory()
            self._authenticated = False
            self._auth_failures = 0

    def pages(self, start: int, count: int) -> bytes:
        """Raw memory of ``count`` pages from ``start`` (PWD/PACK as stored, not masked)."""
        if start < 0 or count < 0 or (start + count) * 4 > len(self.memory):
            raise IndexError(f"pages {start}..{start + count - 1} outside the card memory")
        with self._lock:
            return bytes(self.memory[start * 4 : (start + count) * 4])

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
            self.memory[lay.cfg1 * 4] = (access | _ACCESS_PROT) if prot else (access & 0x7F)
            self._authenticated = False

    @property
    def authenticated(self) -> bool:
        """Has a PWD_AUTH succeeded in the current power cycle?"""
        return self._authenticated

    @property
    def inserted(self) -> bool:
        return self._live

    def _ntag_layout(self, what: str) -> NtagLayout:
        if self.layout is None:
            raise TypeError(f"{what}: a {self.kind} has no NTAG memory map")
        return self.layout

    def _auth0(self) -> int:
        assert self.layout is not None
        return self.memory[self.layout.cfg0 * 4 + 3]

    def _access(self) -> int:
        assert self.layout is not None
        return self.memory[self.layout.cfg1 * 4]

    # ------------------------------------------------------------- NTAG chip

    def _readable_end(self) -> int:
        """First page a READ may not address (the roll-over point)."""
        lay = self.layout
        assert lay is not None
        if self._access() & _ACCESS_PROT and not self._authenticated:
            return min(self._auth0(), lay.total_pages)
        return lay.total_pages

    def _page_as_read(self, page: int) -> bytes:
        lay = self.layout
        assert lay is not None
        if page in (lay.pwd, lay.pack):
            return bytes(4)  # PWD and PACK always read back as 00h
        return bytes(self.memory[page * 4 : page * 4 + 4])

    def _ntag_read(self, page: int) -> bytes | None:
        end = self._readable_end()
        if page >= end:
            return None
        return b"".join(self._page_as_read((page + i) % end) for i in range(4))

    def _ntag_fast_read(self, start: int, stop: int) -> bytes | None:
        end = self._readable_end()
        if start > stop or stop >= end:
            return None
        return b"".join(self._page_as_read(p) for p in range(start, stop + 1))

    def _statically_locked(self, page: int) -> bool:
        """Lock bits L3..L15 in page 2, bytes 2-3."""
        lock0, lock1 = self.memory[10], self.memory[11]
        return bool((lock0 >> page) & 1 if page < 8 else (lock1 >> (page - 8)) & 1)

    def _dynamically_locked(self, page: int) -> bool:
        lay = self.layout
        assert lay is not None
        index = (page - 16) // lay.lock_pages_per_bit
        byte = self.memory[lay.dynamic_lock * 4 + index // 8]
        return bool((byte >> (index % 8)) & 1)

    def _ntag_write(self, page: int, data: bytes) -> bool:
        lay = self.layout
        assert lay is not None
        mem = self.memory
        if len(data) != 4 or page < 2 or page >= lay.total_pages:
            return False  # pages 0-1 hold the UID: read-only
        if page >= self._auth0() and not self._authenticated:
            return False
        if page == 2:  # bytes 2-3 are OR-ed into the static lock bits, honouring block-locks
            old0, old1 = mem[10], mem[11]
            frozen0 = (0x08 if old0 & 0x01 else 0) | (0xF0 if old0 & 0x02 else 0)
            frozen1 = (0x03 if old0 & 0x02 else 0) | (0xFC if old0 & 0x04 else 0)
            mem[10] = ((old0 | data[2]) & ~frozen0 & 0xFF) | (old0 & frozen0)
            mem[11] = ((old1 | data[3]) & ~frozen1 & 0xFF) | (old1 & frozen1)
            return True
        if page == 3:  # capability container: one-time programmable, bits only set
            if self._statically_locked(3):
                return False
            for i in range(4):
                mem[12 + i] |= data[i]
            return True
        if page <= lay.user_end:
            if page < 16 and self._statically_locked(page):
                return False
            if page >= 16 and self._dynamically_locked(page):
                return False
        elif page == lay.dynamic_lock:  # bits only set; byte 3 is RFUI
            base = page * 4
            for i in range(3):
                mem[base + i] |= data[i]
            return True
        elif page in (lay.cfg0, lay.cfg1) and self._access() & _ACCESS_CFGLCK:
            return False
        mem[page * 4 : page * 4 + 4] = data
        return True

    def _ntag_pwd_auth(self, pwd: bytes) -> bytes | None:
        lay = self.layout
        assert lay is not None
        authlim = self._access() & _ACCESS_AUTHLIM
        if authlim and self._auth_failures >= 2**authlim:
            return None  # password permanently blocked
        if pwd != bytes(self.memory[lay.pwd * 4 : lay.pwd * 4 + 4]):
            self._auth_failures += 1
            return None
        self._auth_failures = 0
        self._authenticated = True
        return bytes(self.memory[lay.pack * 4 : lay.pack * 4 + 2])

    def _native(self, cmd: bytes) -> tuple[int, bytes]:
        """One native tag command -> (PN532 status, tag answer). A NAK is a time-out."""
        if self.layout is None or not cmd:
            return PN532_TIMEOUT, b""  # a MIFARE Classic stays silent
        op, args = cmd[0], cmd[1:]
        answer: bytes | None = None
        if op == _NTAG_GET_VERSION and not args:
            answer = self.layout.version
        elif op == _NTAG_READ and len(args) == 1:
            answer = self._ntag_read(args[0])
        elif op == _NTAG_FAST_READ and len(args) == 2:
            answer = self._ntag_fast_read(args[0], args[1])
        elif op == _NTAG_WRITE and len(args) == 5:
            answer = b"" if self._ntag_write(args[0], args[1:]) else None  # ACK carries no data
        elif op == _NTAG_PWD_AUTH and len(args) == 4:
            answer = self._ntag_pwd_auth(args)
        if answer is None:
            self._authenticated = False  # after a NAK the tag falls back to IDLE
            return PN532_TIMEOUT, b""
        return PN532_OK, answer

    # ------------------------------------------------------ ACR122U firmware

    def process_apdu(self, apdu: bytes) -> bytes:
        """Answer one APDU as the ACR122U + card would (no socket involved)."""
        with self._lock:
            return self._process(bytes(apdu))

    def _process(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_FAILED
        cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
        body = apdu[4:]
        data = b""
        le: int | None = None
        if len(body) == 1:
            le = body[0]
        elif len(body) > 1:
            lc = body[0]
            if len(body) == 1 + lc:
                data = body[1:]
            elif len(body) == 2 + lc:
                data, le = body[1:-1], body[-1]
            else:
                return SW_FAILED
        if cla != 0xFF:
            return SW_CLA_NOT_SUPPORTED
        if ins == 0xCA:  # GET DATA
            if p1 != 0x00 or p2 != 0x00:
                return SW_FUNCTION_NOT_SUPPORTED  # P1=01 (ATS): not an ISO 14443-4 card
            if le and le < len(self.uid):
                return bytes([0x6C, len(self.uid)])
            return self.uid + SW_OK
        if ins == 0xB0:  # READ BINARY
            length = le or 16
            if self.layout is None or length > 16 or data:
                return SW_FAILED
            page_data = self._ntag_read(p1 << 8 | p2) if p1 == 0 else None
            if page_data is None:
                self._authenticated = False
                return SW_FAILED
            return page_data[:length] + SW_OK
        if ins == 0xD6:  # UPDATE BINARY
            if self.layout is None or len(data) != 4 or p1 != 0:
                return SW_FAILED
            status, _ = self._native(bytes([_NTAG_WRITE, p2]) + data)
            return SW_OK if status == PN532_OK else SW_FAILED
        if ins == 0x00 and p1 == 0x00 and p2 == 0x00:  # Direct Transmit to the PN532
            if data[:2] == b"\xd4\x42":  # InCommunicateThru
                status, answer = self._native(data[2:])
                return b"\xd5\x43" + bytes([status]) + answer + SW_OK
            if data[:2] == b"\xd4\x40" and len(data) >= 3:  # InDataExchange, target Tg
                status, answer = self._native(data[3:])
                return b"\xd5\x41" + bytes([status]) + answer + SW_OK
            return SW_FUNCTION_NOT_SUPPORTED
        if ins == 0x00 and p1 in (0x40, 0x52):  # LED/buzzer control, buzzer on detection
            return SW_OK
        if ins == 0x82:  # LOAD KEYS (kept by the reader)
            return SW_OK
        if ins == 0x86:  # MIFARE Classic authentication: not emulated
            return SW_FAILED
        return SW_FUNCTION_NOT_SUPPORTED

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

"""A software NTAG213/215/216 (or MIFARE Classic 1K) behind a software ACR122U.

It answers, byte for byte, what an application sees through PC/SC with a real ACR122U and
the chip on it; the simulated reader lends it to the encoder, and the test rig puts the same
chip behind pcscd (``tests/rig/vcard.py``), so there is one model of the card:

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

Native NTAG commands (NXP datasheet): GET_VERSION ``60``, READ ``30``, FAST_READ ``3A``,
WRITE ``A2``, PWD_AUTH ``1B``. A NAK (bad address, locked or protected page, wrong password,
unknown command) returns the tag to IDLE and so drops the authentication, as on the chip; so
does a loss of power (:meth:`SimulatedNtag.power_cycle`: lifted, or powered down by pcscd).

``mifare_classic`` is the "unsupported card" case: GET UID works, page reads/writes fail with
63 00 and native commands time out (a Classic does not answer NTAG commands).
"""

from __future__ import annotations

import threading

from regie.devices.ntag_layout import (
    ACCESS_AUTHLIM,
    ACCESS_CFGLCK,
    ACCESS_PROT,
    ACR122U_CLASSIC_1K_ATR,
    ACR122U_NTAG_ATR,
    LAYOUTS,
    CardKind,
    NtagLayout,
    factory_memory,
    random_uid,
)

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


class SimulatedNtag:
    """One card: its memory, its authentication state, and the reader firmware in front.

    ``memory`` is the raw page memory (tests may read or patch it). Thread-safe: every APDU
    runs under the card's lock.
    """

    def __init__(self, kind: CardKind | str = CardKind.NTAG215, uid: bytes | None = None) -> None:
        self.kind = CardKind(kind)
        self.layout: NtagLayout | None = LAYOUTS.get(self.kind)
        if uid is None:
            uid = random_uid(self.kind)
        uid = bytes(uid)
        allowed = (4, 7) if self.kind is CardKind.MIFARE_CLASSIC else (7,)
        if len(uid) not in allowed:
            raise ValueError(f"{self.kind} UID must be {' or '.join(map(str, allowed))} bytes")
        self.uid = uid
        self.atr = (
            ACR122U_CLASSIC_1K_ATR if self.kind is CardKind.MIFARE_CLASSIC else ACR122U_NTAG_ATR
        )
        self.memory = factory_memory(self.kind, self.uid)
        self._lock = threading.RLock()
        self._authenticated = False
        self._auth_failures = 0

    # ---------------------------------------------------------------- memory

    def pages(self, start: int, count: int) -> bytes:
        """Raw memory of ``count`` pages from ``start`` (PWD/PACK as stored, not masked)."""
        if start < 0 or count < 0 or (start + count) * 4 > len(self.memory):
            raise IndexError(f"pages {start}..{start + count - 1} outside the card memory")
        with self._lock:
            return bytes(self.memory[start * 4 : (start + count) * 4])

    @property
    def authenticated(self) -> bool:
        """Has a PWD_AUTH succeeded in the current power cycle?"""
        return self._authenticated

    def _auth0(self) -> int:
        assert self.layout is not None
        return self.memory[self.layout.cfg0 * 4 + 3]

    def _access(self) -> int:
        assert self.layout is not None
        return self.memory[self.layout.cfg1 * 4]

    def power_cycle(self) -> None:
        """The card lost the field (or was powered down): the authentication is gone."""
        with self._lock:
            self._authenticated = False

    # ------------------------------------------------------------- NTAG chip

    def _readable_end(self) -> int:
        """First page a READ may not address (the roll-over point)."""
        lay = self.layout
        assert lay is not None
        if self._access() & ACCESS_PROT and not self._authenticated:
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
        elif page in (lay.cfg0, lay.cfg1) and self._access() & ACCESS_CFGLCK:
            return False
        mem[page * 4 : page * 4 + 4] = data
        return True

    def _ntag_pwd_auth(self, pwd: bytes) -> bytes | None:
        lay = self.layout
        assert lay is not None
        authlim = self._access() & ACCESS_AUTHLIM
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

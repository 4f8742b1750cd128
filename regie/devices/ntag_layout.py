"""The memory map of the contactless cards Régie meets, and the ATR an ACR122U gives them.

Shared by the simulated reader's card (:mod:`regie.devices.simulated_ntag`) and the test rig's
virtual card behind vpcd, so that both are the same chip (NXP NTAG213/215/216 datasheet,
"Memory organization"; PC/SC part 3 for the ATR).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

USER_START = 4  # first user page on every NTAG21x

# ACCESS byte (CFG1 byte 0) bits
ACCESS_PROT = 0x80  # 1: reads are protected too; 0: only writes
ACCESS_CFGLCK = 0x40  # CFG0/CFG1 permanently read-only
ACCESS_AUTHLIM = 0x07  # 0: unlimited failed PWD_AUTH; n: at most 2**n


def xor(data: bytes) -> int:
    """XOR of all the bytes (BCC of a UID, TCK of an ATR)."""
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
    return b"\x3b" + body + bytes([xor(body)])


ACR122U_NTAG_ATR = pcsc_storage_card_atr(0x0003)
ACR122U_CLASSIC_1K_ATR = pcsc_storage_card_atr(0x0001)
assert ACR122U_NTAG_ATR.hex().upper() == "3B8F8001804F0CA0000003060300030000000068"


class CardKind(enum.StrEnum):
    NTAG213 = "ntag213"
    NTAG215 = "ntag215"
    NTAG216 = "ntag216"
    MIFARE_CLASSIC = "mifare_classic"


@dataclass(frozen=True, kw_only=True)
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
        return range(USER_START, self.user_end + 1)

    @property
    def user_bytes(self) -> int:
        return len(self.user_pages) * 4

    @property
    def version(self) -> bytes:
        """GET_VERSION: header, NXP, NTAG, 50 pF, major 1, minor 0 (V0), size, ISO 14443-3."""
        return bytes([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, self.storage_size, 0x03])


LAYOUTS: dict[CardKind, NtagLayout] = {
    CardKind.NTAG213: NtagLayout(
        total_pages=0x2D,
        user_end=0x27,
        cc=bytes.fromhex("E1101200"),
        storage_size=0x0F,
        lock_pages_per_bit=2,
    ),
    CardKind.NTAG215: NtagLayout(
        total_pages=0x87,
        user_end=0x81,
        cc=bytes.fromhex("E1103E00"),
        storage_size=0x11,
        lock_pages_per_bit=16,
    ),
    CardKind.NTAG216: NtagLayout(
        total_pages=0xE7,
        user_end=0xE1,
        cc=bytes.fromhex("E1106D00"),
        storage_size=0x13,
        lock_pages_per_bit=16,
    ),
}

CLASSIC_1K_BYTES = 1024


def random_uid(kind: CardKind) -> bytes:
    """A new card's UID: NXP's 7 bytes for an NTAG, 4 random bytes for a MIFARE Classic."""
    if kind is CardKind.MIFARE_CLASSIC:
        while True:
            uid = os.urandom(4)
            if uid[0] != 0x88:  # 0x88 is the cascade tag, never a first UID byte
                return uid
    return b"\x04" + os.urandom(6)  # NXP manufacturer code, then 6 serial bytes


def factory_memory(kind: CardKind, uid: bytes) -> bytearray:
    """The memory of a new card: UID and BCCs, empty NDEF, no password (AUTH0 = FF)."""
    lay = LAYOUTS.get(kind)
    if lay is None:
        mem = bytearray(CLASSIC_1K_BYTES)
        if len(uid) == 4:  # block 0: NUID, BCC, SAK, ATQA, manufacturer data
            mem[0:8] = uid + bytes([xor(uid), 0x08, 0x04, 0x00])
        else:
            mem[0:10] = uid + bytes([0x08, 0x44, 0x00])
        for trailer in range(3 * 16, CLASSIC_1K_BYTES, 4 * 16):  # transport keys
            mem[trailer : trailer + 16] = bytes.fromhex("FFFFFFFFFFFFFF078069FFFFFFFFFFFF")
        return mem
    mem = bytearray(lay.total_pages * 4)
    mem[0:4] = uid[0:3] + bytes([0x88 ^ xor(uid[0:3])])  # CT xor SN0..SN2 = BCC0
    mem[4:8] = uid[3:7]
    mem[8:12] = bytes([xor(uid[3:7]), 0x48, 0x00, 0x00])  # BCC1, internal, lock 0, lock 1
    mem[12:16] = lay.cc
    if kind is CardKind.NTAG213:
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

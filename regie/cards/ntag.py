"""The NTAG21x protocol through an ACR122U-class PC/SC reader, as pure functions.

Every function takes ``transmit(apdu) -> (data, sw1, sw2)`` and nothing else, so that the
encoding logic runs the same over pcscd, over a virtual card in a benchmark, or over any
other reader. Sources: NXP NTAG213/215/216 datasheet (memory map, GET_VERSION, READ, WRITE,
PWD_AUTH, AUTH0/ACCESS/PWD/PACK), ACS ACR122U API (pseudo-APDUs, PN532 pass-through), PC/SC
part 3 (storage-card ATR), NFC Forum Type 2 Tag (TLVs in the user area).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

import ndef

from regie.devices import ntag_layout
from regie.devices.card_link import Transmit
from regie.devices.ntag_layout import LAYOUTS, CardKind, NtagLayout
from regie.i18n import N_, _

GET_UID = bytes.fromhex("FFCA000000")
SW_OK = (0x90, 0x00)
USER_START = ntag_layout.USER_START  # first user page on every NTAG21x
PAGE = 4  # bytes per page
READ_BYTES = 16  # one READ returns 4 pages

# NTAG native commands, sent through the PN532 InCommunicateThru (D4 42).
_GET_VERSION = 0x60
_PWD_AUTH = 0x1B

# TLV types of an NFC Forum Type 2 Tag.
TLV_NULL = 0x00
TLV_LOCK_CONTROL = 0x01
TLV_MEMORY_CONTROL = 0x02
TLV_NDEF = 0x03
TLV_TERMINATOR = 0xFE


class Chip(enum.StrEnum):
    NTAG213 = "ntag213"
    NTAG215 = "ntag215"
    NTAG216 = "ntag216"
    MIFARE_CLASSIC = "mifare_classic"
    UNSUPPORTED = "unsupported"


CHIP_LABELS = {
    Chip.NTAG213: N_("NTAG213"),
    Chip.NTAG215: N_("NTAG215"),
    Chip.NTAG216: N_("NTAG216"),
    Chip.MIFARE_CLASSIC: N_("MIFARE Classic"),
    Chip.UNSUPPORTED: N_("carte inconnue"),
}


@dataclass(frozen=True)
class NtagModel(NtagLayout):
    """One NTAG21x the encoder writes: its memory map (shared with the simulated card) and
    the chip's name in the database."""

    chip: Chip


NTAG_MODELS: dict[Chip, NtagModel] = {
    chip: NtagModel(**dataclasses.asdict(LAYOUTS[CardKind(chip.value)]), chip=chip)
    for chip in (Chip.NTAG213, Chip.NTAG215, Chip.NTAG216)
}
_BY_STORAGE_SIZE = {model.storage_size: model for model in NTAG_MODELS.values()}


class CardError(Exception):
    """The card refused or cannot do what was asked; the message is for the user (French)."""


class Refused(CardError):
    """A READ or WRITE answered 63 00 (locked, protected, or outside the memory)."""

    def __init__(self, message: str, page: int) -> None:
        super().__init__(message)
        self.page = page


class AuthFailed(CardError):
    """PWD_AUTH was not acknowledged: another password protects the card."""


class CardFull(CardError):
    """The NDEF message does not fit in the user memory."""


# ------------------------------------------------------------------------------ APDUs


def _check(answer: tuple[bytes, int, int], what: str, page: int = -1) -> bytes:
    data, sw1, sw2 = answer
    if (sw1, sw2) != SW_OK:
        raise Refused(
            _("{what} refusée par la carte ({sw1:02X} {sw2:02X})").format(
                what=what, sw1=sw1, sw2=sw2
            ),
            page,
        )
    return bytes(data)


def read_uid(transmit: Transmit) -> bytes:
    """The chip's full UID (4, 7 or 10 bytes)."""
    uid = _check(transmit(GET_UID), _("lecture de l'UID"))
    if len(uid) not in (4, 7, 10):
        raise CardError(
            _("UID de {n} octets : ce n'est pas une carte sans contact connue").format(n=len(uid))
        )
    return uid


def read_pages(transmit: Transmit, page: int) -> bytes:
    """READ: 16 bytes from ``page`` (4 pages)."""
    return _check(transmit(bytes([0xFF, 0xB0, 0x00, page, READ_BYTES])), "lecture", page)


def write_page(transmit: Transmit, page: int, data: bytes) -> None:
    """WRITE: one 4-byte page."""
    assert len(data) == PAGE
    _check(transmit(bytes([0xFF, 0xD6, 0x00, page, PAGE]) + data), _("écriture"), page)


def _native(transmit: Transmit, command: bytes) -> tuple[int, bytes]:
    """A native tag command through the ACR122U pass-through -> (PN532 status, answer)."""
    payload = b"\xd4\x42" + command
    data = _check(transmit(bytes([0xFF, 0x00, 0x00, 0x00, len(payload)]) + payload), "commande")
    if len(data) < 3 or data[:2] != b"\xd5\x43":
        raise CardError(_("réponse inattendue du lecteur (ce n'est pas un ACR122U ?)"))
    return data[2], data[3:]


def pwd_auth(transmit: Transmit, pwd: bytes) -> bytes:
    """PWD_AUTH; returns the card's PACK. A NAK means another password."""
    status, pack = _native(transmit, bytes([_PWD_AUTH]) + pwd)
    if status != 0 or len(pack) != 2:
        raise AuthFailed(_("mot de passe refusé : la carte est protégée par un autre mot de passe"))
    return pack


def chip_from_atr(atr: bytes) -> Chip | None:
    """What the PC/SC part 3 ATR says; None for the NTAG/Ultralight family (ask the chip)."""
    if len(atr) >= 15 and atr[:2] == b"\x3b\x8f" and atr[5:12] == bytes.fromhex("4F0CA000000306"):
        name = int.from_bytes(atr[13:15], "big")
        if name in (0x0001, 0x0002, 0x0026):  # MIFARE Classic 1K, 4K, Mini
            return Chip.MIFARE_CLASSIC
        if name == 0x0003:  # MIFARE Ultralight family: NTAG21x answers GET_VERSION
            return None
    return Chip.UNSUPPORTED


def identify(atr: bytes, transmit: Transmit) -> Chip:
    """The chip on the reader: the ATR first, GET_VERSION only for the NTAG family."""
    chip = chip_from_atr(atr)
    if chip is not None:
        return chip
    status, version = _native(transmit, bytes([_GET_VERSION]))
    # header 00, vendor 04 (NXP), product type 04 (NTAG), …, storage size, protocol 03
    if status != 0 or len(version) != 8 or version[1] != 0x04 or version[2] != 0x04:
        return Chip.UNSUPPORTED
    model = _BY_STORAGE_SIZE.get(version[6])
    return model.chip if model else Chip.UNSUPPORTED


# ------------------------------------------------------------------------------ NDEF


def ndef_tlv(url: str) -> bytes:
    """An NDEF TLV holding one URI record, then the terminator TLV."""
    message = b"".join(ndef.message_encoder([ndef.UriRecord(url)]))
    if len(message) < 0xFF:
        header = bytes([TLV_NDEF, len(message)])
    else:
        header = bytes([TLV_NDEF, 0xFF]) + len(message).to_bytes(2, "big")
    return header + message + bytes([TLV_TERMINATOR])


def control_prefix(area: bytes) -> bytes:
    """The NULL and Lock/Memory Control TLVs at the start of the user area, kept as they are.

    An NTAG213 leaves the factory with a Lock Control TLV before its empty NDEF TLV.
    """
    i = 0
    while i < len(area):
        kind = area[i]
        if kind == TLV_NULL:
            i += 1
        elif kind in (TLV_LOCK_CONTROL, TLV_MEMORY_CONTROL) and i + 1 < len(area):
            i += 2 + area[i + 1]
        else:
            break
    return bytes(area[: min(i, len(area))])


def area_image(prefix: bytes, url: str) -> bytes:
    """The bytes to lay from page 4: the control TLVs, the NDEF TLV, padded to whole pages."""
    image = prefix + ndef_tlv(url)
    return image + bytes(-len(image) % PAGE)


@dataclass(frozen=True)
class NdefLocation:
    """Where the NDEF TLV is in the user area: its length field and its value."""

    length_offset: int
    value_offset: int
    length: int

    @property
    def end(self) -> int:
        return self.value_offset + self.length


def find_ndef(area: bytes) -> NdefLocation | None:
    """Walk the TLVs from the start of the user area to the NDEF TLV (None if absent)."""
    i = 0
    while i < len(area):
        kind = area[i]
        if kind == TLV_NULL:
            i += 1
            continue
        if kind == TLV_TERMINATOR or i + 1 >= len(area):
            return None
        if area[i + 1] == 0xFF:
            if i + 3 >= len(area):
                return None
            length, value = int.from_bytes(area[i + 2 : i + 4], "big"), i + 4
        else:
            length, value = area[i + 1], i + 2
        if kind == TLV_NDEF:
            return NdefLocation(i + 1, value, length)
        i = value + length
    return None


def url_in(area: bytes) -> str | None:
    """The URI a phone would open from this user area (None if empty or not a URI)."""
    where = find_ndef(area)
    if where is None or where.length == 0 or where.end > len(area):
        return None
    try:
        records = list(ndef.message_decoder(area[where.value_offset : where.end]))
    except ndef.DecodeError:
        return None
    if records and isinstance(records[0], ndef.UriRecord):
        return str(records[0].iri)
    return None


def read_area(transmit: Transmit, size: int, first: bytes = b"") -> bytes:
    """``size`` bytes of the user area, in 16-byte READs, reusing the ``first`` READ."""
    area = bytearray(first)
    while len(area) < size:
        area += read_pages(transmit, USER_START + len(area) // PAGE)
    return bytes(area[:size])

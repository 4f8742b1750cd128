"""The virtual NFC card (tests/rig/vcard.py) through the real pcscd, vpcd and pyscard.

The last tests drive ``VirtualCard.process_apdu`` directly (no daemon) for chip rules that
would cost a card insertion each through pcscd.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator

import ndef
import pytest
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.scard import (
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCARD_STATE_EMPTY,
    SCARD_STATE_PRESENT,
    SCARD_STATE_UNAWARE,
    SCardEstablishContext,
    SCardGetStatusChange,
    SCardReleaseContext,
)
from smartcard.System import readers

from tests.rig.vcard import CardKind, VirtualCard, VirtualCardError

pytestmark = [pytest.mark.pcsc]

READER_0 = "Virtual PCD 00 00"  # vpcd port 35963
READER_1 = "Virtual PCD 00 01"  # vpcd port 35964
PORT_0 = 35963
PORT_1 = 35964
UID_7 = bytes.fromhex("04A1B2C3D4E5F6")
UID_4 = bytes.fromhex("A24B043F")
# ACR122U + NTAG (MIFARE Ultralight family), PC/SC part 3, written out by hand on purpose.
NTAG_ATR = bytes.fromhex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 00 00 68")

GET_UID = bytes.fromhex("FFCA000000")
OK = 0x9000
FAILED = 0x6300


def read_binary(page: int) -> bytes:
    return bytes([0xFF, 0xB0, 0x00, page, 0x10])


def update_binary(page: int, data: bytes) -> bytes:
    return bytes([0xFF, 0xD6, 0x00, page, 0x04]) + data


def thru(native: bytes) -> bytes:
    """ACR122U Direct Transmit of a PN532 InCommunicateThru carrying a native command."""
    payload = b"\xd4\x42" + native
    return bytes([0xFF, 0x00, 0x00, 0x00, len(payload)]) + payload


def transmit(conn: CardConnection, apdu: bytes) -> tuple[bytes, int]:
    data, sw1, sw2 = conn.transmit(list(apdu))
    return bytes(data), sw1 << 8 | sw2


def reader_state(name: str) -> int:
    """pcscd's current event state flags for one reader."""
    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    assert hresult == SCARD_S_SUCCESS
    try:
        hresult, states = SCardGetStatusChange(context, 0, [(name, SCARD_STATE_UNAWARE)])
        assert hresult == SCARD_S_SUCCESS
        return int(states[0][1])
    finally:
        SCardReleaseContext(context)


class Rig:
    """Extra cards and the PC/SC connections of one test, all undone at teardown."""

    def __init__(self) -> None:
        self.cards: list[VirtualCard] = []
        self.connections: list[CardConnection] = []

    def insert(self, kind: str, uid: bytes | None = None, port: int = PORT_1) -> VirtualCard:
        card = VirtualCard(kind=kind, uid=uid, port=port)
        card.insert()
        self.cards.append(card)
        return card

    def connect(self, name: str = READER_0) -> CardConnection:
        reader = next(r for r in readers() if str(r) == name)
        conn = reader.createConnection()
        conn.connect()
        self.connections.append(conn)
        return conn

    def close(self) -> None:
        for conn in self.connections:
            with contextlib.suppress(Exception):
                conn.disconnect()
        for card in self.cards:
            card.remove()


# Every insertion or removal waits for pcscd's next presence poll (every 400 ms): one NTAG215
# stays on reader 0 for the whole module, back to its factory state before each test.
@pytest.fixture(scope="module")
def shared_card(pcscd_daemon: object) -> Iterator[VirtualCard]:
    card = VirtualCard("ntag215", UID_7, PORT_0)
    card.insert()
    yield card
    card.remove()


@pytest.fixture
def card(shared_card: VirtualCard) -> VirtualCard:
    shared_card.insert()  # a no-op, unless a failed test left the card out
    shared_card.factory_reset()
    return shared_card


@pytest.fixture
def rig(pcscd: object) -> Iterator[Rig]:
    rig = Rig()
    try:
        yield rig
    finally:
        rig.close()


def test_two_readers_at_once_full_uid_and_acr122u_atr(card: VirtualCard, rig: Rig) -> None:
    classic = rig.insert("mifare_classic", UID_4, PORT_1)
    conn0, conn1 = rig.connect(READER_0), rig.connect(READER_1)
    before = card.apdu_count

    assert transmit(conn0, GET_UID) == (UID_7, OK)
    assert transmit(conn1, GET_UID) == (UID_4, OK)
    assert transmit(conn0, GET_UID) == (UID_7, OK)  # interleaved: each reader its own card
    assert card.apdu_count - before == 2
    assert classic.apdu_count >= 1

    assert bytes(conn0.getATR()) == NTAG_ATR
    classic_atr = bytes(conn1.getATR())
    assert classic_atr[:13] == NTAG_ATR[:13]
    assert classic_atr[13:15] == b"\x00\x01"  # PC/SC part 3 card name: MIFARE Classic 1K
    check = 0
    for byte in classic_atr[1:]:  # TCK makes T0..TCK XOR to zero
        check ^= byte
    assert check == 0
    assert classic_atr != NTAG_ATR

    # The Classic is the "unsupported card": only its UID can be read.
    assert transmit(conn1, read_binary(4)) == (b"", FAILED)
    assert transmit(conn1, update_binary(4, b"\x01\x02\x03\x04")) == (b"", FAILED)
    data, sw = transmit(conn1, thru(b"\x60"))  # GET_VERSION: a Classic does not answer
    assert sw == OK
    assert data[:2] == b"\xd5\x43" and data[2] != 0x00 and len(data) == 3


@pytest.mark.parametrize(
    ("kind", "cc", "storage_size", "page4", "cfg0"),
    [
        ("ntag213", "E1101200", 0x0F, "0103A00C340300FE", 0x29),  # Lock Control TLV first
        ("ntag215", "E1103E00", 0x11, "0300FE0000000000", 0x83),
        ("ntag216", "E1106D00", 0x13, "0300FE0000000000", 0xE3),
    ],
)
def test_memory_layout_and_get_version(
    card: VirtualCard, rig: Rig, kind: str, cc: str, storage_size: int, page4: str, cfg0: int
) -> None:
    if kind == card.kind:
        conn = rig.connect(READER_0)
    else:
        rig.insert(kind, UID_7, PORT_1)
        conn = rig.connect(READER_1)

    data, sw = transmit(conn, read_binary(0))
    assert sw == OK
    bcc0 = 0x88 ^ 0x04 ^ 0xA1 ^ 0xB2
    bcc1 = 0xC3 ^ 0xD4 ^ 0xE5 ^ 0xF6
    assert data[0:4] == bytes([0x04, 0xA1, 0xB2, bcc0])  # UID0-2, BCC0
    assert data[4:8] == bytes.fromhex("C3D4E5F6")  # UID3-6
    assert data[8] == bcc1 and data[10:12] == b"\x00\x00"  # BCC1, internal, lock bytes
    assert data[12:16] == bytes.fromhex(cc)  # capability container (page 3)

    data, sw = transmit(conn, read_binary(4))
    assert (data[:8], sw) == (bytes.fromhex(page4), OK)

    data, sw = transmit(conn, thru(b"\x60"))
    assert sw == OK
    assert data == b"\xd5\x43\x00" + bytes([0x00, 0x04, 0x04, 0x02, 0x01, 0x00, storage_size, 0x03])

    # Factory configuration: AUTH0 = FF (nothing protected); PWD and PACK read back as zeros.
    data, sw = transmit(conn, read_binary(cfg0))
    assert sw == OK
    assert data[3] == 0xFF and data[4] == 0x00  # AUTH0, ACCESS
    assert data[8:16] == bytes(8)
    assert transmit(conn, read_binary(cfg0 + 4))[1] == FAILED  # past the last page


def test_update_binary_round_trip_and_refusals(card: VirtualCard, rig: Rig) -> None:
    conn = rig.connect()

    assert transmit(conn, update_binary(0x10, b"\xde\xad\xbe\xef")) == (b"", OK)
    data, sw = transmit(conn, read_binary(0x10))
    assert (data[:4], sw) == (b"\xde\xad\xbe\xef", OK)
    assert card.pages(0x10, 1) == b"\xde\xad\xbe\xef"

    assert transmit(conn, update_binary(0x00, b"\x00\x00\x00\x00"))[1] == FAILED  # UID page
    assert transmit(conn, update_binary(0x87, b"\x00\x00\x00\x00"))[1] == FAILED  # past 0x86
    assert card.pages(0, 1) == bytes([0x04, 0xA1, 0xB2, 0x88 ^ 0x04 ^ 0xA1 ^ 0xB2])

    # A READ near the end rolls over to page 0, as NTAG's READ does.
    data, sw = transmit(conn, read_binary(0x85))
    assert sw == OK
    assert data[8:16] == card.pages(0, 2)

    # Native READ / WRITE through the pass-through.
    assert transmit(conn, thru(b"\xa2\x11" + b"\x01\x02\x03\x04")) == (b"\xd5\x43\x00", OK)
    data, sw = transmit(conn, thru(b"\x30\x11"))
    assert sw == OK and data[:3] == b"\xd5\x43\x00" and data[3:7] == b"\x01\x02\x03\x04"
    assert len(data) == 3 + 16


def test_ndef_uri_written_from_page_4_reads_back(card: VirtualCard, rig: Rig) -> None:
    url = "https://demo.example/qr/b194aeb9-0f77-4e3c-9ef6-047ea6b8726e"
    conn = rig.connect()

    message = b"".join(ndef.message_encoder([ndef.UriRecord(url)]))
    tlv = bytes([0x03, len(message)]) + message + b"\xfe"
    tlv += bytes(-len(tlv) % 4)
    for i in range(0, len(tlv), 4):
        assert transmit(conn, update_binary(4 + i // 4, tlv[i : i + 4])) == (b"", OK)
    assert card.pages(4, len(tlv) // 4) == tlv

    raw = b""
    for page in range(4, 4 + (len(tlv) + 15) // 16 * 4, 4):
        data, sw = transmit(conn, read_binary(page))
        assert sw == OK and len(data) == 16
        raw += data
    assert raw[0] == 0x03
    length = raw[1]
    assert raw[2 + length] == 0xFE
    records = list(ndef.message_decoder(raw[2 : 2 + length]))
    assert len(records) == 1
    assert isinstance(records[0], ndef.UriRecord)
    assert records[0].iri == url


def test_password_protection_and_pwd_auth(card: VirtualCard, rig: Rig) -> None:
    card.set_password(b"\x12\x34\x56\x78", b"\xab\xcd", auth0=0x10)
    conn = rig.connect()

    assert transmit(conn, update_binary(0x0F, b"\x0f\x0f\x0f\x0f")) == (b"", OK)  # < AUTH0
    assert transmit(conn, update_binary(0x10, b"\x11\x11\x11\x11")) == (b"", FAILED)
    data, sw = transmit(conn, read_binary(0x10))  # PROT = 0: reads stay open
    assert sw == OK and data[:4] == bytes(4)

    data, sw = transmit(conn, thru(b"\x1b\x00\x00\x00\x00"))  # wrong password
    assert sw == OK and data[:2] == b"\xd5\x43" and data[2] != 0x00
    assert transmit(conn, update_binary(0x10, b"\x11\x11\x11\x11")) == (b"", FAILED)
    assert not card.authenticated

    assert transmit(conn, thru(b"\x1b\x12\x34\x56\x78")) == (b"\xd5\x43\x00\xab\xcd", OK)
    assert card.authenticated
    assert transmit(conn, update_binary(0x10, b"\x11\x11\x11\x11")) == (b"", OK)
    assert card.pages(0x10, 1) == b"\x11\x11\x11\x11"

    # PWD (0x85) and PACK (0x86) read back as zeros although set.
    data, sw = transmit(conn, read_binary(0x85))
    assert sw == OK and data[:8] == bytes(8)
    assert card.pages(0x85, 2) == b"\x12\x34\x56\x78\xab\xcd\x00\x00"

    # A new PC/SC connection is a new power cycle: the authentication is gone.
    conn.disconnect()
    conn = rig.connect()
    assert transmit(conn, update_binary(0x10, b"\x22\x22\x22\x22")) == (b"", FAILED)
    assert card.pages(0x10, 1) == b"\x11\x11\x11\x11"


def test_remove_then_insert_brings_the_same_card_back(card: VirtualCard, rig: Rig) -> None:
    conn = rig.connect()
    assert transmit(conn, update_binary(0x20, b"\xca\xfe\xba\xbe")) == (b"", OK)
    assert reader_state(READER_0) & SCARD_STATE_PRESENT

    card.remove()
    assert not card.inserted
    assert reader_state(READER_0) & SCARD_STATE_EMPTY
    with pytest.raises(CardConnectionException):
        transmit(conn, GET_UID)
    with pytest.raises(NoCardException):
        rig.connect()

    card.insert()
    assert reader_state(READER_0) & SCARD_STATE_PRESENT
    conn = rig.connect()
    assert transmit(conn, GET_UID) == (UID_7, OK)
    data, sw = transmit(conn, read_binary(0x20))
    assert (data[:4], sw) == (b"\xca\xfe\xba\xbe", OK)


def test_remove_after_n_apdus_fails_the_next_one(card: VirtualCard, rig: Rig) -> None:
    conn = rig.connect()
    before = card.apdu_count

    card.remove_after(2)
    assert transmit(conn, update_binary(0x06, b"\x06\x06\x06\x06")) == (b"", OK)
    assert transmit(conn, update_binary(0x07, b"\x07\x07\x07\x07")) == (b"", OK)
    with pytest.raises(CardConnectionException):
        transmit(conn, update_binary(0x08, b"\x08\x08\x08\x08"))

    assert card.apdu_count == before + 2
    assert not card.inserted
    assert card.pages(6, 3) == b"\x06\x06\x06\x06\x07\x07\x07\x07" + bytes(4)

    card.insert()  # and it comes back
    data, sw = transmit(rig.connect(), read_binary(0x06))
    assert (data[:12], sw) == (card.pages(6, 3), OK)


def test_insert_without_vpcd_is_a_clear_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    card = VirtualCard("ntag215", port=port)
    with pytest.raises(VirtualCardError, match="vpcd does not listen"):
        card.insert(timeout=1.0)


# ----------------------------------------------------------------------------------------
# Chip rules, straight through process_apdu (no pcscd).

Apdu = Callable[[bytes], tuple[bytes, int]]


def _driver(card: VirtualCard) -> Apdu:
    def send(apdu: bytes) -> tuple[bytes, int]:
        response = card.process_apdu(apdu)
        return response[:-2], int.from_bytes(response[-2:], "big")

    return send


@pytest.mark.parametrize("kind", [k.value for k in CardKind if k is not CardKind.MIFARE_CLASSIC])
def test_random_uid_is_valid_for_its_kind(kind: str) -> None:
    card = VirtualCard(kind)
    assert len(card.uid) == 7 and card.uid[0] == 0x04
    assert card.pages(0, 1)[3] == 0x88 ^ card.uid[0] ^ card.uid[1] ^ card.uid[2]
    assert len(VirtualCard("mifare_classic").uid) == 4
    with pytest.raises(ValueError):
        VirtualCard(kind, uid=UID_4)


def test_read_protection_rolls_over_at_auth0() -> None:
    card = VirtualCard("ntag213", UID_7)
    send = _driver(card)
    card.memory[0x0E * 4 : 0x12 * 4] = bytes(range(16))
    card.set_password(b"pass", b"ok", auth0=0x10, prot=True)

    assert send(read_binary(0x10)) == (b"", FAILED)
    data, sw = send(read_binary(0x0E))  # pages 0E, 0F, then back to 00, 01
    assert sw == OK and data == bytes(range(8)) + card.pages(0, 2)

    assert send(thru(b"\x1bpass")) == (b"\xd5\x43\x00ok", OK)
    data, sw = send(read_binary(0x0E))
    assert sw == OK and data == bytes(range(16))


def test_lock_bits_and_cfglck() -> None:
    card = VirtualCard("ntag215", UID_7)
    send = _driver(card)
    assert send(update_binary(0x02, b"\x00\x00\x10\x00")) == (b"", OK)  # L4
    assert card.pages(2, 1)[2] == 0x10
    assert send(update_binary(0x04, b"\x01\x01\x01\x01")) == (b"", FAILED)
    assert send(update_binary(0x05, b"\x01\x01\x01\x01")) == (b"", OK)

    assert send(update_binary(0x82, b"\x01\x00\x00\x00")) == (b"", OK)  # pages 16-31
    assert send(update_binary(0x1F, b"\x01\x01\x01\x01")) == (b"", FAILED)
    assert send(update_binary(0x20, b"\x01\x01\x01\x01")) == (b"", OK)

    assert send(update_binary(0x84, b"\x40\x05\x00\x00")) == (b"", OK)  # CFGLCK
    assert send(update_binary(0x84, b"\x00\x05\x00\x00")) == (b"", FAILED)
    assert send(update_binary(0x83, b"\x04\x00\x00\x10")) == (b"", FAILED)


def test_unknown_commands() -> None:
    send = _driver(VirtualCard("ntag215", UID_7))
    assert send(bytes.fromhex("FFEE000000")) == (b"", 0x6A81)
    assert send(bytes.fromhex("00A4040000")) == (b"", 0x6E00)
    assert send(thru(b"\x3c\x00"))[0] == b"\xd5\x43\x01"  # READ_SIG: not emulated, NAK
    assert send(bytes.fromhex("FFCA000004")) == (b"", 0x6C07)  # Le too short for the UID

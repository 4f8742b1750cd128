"""The NTAG protocol's pure parts: TLVs, the phone's view of a URL, ATRs, passwords."""

from __future__ import annotations

import ndef

from regie.cards import ntag
from regie.cards.protection import card_password, new_batch_key
from tests.rig.vcard import ACR122U_CLASSIC_1K_ATR, ACR122U_NTAG_ATR

URL = "https://demo.example/qr/b194aeb9-0f77-4e3c-9ef6-047ea6b8726e"


def test_tlv_keeps_the_ntag213_lock_control_and_a_phone_reads_the_url() -> None:
    factory = bytes.fromhex("0103A00C340300FE") + bytes(8)
    prefix = ntag.control_prefix(factory)
    assert prefix == bytes.fromhex("0103A00C34")
    image = ntag.area_image(prefix, URL)
    assert len(image) % 4 == 0 and image.startswith(prefix + b"\x03")
    where = ntag.find_ndef(image)
    assert where is not None and where.length_offset == 6
    assert image[where.end] == ntag.TLV_TERMINATOR
    assert ntag.url_in(image) == URL
    assert ntag.url_in(factory) is None  # empty NDEF TLV


def test_a_long_message_uses_the_three_byte_length() -> None:
    url = "https://festival.example/" + "x" * 300
    image = ntag.area_image(b"", url)
    assert image[:2] == b"\x03\xff"
    assert int.from_bytes(image[2:4], "big") == len(
        b"".join(ndef.message_encoder([ndef.UriRecord(url)]))
    )
    assert ntag.url_in(image) == url


def test_null_tlvs_and_garbage_are_not_a_url() -> None:
    assert ntag.url_in(b"\x00\x00" + ntag.area_image(b"", URL)) == URL
    assert ntag.url_in(b"\xfe" + bytes(15)) is None
    assert ntag.url_in(b"\x03\x10\xd1\x01") is None  # cut short


def test_the_atr_tells_classic_from_the_ntag_family() -> None:
    assert ntag.chip_from_atr(ACR122U_CLASSIC_1K_ATR) is ntag.Chip.MIFARE_CLASSIC
    assert ntag.chip_from_atr(ACR122U_NTAG_ATR) is None  # ask GET_VERSION
    assert (
        ntag.chip_from_atr(bytes.fromhex("3B8A80010031C173C8400000900090")) is ntag.Chip.UNSUPPORTED
    )


def test_memory_maps_follow_the_datasheet() -> None:
    m213, m215, m216 = (
        ntag.NTAG_MODELS[c] for c in (ntag.Chip.NTAG213, ntag.Chip.NTAG215, ntag.Chip.NTAG216)
    )
    assert (m213.user_bytes, m213.cfg0, m213.pwd, m213.pack) == (144, 0x29, 0x2B, 0x2C)
    assert (m215.user_bytes, m215.cfg0, m215.pwd, m215.pack) == (504, 0x83, 0x85, 0x86)
    assert (m216.user_bytes, m216.cfg0, m216.pwd, m216.pack) == (888, 0xE3, 0xE5, 0xE6)


def test_each_card_has_its_own_password_and_it_never_shows_in_a_repr() -> None:
    key = new_batch_key()
    a = card_password(key, bytes.fromhex("04A1B2C3D4E5F6"))
    assert a == card_password(key, bytes.fromhex("04A1B2C3D4E5F6"))
    assert a != card_password(key, bytes.fromhex("04A1B2C3D4E5F7"))
    assert a != card_password(new_batch_key(), bytes.fromhex("04A1B2C3D4E5F6"))
    assert len(a.pwd) == 4 and len(a.pack) == 2
    assert a.pwd.hex() not in repr(a) and a.pwd.hex().upper() not in repr(a)

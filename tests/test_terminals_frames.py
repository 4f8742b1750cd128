"""The frame layer of the terminal link: checksums a vendor can reproduce, resynchronisation
on noise, damaged frames named by their exchange number, pyserial's loop:// URL."""

from __future__ import annotations

import binascii
import zlib

import pytest

from regie.terminals.frames import MAGIC, Damaged, Decoder, Frame, Kind, crc16, encode
from regie.terminals.link import LinkError, PortUnavailable, TerminalLink


def test_checksums_are_the_standard_ones_a_vendor_can_check() -> None:
    # The check values of CRC-16/XMODEM and CRC-32/ISO-HDLC (docs/terminal-protocol.md).
    assert crc16(b"123456789") == 0x31C3
    assert zlib.crc32(b"123456789") == 0xCBF43926
    frame = encode(Kind.HELLO, 0x1234, b'{"protocol":[1,1]}')
    assert frame[:2] == MAGIC and frame[2] == 0x01 and frame[4:6] == b"\x12\x34"
    assert int.from_bytes(frame[6:10], "big") == 18
    assert int.from_bytes(frame[10:12], "big") == binascii.crc_hqx(frame[:10], 0)
    assert int.from_bytes(frame[-4:], "big") == zlib.crc32(frame[:-4])
    assert len(frame) == 12 + 18 + 4


def test_frames_are_found_in_noise_and_noise_is_counted() -> None:
    noise = b"\x00\xff\xa5garbage\xa5\x52\x01\x00\x00"  # even a false magic and header
    stream = noise + encode(Kind.HELLO, 7, b"{}") + b"\x13\x37" + encode(Kind.STATUS, 8, b"")
    decoder = Decoder()
    got = decoder.feed(stream)
    assert got == [Frame(Kind.HELLO, 7, b"{}"), Frame(Kind.STATUS, 8, b"")]
    assert decoder.noise == len(noise) + 2


def test_a_stream_cut_anywhere_decodes_the_same() -> None:
    stream = b"xx" + encode(Kind.CHUNK, 1, bytes(range(256)) * 10) + encode(Kind.VERIFY, 2, b"{}")
    decoder = Decoder()
    got = []
    for byte in stream:
        got += decoder.feed(bytes([byte]))
    assert [(f.kind, f.exchange) for f in got] == [(Kind.CHUNK, 1), (Kind.VERIFY, 2)]


def test_a_flipped_payload_byte_is_reported_with_its_exchange_number() -> None:
    frame = bytearray(encode(Kind.CHUNK, 41, b"\0" * 100))
    frame[50] ^= 0x01
    decoder = Decoder()
    got = decoder.feed(bytes(frame) + encode(Kind.CHUNK, 42, b"ok"))
    assert got == [Damaged(Kind.CHUNK, 41), Frame(Kind.CHUNK, 42, b"ok")]
    assert decoder.damaged == 1


def test_a_magic_in_the_noise_does_not_swallow_the_next_frame() -> None:
    # A false header claiming 200 KB: without the header checksum the decoder would wait for it.
    false_header = MAGIC + b"\x11\x00\x00\x01\x00\x03\x0d\x40" + b"\x00\x00"
    decoder = Decoder()
    assert decoder.feed(false_header + encode(Kind.HELLO, 1, b"{}")) == [
        Frame(Kind.HELLO, 1, b"{}")
    ]


def test_a_frame_larger_than_the_limit_cannot_be_made() -> None:
    with pytest.raises(ValueError):
        encode(Kind.CHUNK, 1, b"\0" * (256 * 1024 + 1))


def test_a_looped_line_is_named_an_echo_not_a_terminal() -> None:
    with TerminalLink("loop://", timeout=0.5) as link, pytest.raises(LinkError) as error:
        link.greet()
    assert "renvoie ce que Régie envoie" in str(error.value)


@pytest.mark.parametrize(
    ("port", "reason"),
    [("/dev/ttyDOESNOTEXIST", "introuvable"), ("socket://127.0.0.1:9", "connexion refusée")],
)
def test_a_port_that_does_not_open_says_why_in_french(port: str, reason: str) -> None:
    with pytest.raises(PortUnavailable) as error:
        TerminalLink(port).open()
    assert f"le port {port} ne s'ouvre pas ({reason})" in str(error.value)


def test_a_frame_cut_short_does_not_swallow_the_requests_that_follow() -> None:
    # The terminal restarted mid-chunk: its port still holds the start of a 16 KB frame, then
    # Régie's hellos arrive. They must be answered, not taken for the chunk's missing bytes.
    cut = encode(Kind.CHUNK, 9, b"\0" * 16_000)[:5_000]
    decoder = Decoder()
    got = decoder.feed(cut)
    got += decoder.feed(encode(Kind.HELLO, 10, b"{}"))
    assert got == [Frame(Kind.HELLO, 10, b"{}")]


def test_a_frame_cut_short_at_the_end_of_the_line_is_given_up_when_it_goes_quiet() -> None:
    decoder = Decoder()
    assert decoder.feed(encode(Kind.CHUNK, 9, b"\0" * 16_000)[:5_000]) == []
    assert decoder.pending == 5_000
    assert decoder.give_up_partial() == [] and decoder.pending < 5_000

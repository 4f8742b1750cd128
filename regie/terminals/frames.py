"""Frames of the terminal link: what travels on the serial line (docs/terminal-protocol.md).

Both ends use this module: Régie (:mod:`regie.terminals.link`) and the reference agent
(:mod:`regie.terminals.agent_server`). It only needs the standard library and orjson, so the
agent runs on a small Linux box without the rest of Régie's dependencies.

A frame is a 12-byte header, a payload and a CRC-32::

    0  2  magic 0xA5 0x52
    2  1  message type
    3  1  flags (0)
    4  2  exchange number, big-endian (a reply carries its request's number)
    6  4  payload length N, big-endian (at most MAX_PAYLOAD)
    10 2  CRC-16/XMODEM of bytes 0-9
    12 N  payload
    12+N 4 CRC-32 (ISO-HDLC, as zlib) of bytes 0 .. 11+N, big-endian

The header's own checksum lets a receiver that synchronised on noise notice it at once,
instead of waiting for a payload whose length it read in the noise.
"""

from __future__ import annotations

import binascii
import enum
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

MAGIC = b"\xa5\x52"
HEAD = struct.Struct(">2sBBHI")  # magic, type, flags, exchange, length: 10 bytes
HEADER_SIZE = HEAD.size + 2
TRAILER_SIZE = 4
MAX_PAYLOAD = 256 * 1024
CHUNK_OFFSET = struct.Struct(">I")
JOURNAL_HEAD = struct.Struct(">QQ")  # last seq in this batch, newest seq of the journal
BATCH_MAC = 32  # a signed JOURNAL reply ends with the HMAC-SHA256 of the batch


class Kind(enum.IntEnum):
    """Message types. A reply's type is its request's type with the high bit set."""

    HELLO = 0x01
    STATUS = 0x02
    OFFER = 0x10
    CHUNK = 0x11
    VERIFY = 0x12
    COMMIT = 0x13
    PAIR = 0x14  # the office hands the terminal its pairing secret
    JOURNAL = 0x20
    JOURNAL_ACK = 0x21
    NAK = 0x7E  # "your frame arrived damaged: send it again"
    ERROR = 0x7F  # the request was understood and refused

    @property
    def reply(self) -> int:
        return int(self) | 0x80


@dataclass(frozen=True)
class Frame:
    kind: int
    exchange: int
    payload: bytes

    def json(self) -> dict[str, Any]:
        return unpack_json(self.payload)


@dataclass(frozen=True)
class Damaged:
    """A frame whose header was sound and whose payload checksum was not."""

    kind: int
    exchange: int


def crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0, no reflection): 0x31C3 for b"123456789"."""
    return binascii.crc_hqx(data, 0)


def encode(kind: int, exchange: int, payload: bytes = b"") -> bytes:
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes > {MAX_PAYLOAD}")
    head = HEAD.pack(MAGIC, kind, 0, exchange & 0xFFFF, len(payload))
    header = head + crc16(head).to_bytes(2, "big")
    crc = zlib.crc32(payload, zlib.crc32(header))
    return header + payload + crc.to_bytes(4, "big")


def pack_json(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value)


def unpack_json(payload: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(payload) if payload else {}
    except orjson.JSONDecodeError as error:
        raise ValueError(f"JSON illisible : {error}") from None
    if not isinstance(value, dict):
        raise ValueError("objet JSON attendu")
    return value


class Decoder:
    """Turns the bytes of the line into frames; skips noise; reports damaged frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._resume = 1  # where the search for a frame inside a pending one goes on
        self.noise = 0  # bytes skipped while looking for a frame
        self.damaged = 0  # frames whose payload checksum failed

    def feed(self, data: bytes) -> list[Frame | Damaged]:
        buffer = self._buffer
        buffer += data
        found: list[Frame | Damaged] = []
        while True:
            start = buffer.find(MAGIC)
            if start < 0:
                keep = 1 if buffer[-1:] == MAGIC[:1] else 0
                self.noise += len(buffer) - keep
                del buffer[: len(buffer) - keep]
                self._resume = 1
                return found
            if start:
                self.noise += start
                del buffer[:start]
                self._resume = 1
            if len(buffer) < HEADER_SIZE:
                return found
            _magic, kind, _flags, exchange, length = HEAD.unpack_from(buffer)
            sound = int.from_bytes(buffer[10:12], "big") == crc16(memoryview(buffer)[:10])
            if not sound or length > MAX_PAYLOAD:
                self.noise += 1  # a magic in the noise: look further
                del buffer[:1]
                self._resume = 1
                continue
            end = HEADER_SIZE + length + TRAILER_SIZE
            if len(buffer) < end:
                inner = self._whole_frame_inside(buffer)
                if inner:  # this frame was cut short and the line went on: skip its start
                    self.noise += inner
                    del buffer[:inner]
                    self._resume = 1
                    continue
                return found
            body = memoryview(buffer)[: end - TRAILER_SIZE]
            if zlib.crc32(body) == int.from_bytes(buffer[end - TRAILER_SIZE : end], "big"):
                found.append(Frame(kind, exchange, bytes(buffer[HEADER_SIZE : end - TRAILER_SIZE])))
            else:
                self.damaged += 1
                found.append(Damaged(kind, exchange))
            body.release()
            del buffer[:end]
            self._resume = 1

    def _whole_frame_inside(self, buffer: bytearray) -> int:
        """Where a complete, sound frame starts after the pending frame's start, or 0.

        The search resumes where the last one stopped: a 128 KB frame arriving 4 KB at a
        time is scanned once, not 32 times."""
        at = max(1, self._resume)
        while True:
            at = buffer.find(MAGIC, at)
            if at < 0:
                self._resume = max(1, len(buffer) - 1)
                return 0
            if len(buffer) - at < HEADER_SIZE:
                self._resume = at
                return 0
            head = bytes(buffer[at : at + HEADER_SIZE])
            length = HEAD.unpack_from(head)[4]
            end = at + HEADER_SIZE + length + TRAILER_SIZE
            if int.from_bytes(head[10:12], "big") == crc16(head[:10]) and length <= MAX_PAYLOAD:
                if end > len(buffer):
                    self._resume = at  # a candidate still arriving: look at it again
                    return 0
                if zlib.crc32(memoryview(buffer)[at : end - TRAILER_SIZE]) == int.from_bytes(
                    buffer[end - TRAILER_SIZE : end], "big"
                ):
                    return at
            at += 1

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def give_up_partial(self) -> list[Frame | Damaged]:
        """The line went quiet in the middle of a frame: it was cut (a cable pulled, the
        other end restarted). Drop its start and look for frames in what is buffered, so a
        truncated frame cannot swallow the requests that follow it."""
        if not self._buffer:
            return []
        self.noise += 1
        del self._buffer[:1]
        self._resume = 1
        return self.feed(b"")

"""Signed journal lines and batches: how a paired terminal proves a line is its own.

A terminal paired with Régie holds a 32-byte secret (Régie keeps the same one in the OS
keyring). Each journal line it hands over ends with its HMAC-SHA256, as the line's last
field::

    {"v":1,"terminal":"SUNMI-V2S-001","seq":7,…,"mac":"<64 hex>"}

The MAC covers the line's bytes without that field: the bytes before ``,"mac":"`` followed by
the closing ``}``. Checking a line is then a slice and one HMAC, no second JSON pass: a
million lines cost about a second. A batch sent over the cable is signed as a whole too, over
the office's fresh nonce, so a recorded batch cannot be played again.

Standard library only: the terminal's agent uses it on a small Linux box.
"""

from __future__ import annotations

import hashlib
import hmac

SECRET_SIZE = 32
MAC_FIELD = b',"mac":"'
MAC_HEX = 64
SUFFIX = len(MAC_FIELD) + MAC_HEX + 2  # ,"mac":"…"}
BATCH_MAC_SIZE = 32
NONCE_SIZE = 16


def key_id(secret: bytes) -> str:
    """A public name for a secret: both ends compare it without ever showing the secret."""
    return hmac.new(secret, b"regie-pairing-id", hashlib.sha256).hexdigest()[:16]


def sign_line(secret: bytes, line: bytes) -> bytes:
    """``line`` (a JSON object, no newline) with its MAC as last field."""
    body = line.rstrip(b"\r\n")
    mac = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    return body[:-1] + MAC_FIELD + mac + b'"}'


def split_mac(raw: bytes) -> tuple[bytes, bytes] | None:
    """(the signed bytes, the MAC in hex) of a signed line, or None when it carries none."""
    line = raw.rstrip(b"\r\n \t")
    if len(line) <= SUFFIX or not line.endswith(b'"}'):
        return None
    if line[-SUFFIX : -SUFFIX + len(MAC_FIELD)] != MAC_FIELD:
        return None
    return line[:-SUFFIX] + b"}", line[-MAC_HEX - 2 : -2]


def mac_matches(secret: bytes, body: bytes, mac: bytes) -> bool:
    """Whether ``mac`` (hex) is ``secret``'s HMAC of ``body`` (the line without its MAC)."""
    try:
        expected = bytes.fromhex(mac.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return False
    return hmac.compare_digest(hmac.digest(secret, body, "sha256"), expected)


def line_signed_by(secret: bytes, raw: bytes) -> bool | None:
    """True: signed with ``secret``; False: signed otherwise or altered; None: unsigned."""
    parts = split_mac(raw)
    if parts is None:
        return None
    body, mac = parts
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, mac)


def batch_mac(secret: bytes, nonce: bytes, since: int, head: bytes, lines: bytes) -> bytes:
    """The MAC closing a JOURNAL reply: the office's nonce, the request, the reply's bytes."""
    message = b"regie-journal-batch\0" + nonce + since.to_bytes(8, "big") + head + lines
    return hmac.new(secret, message, hashlib.sha256).digest()

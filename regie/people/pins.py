"""PINs: checked for shape, stored as a salted scrypt hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from regie.errors import UserError
from regie.i18n import _

SALT_BYTES = 16
# scrypt's interactive-login cost (RFC 7914 §2): ~50 ms, 16 MiB — a stolen database makes a
# 4-digit PIN guessable anyway, the cost only slows a thief down; the PIN keeps colleagues apart.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_DIGITS, MAX_DIGITS = 4, 12


def check_shape(pin: str) -> str:
    pin = pin.strip()
    if not pin.isdigit() or not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise UserError(
            _("un code PIN a de {low} à {high} chiffres").format(low=MIN_DIGITS, high=MAX_DIGITS)
        )
    return pin


def digest(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **SCRYPT)


def hash_pin(pin: str) -> tuple[bytes, bytes]:
    """``(salt, hash)`` for a new PIN; the PIN itself is never stored."""
    salt = secrets.token_bytes(SALT_BYTES)
    return salt, digest(check_shape(pin), salt)


def pin_matches(pin: str, salt: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(digest(pin.strip(), salt), expected)

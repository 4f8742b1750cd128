"""PINs: checked for shape, stored as a salted scrypt hash, compared in constant time.

A manager's or an administrator's PIN opens the till's money and the people: it has at least
six digits; an operator may keep four. A longer PIN of a role that needs it is the defence
against an offline search; :mod:`regie.people.lockout` is the one against guessing at the door.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from regie.errors import UserError
from regie.i18n import _

SALT_BYTES = 16
# scrypt's interactive-login cost (RFC 7914 §2): ~50 ms, 16 MiB — a stolen database makes a
# short PIN guessable anyway, the cost only slows a thief down; the PIN keeps colleagues apart.
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MIN_DIGITS, MAX_DIGITS = 4, 12
TRUSTED_MIN_DIGITS = 6  # managers and administrators
TRUSTED_ROLES = frozenset({"manager", "admin"})


def min_digits(role: str | None) -> int:
    """The shortest PIN a role may have (``None``: any role)."""
    return TRUSTED_MIN_DIGITS if role in TRUSTED_ROLES else MIN_DIGITS


def check_shape(pin: str, role: str | None = None) -> str:
    """The PIN stripped, if it has the digits the role needs; else say how many."""
    pin = pin.strip()
    low = min_digits(role)
    if not pin.isdigit() or not low <= len(pin) <= MAX_DIGITS:
        if low > MIN_DIGITS:
            raise UserError(
                _(
                    "le code PIN d'un responsable ou d'un administrateur a de {low} à {high} "
                    "chiffres"
                ).format(low=low, high=MAX_DIGITS)
            )
        raise UserError(
            _("un code PIN a de {low} à {high} chiffres").format(low=low, high=MAX_DIGITS)
        )
    return pin


def too_short_for(pin: str, role: str) -> bool:
    """A PIN set before the rule, now too short for the role (its owner must change it)."""
    return len(pin.strip()) < min_digits(role)


def digest(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **SCRYPT)


def hash_pin(pin: str, role: str | None = None) -> tuple[bytes, bytes]:
    """``(salt, hash)`` for a new PIN; the PIN itself is never stored."""
    salt = secrets.token_bytes(SALT_BYTES)
    return salt, digest(check_shape(pin, role), salt)


def pin_matches(pin: str, salt: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(digest(pin.strip(), salt), expected)

"""What a value from outside may be, declared once: the hard limit of an amount, the length of
a text (its column's), the characters a text may hold.

Every parser (journal lines, card, inventory and Stripe files, backups) and the desk check
their values here before anything is written, so that a value out of bounds is refused with
the field named — never an « integer overflow » in a later closure, never a text that SQLite
keeps and PostgreSQL refuses.
"""

from __future__ import annotations

import re
from typing import Any

from regie.i18n import _, format_money

# One amount (a top-up, a sale, a line of a file, a cost): at most 1,000,000,000.00 €.
# Far below 2^53 (what a JSON reader or a spreadsheet keeps exactly) and below 2^63 / 10^7:
# ten million such amounts still add up inside a 64-bit column.
MAX_CENTS = 10**11
# A number written in a file (« 1 234 567,89 », « 1E3 »): longer than this it is no amount,
# and reading « 1E10000000 » exactly would cost seconds and megabytes.
MAX_NUMBER_TEXT = 32
# A note or a reason (a Text column): long enough for any, short enough for every ticket.
MAX_NOTE = 10_000
# How long a SQLite connection waits for another's write to end (every connection Régie opens).
SQLITE_BUSY_MS = 10_000
# C0 and C1 controls (NUL: PostgreSQL refuses it) and lone surrogates (no UTF-8 for them).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_NOTES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class OutOfBounds(ValueError):
    """A value beyond its limit; the message says which limit, the caller names the field."""


def amount(value: int, *, negative: bool = False) -> int:
    """``value`` if it is an amount within ±:data:`MAX_CENTS` (≥ 0 unless ``negative``)."""
    if value.__class__ is not int:
        raise OutOfBounds(_("montant entier en centimes attendu"))
    if value > MAX_CENTS or value < (-MAX_CENTS if negative else 0):
        raise OutOfBounds(
            _("{value} centimes, au-delà de la limite de {limit} par montant").format(
                value=_short(value), limit=format_money(MAX_CENTS)
            )
        )
    return value


def count(value: int, *, limit: int = 10**9) -> int:
    """A quantity, a number of months, a sequence number: an int in ``0..limit``."""
    if value.__class__ is not int or not 0 <= value <= limit:
        raise OutOfBounds(
            _("nombre hors limites : {value} (de 0 à {limit})").format(
                value=_short(value), limit=limit
            )
        )
    return value


def length_of(column: Any) -> int:
    """The length of a ``String(n)`` column (a mapped attribute or a table column)."""
    length = getattr(getattr(column, "type", None), "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column!r} has no String(n) length")
    return length


def text(value: str, limit: int) -> str:
    """``value`` if it has at most ``limit`` characters and no control character (PostgreSQL
    refuses NUL; a tab or a line break in a name breaks every list and ticket)."""
    if len(value) > limit:
        raise OutOfBounds(
            _("texte trop long : {length} caractères (au plus {limit})").format(
                length=len(value), limit=limit
            )
        )
    return _printable(value, _CONTROL)


def free_text(value: str, limit: int = MAX_NOTE) -> str:
    """Notes, reasons: line breaks and tabs allowed, NUL and the other controls not."""
    if len(value) > limit:
        text(value, limit)
    return _printable(value, _CONTROL_IN_NOTES)


def _printable(value: str, control: re.Pattern[str]) -> str:
    bad = control.search(value)
    if bad is not None:
        raise OutOfBounds(
            _("caractère de contrôle U+{code:04X} refusé").format(code=ord(bad.group()))
        )
    return value


def _short(value: object) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return repr(value)[:30]
    number = value
    if abs(number) < 10**30:
        return str(number)
    return ("-" if number < 0 else "") + f"2^{abs(number).bit_length() - 1}…"

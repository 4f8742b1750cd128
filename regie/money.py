"""Money: integer cents and a currency code. Parsed exactly, formatted only at the edge."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ``30000`` → ``"300,00 €"`` for people, in the language chosen: regie.i18n formats it (and
# keeps each text per language: tables repaint the same amounts).
from regie.errors import UserError
from regie.i18n import _, language
from regie.i18n import format_money as format_money
from regie.limits import MAX_NUMBER_TEXT, OutOfBounds
from regie.limits import amount as bounded_amount


class MoneyFormatError(UserError, ValueError):
    """An amount that cannot be read, or beyond the limit: its message says which."""


# Thousands grouped by commas (English: 1,234.50) or by dots (1.234,50).
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
# What is left once the groups are gone: ASCII digits and one point (no exponent, no « ² »).
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$", re.ASCII)


def parse_cents(text: str) -> int:
    """``"300"``, ``"300.5"``, ``"1 234,56"``, ``"0,35"``, ``"€1,234.50"`` → cents, exactly;
    never a float. ``"1,234"`` is 1234 € in English and 1,234 € (refused) in French.

    Raises MoneyFormatError for anything else (three decimals, letters, empty, an exponent,
    more than :data:`regie.limits.MAX_CENTS`).
    """
    if len(text) > 4 * MAX_NUMBER_TEXT:  # before any work on it: « 1E300000 » costs seconds
        raise MoneyFormatError(_("montant illisible : « {text} »").format(text=text[:40] + "…"))
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    for mark in ("€", "EUR"):
        cleaned = cleaned.removeprefix(mark).removesuffix(mark)
    if _COMMA_GROUPS.match(cleaned) and ("." in cleaned or language() == "en"):
        cleaned = cleaned.replace(",", "")
    elif _DOT_GROUPS.match(cleaned) and "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif "," in cleaned and "." in cleaned:
        raise MoneyFormatError(_("montant ambigu : « {text} »").format(text=text))
    else:
        cleaned = cleaned.replace(",", ".")
    if len(cleaned) > MAX_NUMBER_TEXT or not _PLAIN.match(cleaned):
        raise MoneyFormatError(_("montant illisible : « {text} »").format(text=text))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - _PLAIN lets only plain decimals through
        raise MoneyFormatError(_("montant illisible : « {text} »").format(text=text)) from None
    cents = value * 100
    if cents != cents.to_integral_value():
        raise MoneyFormatError(_("plus de deux décimales : « {text} »").format(text=text))
    return cents_within(int(cents))


def cents_within(cents: int) -> int:
    """``cents`` if it is within ±:data:`MAX_CENTS`, else MoneyFormatError saying the limit."""
    try:
        return bounded_amount(cents, negative=True)
    except OutOfBounds as error:
        raise MoneyFormatError(str(error)) from None


def cents_to_decimal_text(cents: int) -> str:
    """``30000`` → ``"300.00"``: the plain form files use (CSV, exports)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"

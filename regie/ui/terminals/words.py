"""The terminal screens' figures for people, in the language shown: sizes and VAT rates
(the core's ``size_text`` and ``vat_text`` write them in French for its own messages)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from regie.i18n import _, locale_name
from regie.ledger.labels import vat_rate

KIB = 1024


def size_text(n: int) -> str:
    """``840`` → ``840 o``, ``1536`` → ``2 Ko``, ``1048576`` → ``1,0 Mo`` (``1.0 MB``)."""
    if n < KIB:
        return _("{size} o").format(size=n)
    if n < KIB * KIB:
        return _("{size} Ko").format(size=round(n / KIB))
    size = format_decimal(Decimal(n) / KIB / KIB, format="#,##0.0", locale=locale_name())
    return _("{size} Mo").format(size=size)


def vat_text(bp: int) -> str:
    """``550`` → ``5,5 %`` (``5.5%``)."""
    return vat_rate(bp)

"""Sizes and shares of a transfer in words, one way for the command line and the window.

A transfer cut near its end must not read as finished: « 1,2 Mo sur 1,2 Mo » when 14 Ko are
missing would tell the office that everything arrived. So the part held is rounded down, never
up, and gets the decimals it needs to differ from the whole (down to the byte if need be); a
percentage is rounded down too and reads 100 % only when the last byte is there.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from babel.numbers import format_decimal

from regie.i18n import N_, _, format_number, locale_name

KIB = 1024
MIB = KIB * KIB
FINEST = 3  # decimals at most before falling back to bytes (0.001 Mo ≈ 1 Ko)

BYTES = N_("{size} o")
KILOBYTES = N_("{size} Ko")
MEGABYTES = N_("{size} Mo")


def size_text(n: int) -> str:
    """A size on its own: ``840`` → ``840 o``, ``1536`` → ``2 Ko``, ``1048576`` → ``1,0 Mo``
    (``1.0 MB`` in English)."""
    if n < KIB:
        return _(BYTES).format(size=format_number(n))
    if n < MIB:
        return _(KILOBYTES).format(size=_decimal(Decimal(n) / KIB, 0, ROUND_HALF_EVEN))
    return _(MEGABYTES).format(size=_decimal(Decimal(n) / MIB, 1, ROUND_HALF_EVEN))


def progress_sizes(held: int, size: int) -> tuple[str, str]:
    """``held`` of ``size`` in the whole's unit, never reading as all of it before the end:
    ``(1_245_184, 1_260_021)`` → ``("1,1 Mo", "1,2 Mo")``, not ``1,2 Mo`` twice."""
    if size < KIB:
        return _(BYTES).format(size=format_number(held)), _(BYTES).format(size=format_number(size))
    unit, template, digits = (MIB, MEGABYTES, 1) if size >= MIB else (KIB, KILOBYTES, 0)
    for places in range(digits, FINEST + 1):
        part = _decimal(Decimal(held) / unit, places, ROUND_DOWN)
        whole = _decimal(Decimal(size) / unit, places, ROUND_HALF_EVEN)
        if held >= size or part != whole:
            return _(template).format(size=part), _(template).format(size=whole)
    return _(BYTES).format(size=format_number(held)), _(BYTES).format(size=format_number(size))


def progress_percent(done: int, total: int) -> int:
    """The share done, rounded down: 99 % until the last byte, 100 % only then."""
    if total <= 0:
        return 0
    return min(100, done * 100 // total)


def _decimal(value: Decimal, places: int, rounding: str) -> str:
    step = Decimal(1).scaleb(-places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value.quantize(step, rounding=rounding), pattern, locale=locale_name())

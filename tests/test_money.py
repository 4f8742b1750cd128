"""Amounts typed by people: exact cents in French and in English, refused with the text read."""

from __future__ import annotations

import pytest

from regie import i18n
from regie.money import MoneyFormatError, format_money, parse_cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("300", 30000),
        ("300.5", 30050),
        ("1 234,56", 123456),
        ("0,35", 35),
        ("12,50 €", 1250),
        ("1\u202f234,50\xa0€", 123450),
        ("1.234,56", 123456),
        ("-4,50", -450),
    ],
)
def test_french_amounts_are_read_exactly(typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("€1,234.50", 123450),
        ("1,234.50", 123450),
        ("€0.00", 0),
        ("12.5", 1250),
        ("1,234", 123400),
        ("0,35", 35),
        ("EUR 7.10", 710),
    ],
)
def test_english_amounts_are_read_exactly(english: None, typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


def test_what_the_field_shows_is_read_back_in_both_languages(english: None) -> None:
    for cents in (0, 35, 123450, 1700000):
        assert parse_cents(format_money(cents)) == cents
    i18n.set_language("fr")
    for cents in (0, 35, 123450, 1700000):
        assert parse_cents(format_money(cents)) == cents


@pytest.mark.parametrize("typed", ["", "douze", "1,2.3", "1.005", "1,234.5.6", "12,345,6"])
def test_unreadable_amounts_are_refused_with_the_text(typed: str) -> None:
    with pytest.raises(MoneyFormatError, match="«"):
        parse_cents(typed)

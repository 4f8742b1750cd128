"""Money: integer cents and a currency code. Parsed exactly, formatted only at the edge."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency

from regie.i18n import _


class MoneyFormatError(ValueError):
    pass


def parse_cents(text: str) -> int:
    """``"300"``, ``"300.5"``, ``"1 234,56"``, ``"0,35"`` → cents, exactly; never a float.

    Raises MoneyFormatError for anything else (three decimals, letters, empty).
    """
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.removesuffix("€").removesuffix("EUR").strip()
    if "," in cleaned and "." in cleaned:
        raise MoneyFormatError(_("montant ambigu : « {text} »").format(text=text))
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyFormatError(_("montant illisible : « {text} »").format(text=text)) from None
    if not value.is_finite():
        raise MoneyFormatError(_("montant illisible : « {text} »").format(text=text))
    cents = value * 100
    if cents != cents.to_integral_value():
        raise MoneyFormatError(_("plus de deux décimales : « {text} »").format(text=text))
    return int(cents)


def cents_to_decimal_text(cents: int) -> str:
    """``30000`` → ``"300.00"``: the plain form files use (CSV, exports)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def format_money(cents: int, currency: str = "EUR", locale: str | None = None) -> str:
    """``30000`` → ``"300,00 €"`` for people, in the language chosen (regie.i18n)."""
    from regie.i18n import locale_name

    return format_currency(Decimal(cents) / 100, currency, locale=locale or locale_name())

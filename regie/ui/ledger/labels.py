"""The ledger's words as the office reads them: operations, payment methods, accounts, amounts.

The core names accounts for machines (``pos:Bar Nord:revenue``); the screens say what each
one is in the chosen language and keep the technical name in the tooltip.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel.numbers import format_decimal

from regie.i18n import N_, _, format_number, language, locale_name
from regie.ledger.words import (  # noqa: F401 (the screens read them here)
    NAMED_ACCOUNTS,
    OP_LABELS,
    PERIOD_LABELS,
    POS_ACCOUNTS,
    account_label,
    op_label,
    period_label,
    scope_label,
)
from regie.money import format_money

METHOD_LABELS = {
    "cash": N_("Espèces"),
    "card": N_("Carte bancaire"),
    "stripe_terminal": N_("TPE Stripe"),
    "offered": N_("Offert"),
    "cashless": N_("Cashless"),
    "desk": N_("Bureau"),
    "system": N_("Régie"),  # the product's name, the same in English
}


def method_label(method: str) -> str:
    return _(METHOD_LABELS.get(method, method))


def amount(cents: int, asset: str = "EUR") -> str:
    """``450, "GIFT"`` → ``4,50 GIFT``; the local euro keeps its € sign."""
    return _amount(cents, asset, language())


@functools.lru_cache(maxsize=8192)
def _amount(cents: int, asset: str, _language: str) -> str:
    # Babel would write « GIFT4.50 » in English: a token's code goes after its figure.
    return format_money(cents) if asset == "EUR" else f"{_figure(cents, _language)}\xa0{asset}"


def figure(cents: int) -> str:
    """``123456`` → ``1 234,56``: an amount in a column whose asset is said beside it."""
    return _figure(cents, language())


@functools.lru_cache(maxsize=8192)
def _figure(cents: int, _language: str) -> str:
    return format_decimal(Decimal(cents) / 100, format="#,##0.00", locale=locale_name())


def vat_rate(bp: int) -> str:
    """A rate in basis points: ``2000`` → ``20 %``, ``550`` → ``5,5 %`` (``5.5%`` in English)."""
    return _("{rate} %").format(rate=format_number(Decimal(bp) / 100))


def signed(cents: int) -> str:
    """A difference, with its sign: ``+2,00 €``, ``-0,50 €``, ``0,00 €``."""
    return ("+" if cents > 0 else "") + amount(cents)


def moment(value: dt.datetime) -> str:
    # Day first, 24-hour clock, to the second: the same in French and in British English.
    return value.strftime("%d/%m/%Y %H:%M:%S")  # i18n: not shown

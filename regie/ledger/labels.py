"""The ledger's words as the office reads them: operations, payment methods, accounts, amounts.

The core names accounts for machines (``pos:Bar Nord:revenue``); the screens say what each
one is in the chosen language (the screens keep the technical name in the tooltip), and so
does the command line.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel.numbers import format_decimal

from regie.i18n import N_, _, format_number, language, locale_name
from regie.money import format_money

OP_LABELS = {
    "topup": N_("Recharge"),
    "sale": N_("Vente"),
    "refund": N_("Remboursement"),
    "void": N_("Annulation"),
    "correction": N_("Correction"),
    "move": N_("Report de solde"),
    "melt": N_("Fonte"),
    "cash_diff": N_("Écart de caisse"),
}
POS_ACCOUNTS = {"revenue": N_("ventes"), "cash": N_("espèces"), "card": N_("CB")}
NAMED_ACCOUNTS = {
    "stripe:clearing": N_("Stripe à encaisser"),
    "stripe:fees": N_("Frais Stripe"),
    "stripe:gap": N_("Écarts Stripe"),
    "stripe:refunding": N_("Remboursements Stripe en cours"),
    "bank": N_("Banque"),
    "refunds": N_("Remboursements"),
    "melted": N_("Monnaie fondue"),
    "correction": N_("Corrections"),
    "cash:difference": N_("Écarts de caisse"),
    "world": N_("Extérieur"),
    "gift:offered": N_("Jetons offerts"),
    "fees:refund": N_("Frais de remboursement"),
}
PERIOD_LABELS = {"session": N_("Session"), "day": N_("Journée"), "event": N_("Événement")}


def fingerprint(digest: str) -> str:
    """A SHA-256 as a person reads it: « empreinte 1a2b3c4d5e6f7a8b… », enough to compare two
    by eye (the whole digest stays in files and on the command line)."""
    return _("empreinte {short}…").format(short=digest[:16])


def op_label(op: str) -> str:
    return _(OP_LABELS.get(op, op))


def period_label(period: str) -> str:
    return _(PERIOD_LABELS.get(period, period))


def account_label(name: str) -> str:
    """``wallet:04A1…`` → ``Carte 04A1…``; ``pos:Bar Nord:cash`` → ``Bar Nord · espèces``."""
    return _account_label(name, language())


@functools.lru_cache(maxsize=8192)
def _account_label(name: str, _language: str) -> str:
    kind, _sep, rest = name.partition(":")
    if kind == "wallet":
        return _("Carte {uid}").format(uid=rest)
    if kind == "pos":
        place, _sep, what = rest.rpartition(":")
        return f"{place} · {_(POS_ACCOUNTS.get(what, what))}"
    if kind == "fed":
        return _("Fédération · {organisation}").format(organisation=rest)
    return _(NAMED_ACCOUNTS.get(name, name))


def scope_label(scope: str) -> str:
    if scope == "event":
        return _("Tout l'événement")
    if scope.startswith("event:"):
        return _("Événement {name}").format(name=scope.removeprefix("event:"))
    return scope.removeprefix("pos:")


def z_label(number: int, scope: str) -> str:
    """« la clôture Z n°12 du point de vente Bar »: a Z named in a problem."""
    if scope == "event":
        return _("la clôture Z n°{number} de tout l'événement").format(number=number)
    if scope.startswith("event:"):
        return _("la clôture Z n°{number} de l'événement {name}").format(
            number=number, name=scope.removeprefix("event:")
        )
    return _("la clôture Z n°{number} du point de vente {name}").format(
        number=number, name=scope.removeprefix("pos:")
    )


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


def hour_label(key: str) -> str:
    """``2026-07-12T21`` (local hour of the sale) → ``12/07/2026 de 21 h à 22 h``."""
    day, _sep, hour = key.partition("T")
    if not hour.isdigit():
        return key
    year, month, date = day.split("-")
    start = int(hour)
    return _("{day} de {start} h à {end} h").format(
        day=f"{date}/{month}/{year}", start=start, end=(start + 1) % 24
    )


def sales_key_label(by: str, key: str) -> str:
    """What a sales report groups by, in words: a VAT rate, an hour, a name or « (sans) »."""
    if by == "vat":
        return vat_rate(int(key))
    if by == "hour":
        return hour_label(key)
    return key or _("(sans)")


def signed(cents: int) -> str:
    """A difference, with its sign: ``+2,00 €``, ``-0,50 €``, ``0,00 €``."""
    return ("+" if cents > 0 else "") + amount(cents)


def moment(value: dt.datetime) -> str:
    # Day first, 24-hour clock, to the second: the same in French and in British English.
    return value.strftime("%d/%m/%Y %H:%M:%S")  # i18n: not shown

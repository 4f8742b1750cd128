"""The ledger's words as the office reads them: operations, payment methods, accounts, amounts.

The core names accounts for machines (``pos:Bar Nord:revenue``); the screens say what each
one is in French and keep the technical name in the tooltip.
"""

from __future__ import annotations

import datetime as dt
import functools

from regie.money import format_money

OP_LABELS = {
    "topup": "Recharge",
    "sale": "Vente",
    "refund": "Remboursement",
    "void": "Annulation",
    "correction": "Correction",
    "move": "Report de solde",
    "melt": "Fonte",
    "cash_diff": "Écart de caisse",
}
METHOD_LABELS = {
    "cash": "Espèces",
    "card": "Carte bancaire",
    "stripe_terminal": "TPE Stripe",
    "offered": "Offert",
    "cashless": "Cashless",
    "desk": "Bureau",
    "system": "Régie",
}
POS_ACCOUNTS = {"revenue": "ventes", "cash": "espèces", "card": "CB"}
NAMED_ACCOUNTS = {
    "stripe:clearing": "Stripe à encaisser",
    "stripe:fees": "Frais Stripe",
    "bank": "Banque",
    "refunds": "Remboursements",
    "melted": "Monnaie fondue",
    "correction": "Corrections",
    "cash:difference": "Écarts de caisse",
    "world": "Extérieur",
    "gift:offered": "Jetons offerts",
    "fees:refund": "Frais de remboursement",
}
PERIOD_LABELS = {"session": "Session", "day": "Journée", "event": "Événement"}


def op_label(op: str) -> str:
    return OP_LABELS.get(op, op)


def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


@functools.lru_cache(maxsize=8192)
def account_label(name: str) -> str:
    """``wallet:04A1…`` → ``Carte 04A1…``; ``pos:Bar Nord:cash`` → ``Bar Nord · espèces``."""
    kind, _, rest = name.partition(":")
    if kind == "wallet":
        return f"Carte {rest}"
    if kind == "pos":
        place, _, what = rest.rpartition(":")
        return f"{place} · {POS_ACCOUNTS.get(what, what)}"
    if kind == "fed":
        return f"Fédération · {rest}"
    return NAMED_ACCOUNTS.get(name, name)


def scope_label(scope: str) -> str:
    return "Tout l'événement" if scope == "event" else scope.removeprefix("pos:")


@functools.lru_cache(maxsize=8192)
def amount(cents: int, asset: str = "EUR") -> str:
    """``450, "GIFT"`` → ``4,50 GIFT``; the local euro keeps its € sign."""
    text = format_money(cents)
    return text if asset == "EUR" else text.replace("€", asset)


@functools.lru_cache(maxsize=8192)
def figure(cents: int) -> str:
    """``123456`` → ``1 234,56``: an amount in a column whose asset is said beside it."""
    return format_money(cents).replace("\xa0€", "")


def signed(cents: int) -> str:
    """A difference, with its sign: ``+2,00 €``, ``-0,50 €``, ``0,00 €``."""
    return ("+" if cents > 0 else "") + amount(cents)


def moment(value: dt.datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M:%S")

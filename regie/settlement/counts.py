"""How many of each thing the settlement counts, as a person reads it: « 1 carte », « 3 cartes »
in French, « 1 card », « 3 cards » in English. The CLI and the settlement screens share them."""

from __future__ import annotations

from regie.i18n import format_number, ngettext


def cards(n: int) -> str:
    return ngettext("{n} carte", "{n} cartes", n).format(n=format_number(n))


def lines(n: int) -> str:
    return ngettext("{n} ligne", "{n} lignes", n).format(n=format_number(n))


def payments(n: int) -> str:
    return ngettext("{n} paiement", "{n} paiements", n).format(n=format_number(n))


def refunds(n: int) -> str:
    return ngettext("{n} remboursement", "{n} remboursements", n).format(n=format_number(n))


def stripe_refunds(n: int) -> str:
    return ngettext("{n} remboursement Stripe", "{n} remboursements Stripe", n).format(
        n=format_number(n)
    )


def payouts(n: int) -> str:
    return ngettext("{n} virement", "{n} virements", n).format(n=format_number(n))


def refunded(n: int) -> str:
    """Refunds that left for the cardholder's bank card."""
    return ngettext("{n} remboursé", "{n} remboursés", n).format(n=format_number(n))


def refused(n: int) -> str:
    """Refunds Stripe refused."""
    return ngettext("{n} refusé", "{n} refusés", n).format(n=format_number(n))


def remaining(n: int) -> str:
    """Refunds still to send."""
    return ngettext("{n} restant", "{n} restants", n).format(n=format_number(n))


def french_count(n: int, singular: str, plural: str) -> str:
    """A count in the documents that stay French whatever the language (PDF statements and
    invoices): « 1 jour », « 3 jours » (French: 0 and 1 are singular)."""
    return f"{n} {singular if n in (0, 1) else plural}"

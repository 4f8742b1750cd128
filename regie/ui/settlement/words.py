"""The settlement's words and figures as the office reads them: euros, dates, states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from regie.i18n import N_, format_date, format_datetime, format_number
from regie.ledger.labels import vat_rate
from regie.money import format_money
from regie.settlement.convention import SCHEME_LABELS

TONES = {"ok": "#0b6b2f", "warn": "#8a4b00", "error": "#b3261e", "plain": "#33414f"}

SCHEMES = SCHEME_LABELS
ITEM_STATES = {
    "planned": N_("à envoyer"),
    "reserved": N_("en suspens (réservé)"),
    "done": N_("remboursé"),
    "failed": N_("refusé"),
}
LINE_KINDS = {
    "service": N_("Prestation de service"),
    "cachet": N_("Cachet"),
    "cost": N_("Frais refacturés"),
}
VAT_RATES = (2000, 1000, 550, 210, 0)  # the French rates, in basis points
ORIGINS = {"api": N_("API Stripe"), "csv": N_("rapport CSV")}


def euros(cents: int) -> str:
    """``1 234,56 €`` in the language shown."""
    return format_money(cents)


def count(number: int) -> str:
    """``4078`` → ``4 078`` (a narrow no-break space; ``4,078`` in English)."""
    return format_number(number)


def rate(bp: int) -> str:
    """``2000`` → ``20 %``, ``550`` → ``5,5 %``."""
    return vat_rate(bp)


def day(value: dt.date | None) -> str:
    return format_date(value, "short") if value else "—"


def moment(value: dt.datetime | None) -> str:
    """Local time, as the office reads a clock."""
    return format_datetime(value) if value else "—"


def stamp(seconds: int) -> str:
    """A Stripe or ledger timestamp (seconds since the epoch), local time."""
    if not seconds:
        return "—"
    return moment(dt.datetime.fromtimestamp(seconds, dt.UTC))


def quantity(milli: int) -> str:
    """Thousandths of a unit → ``1,5``."""
    return format_number(Decimal(milli) / 1000)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def styled(tone: str, bold: bool = True) -> str:
    """The style sheet of a status line in a tone (ok, warn, error, plain)."""
    return f"color: {TONES[tone]};" + (" font-weight: bold;" if bold else "")

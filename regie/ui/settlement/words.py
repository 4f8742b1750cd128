"""The settlement's words and figures as the office reads them: euros, dates, states."""

from __future__ import annotations

import datetime as dt
import functools

from regie.money import format_money

TONES = {"ok": "#0b6b2f", "warn": "#8a4b00", "error": "#b3261e", "plain": "#33414f"}

SCHEMES = {
    "convention": "Convention CCC / Mamasound",
    "flat": "Forfait simple",
    "soticket": "Barème SoTicket",
}
ITEM_STATES = {
    "planned": "à envoyer",
    "reserved": "en suspens (réservé)",
    "done": "remboursé",
    "failed": "refusé",
}
LINE_KINDS = {"service": "Prestation", "cachet": "Cachet", "cost": "Frais refacturés"}
VAT_RATES = (2000, 1000, 550, 210, 0)  # the French rates, in basis points
ORIGINS = {"api": "API Stripe", "csv": "rapport CSV"}


@functools.lru_cache(maxsize=4096)
def euros(cents: int) -> str:
    """``1 234,56 €`` (babel, French); cached: tables repaint the same amounts often."""
    return format_money(cents)


def count(number: int) -> str:
    """``4078`` → ``4 078`` (a narrow no-break space, as babel writes euros)."""
    return f"{number:,}".replace(",", "\u202f")


def rate(bp: int) -> str:
    """``2000`` → ``20 %``, ``550`` → ``5,5 %``."""
    whole, part = divmod(bp, 100)
    return f"{whole} %" if not part else f"{whole},{part:02d}".rstrip("0") + " %"


def day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def moment(value: dt.datetime | None) -> str:
    """Local time, as the office reads a clock."""
    return value.astimezone().strftime("%d/%m/%Y %H:%M") if value else "—"


def stamp(seconds: int) -> str:
    """A Stripe or ledger timestamp (seconds since the epoch), local time."""
    if not seconds:
        return "—"
    return moment(dt.datetime.fromtimestamp(seconds, dt.UTC))


def quantity(milli: int) -> str:
    """Thousandths of a unit → ``1,5``."""
    whole, part = divmod(milli, 1000)
    return str(whole) if not part else f"{whole},{part:03d}".rstrip("0")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def styled(tone: str, bold: bool = True) -> str:
    """The style sheet of a status line in a tone (ok, warn, error, plain)."""
    return f"color: {TONES[tone]};" + (" font-weight: bold;" if bold else "")

"""A day as the office types it: « 14/07 », « 14/07/2026 », « 14 juillet », « demain ».

One reading for every date field of the window (``regie.ui.forms.day_field``): the text is read
or refused with a sentence saying why, never bent into another day. A day before the earliest
a field allows is refused the same way (« le 12/07/2026 est passé »), not moved to today.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from regie.errors import UserError
from regie.i18n import _, format_date

# The words people type, French first, English for the English window; without accents too
# (« fevrier », « aout ») since many keyboards and habits drop them.
MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
SHIFTS: dict[str, int] = {
    "aujourd'hui": 0, "aujourdhui": 0, "auj": 0, "today": 0,
    "demain": 1, "tomorrow": 1,
    "apres-demain": 2, "apres demain": 2,
    "hier": -1, "yesterday": -1,
    "avant-hier": -2, "avant hier": -2,
}  # fmt: skip

NUMERIC = re.compile(r"(\d{1,2})(?:[/.\- ](\d{1,2})(?:[/.\- ](\d{2}|\d{4}))?)?")
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
WORDED = re.compile(r"(?:le )?(\d{1,2})(?:er)? ([a-z]+)\.?(?: (\d{4}))?")
EARLIEST_YEAR, LATEST_YEAR = 1970, 2199


class DateError(UserError):
    """A typed date Régie cannot read, or one outside what the field allows."""


def read_day(text: str, *, today: dt.date) -> dt.date:
    """The day ``text`` names; a missing year is ``today``'s, a missing month ``today``'s.

    Raises ``DateError`` with a sentence quoting the text when it names no day."""
    typed = _plain(text)
    if not typed:
        raise DateError(_("Saisissez une date, par exemple 14/07, 14/07/2026 ou demain."))
    if typed in SHIFTS:
        return today + dt.timedelta(days=SHIFTS[typed])
    if found := ISO.fullmatch(typed):
        year, month, day = (int(part) for part in found.groups())
        return _day(text, year, month, day)
    if found := NUMERIC.fullmatch(typed):
        day_part, month_part, year_part = found.groups()
        month = int(month_part) if month_part else today.month
        return _day(text, _year(year_part, today), month, int(day_part))
    if (found := WORDED.fullmatch(typed)) and found.group(2) in MONTHS:
        day_part, month_name, year_part = found.groups()
        return _day(text, _year(year_part, today), MONTHS[month_name], int(day_part))
    raise DateError(
        _(
            "« {text} » n'est pas une date que Régie sait lire : écrivez par exemple 14/07, "
            "14/07/2026, 14 juillet ou demain."
        ).format(text=text.strip())
    )


def check_not_before(day: dt.date, earliest: dt.date, *, reason: str) -> dt.date:
    """``day`` itself when it is not before ``earliest``; otherwise a ``DateError`` saying
    ``reason`` (never a silent move to ``earliest``)."""
    if day < earliest:
        raise DateError(
            _("Le {day} est avant le {earliest} : {reason}").format(
                day=format_date(day, "short"),
                earliest=format_date(earliest, "short"),
                reason=reason,
            )
        )
    return day


def _plain(text: str) -> str:
    """Lower case, no accents, one space, the apostrophe of either keyboard."""
    folded = unicodedata.normalize("NFKD", text.strip().lower().replace("’", "'"))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(bare.split())


def _year(typed: str | None, today: dt.date) -> int:
    if typed is None:
        return today.year
    year = int(typed)
    return 2000 + year if len(typed) == 2 else year


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateError(
            _("« {text} » : l'année {year} est hors de la plage {first}–{last}.").format(
                text=text.strip(), year=year, first=EARLIEST_YEAR, last=LATEST_YEAR
            )
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateError(
            _("« {text} » : ce jour n'existe pas (jour {day}, mois {month}).").format(
                text=text.strip(), day=day, month=month
            )
        ) from None

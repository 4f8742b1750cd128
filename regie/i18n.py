"""Languages: French by default, English available.

The source text is French: ``_("Enregistrer")`` returns it as is in French and its English
translation once ``set_language("en")`` ran. Translations live in ``regie/locale/<lang>/*.po``
(one file per part of the application, all merged), read with babel: no compile step, the same
files in a checkout, a wheel and the PyInstaller bundle.

Rules for every module that shows text to people:
- call ``_()`` when the text is shown, never at import time (the language may change after);
- a module-level constant is marked with ``N_()`` and translated where it is used: ``_(LABEL)``;
- a text with values is a template: ``_("Carte {uid} inconnue").format(uid=uid)``, never an
  f-string inside ``_()`` (the catalogue could not find it);
- a count uses ``ngettext("{n} carte", "{n} cartes", n).format(n=n)``;
- money, numbers and dates go through ``format_money``/``format_number``/``format_date``/
  ``format_moment`` here, which follow the language;
- a moment (stored UTC) is shown on the events' clock (``event_zone()``, the office's setting,
  Europe/Paris by default), never the laptop's: ``format_moment``, ``format_clock``, or
  ``local_time`` for a date or a file's column.
"""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import core as babel_core
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.pofile import read_po

LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}  # English as written in Europe: 31/12/2026, €1,234.50
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGE_ENV = "REGIE_LANG"
DEFAULT_ZONE = "Europe/Paris"  # the events' clock unless the office says otherwise

_lock = threading.Lock()
_language = DEFAULT_LANGUAGE
_zone = ZoneInfo(DEFAULT_ZONE)
_singular: dict[str, str] = {}
_plural: dict[tuple[str, str], tuple[str, ...]] = {}


class UnknownLanguage(ValueError):
    def __init__(self, code: str) -> None:
        known = ", ".join(LANGUAGES)
        super().__init__(f"langue inconnue : « {code} » (langues : {known})")


def catalogue_files(code: str) -> Iterator[Path]:
    folder = LOCALE_DIR / code
    if folder.is_dir():
        yield from sorted(folder.glob("*.po"))


def set_language(code: str) -> None:
    """Every text shown from now on is in ``code`` (``fr`` or ``en``)."""
    if code not in LANGUAGES:
        raise UnknownLanguage(code)
    singular: dict[str, str] = {}
    plural: dict[tuple[str, str], tuple[str, ...]] = {}
    if code != DEFAULT_LANGUAGE:
        for path in catalogue_files(code):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=LOCALES[code])
            for message in catalog:
                if not message.id or message.fuzzy or not message.string:
                    continue
                if isinstance(message.id, tuple):
                    strings = tuple(message.string)
                    if all(strings):
                        plural[(message.id[0], message.id[1])] = strings
                elif isinstance(message.id, str) and isinstance(message.string, str):
                    singular[message.id] = message.string
    global _language, _singular, _plural
    with _lock:
        _language, _singular, _plural = code, singular, plural


def language() -> str:
    return _language


def locale_name() -> str:
    """The babel/Qt locale of the current language: ``fr_FR`` or ``en_GB``."""
    return LOCALES[_language]


def _(message: str) -> str:
    """``message`` (French) in the current language."""
    return _singular.get(message, message)


def N_(message: str) -> str:
    """Marks a constant for the catalogue; translate it where it is shown with ``_()``."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    forms = _plural.get((singular, plural))
    if forms is None:
        return singular if n in (0, 1) else plural  # French: 0 and 1 are singular
    if len(forms) == 1:
        return forms[0]
    return forms[0] if n == 1 else forms[1]


def for_people(name: str) -> str:
    """A sort key that puts "Écocups" among the E (SQL orders by byte: after "Z")."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def format_money(cents: int, currency: str = "EUR") -> str:
    """``123450`` → ``1 234,50 €`` in French, ``€1,234.50`` in English."""
    return _money(locale_name(), cents, currency)


def format_number(value: int | Decimal) -> str:
    """``17000`` → ``17 000`` in French, ``17,000`` in English."""
    return _number(locale_name(), value)


# Tables show the same amounts and counts over and over, and babel spends tens of µs on each:
# the texts are kept per locale (a few MB at most for a whole festival's distinct values).
@lru_cache(maxsize=32768)
def _money(locale: str, cents: int, currency: str) -> str:
    return babel_numbers.format_currency(Decimal(cents) / 100, currency, locale=locale)


@lru_cache(maxsize=32768)
def _number(locale: str, value: int | Decimal) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def format_percent(value: Decimal | float, digits: int = 1) -> str:
    """``Decimal("0.714")`` → ``71,4 %`` in French, ``71.4%`` in English."""
    pattern = babel_core.Locale.parse(locale_name()).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return babel_numbers.format_percent(value, pattern, locale=locale_name())


def format_date(day: dt.date, style: str = "medium") -> str:
    """``21 nov. 2026`` / ``21 Nov 2026`` (``short``: ``21/11/2026``)."""
    return _date(locale_name(), day, style)


def set_event_zone(name: str) -> None:
    """Every moment shown from now on is read on the clock of ``name`` (``Europe/Paris``…):
    the office's setting ``office.timezone``, applied when a base is opened."""
    global _zone
    _zone = _zone_named(name)


def event_zone() -> ZoneInfo:
    """The time zone of the events: the clock every screen, PDF and export reads."""
    return _zone


@lru_cache(maxsize=64)
def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(name) from None


class UnknownZone(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"fuseau horaire inconnu : « {name} » (ex. Europe/Paris)")


def local_time(at: dt.datetime | int) -> dt.datetime:
    """A stored moment (UTC; SQLite gives it back naive; or seconds since the epoch) on the
    events' clock: the one conversion every face goes through."""
    if isinstance(at, int):
        return dt.datetime.fromtimestamp(at, _zone)
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(_zone)


def format_moment(at: dt.datetime | int, style: str = "short") -> str:
    """A stored moment on the events' clock: ``21/11/2026 14:05`` (``21/11/2026, 14:05`` in
    English)."""
    minute = local_time(at).replace(second=0, microsecond=0, tzinfo=None)
    return _minute(locale_name(), minute, style)


def format_clock(at: dt.datetime | int, *, seconds: bool = False) -> str:
    """The hour alone on the events' clock: ``14:05`` (``14:05:09`` with the seconds)."""
    return local_time(at).strftime("%H:%M:%S" if seconds else "%H:%M")  # i18n: same in both


format_datetime = format_moment  # the older name, kept for the many screens that call it


@lru_cache(maxsize=4096)
def _date(locale: str, day: dt.date, style: str) -> str:
    return babel_dates.format_date(day, style, locale=locale)


@lru_cache(maxsize=32768)
def _minute(locale: str, minute: dt.datetime, style: str) -> str:
    day = babel_dates.format_date(minute.date(), style, locale=locale)
    return f"{day} {babel_dates.format_time(minute.time(), 'short', locale=locale)}"

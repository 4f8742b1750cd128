"""Dates typed as the office writes them: read, or refused with a sentence; never bent."""

from __future__ import annotations

import datetime as dt

import pytest

from regie.dates import DateError, check_not_before, read_day
from regie.i18n import set_language

TODAY = dt.date(2026, 7, 10)  # a Friday of the festival


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("14/07", dt.date(2026, 7, 14)),
        ("14/07/2026", dt.date(2026, 7, 14)),
        ("14/7/26", dt.date(2026, 7, 14)),
        ("14.07.2027", dt.date(2027, 7, 14)),
        ("14-07", dt.date(2026, 7, 14)),
        ("14", dt.date(2026, 7, 14)),  # the day alone: this month
        ("2026-07-14", dt.date(2026, 7, 14)),
        ("14 juillet", dt.date(2026, 7, 14)),
        ("le 14 Juillet 2027", dt.date(2027, 7, 14)),
        ("1er août", dt.date(2026, 8, 1)),
        ("1 aout", dt.date(2026, 8, 1)),
        ("3 févr.", dt.date(2026, 2, 3)),
        ("14 July", dt.date(2026, 7, 14)),
        ("aujourd'hui", TODAY),
        ("Aujourd’hui", TODAY),
        ("demain", dt.date(2026, 7, 11)),
        ("après-demain", dt.date(2026, 7, 12)),
        ("hier", dt.date(2026, 7, 9)),
        ("  tomorrow ", dt.date(2026, 7, 11)),
    ],
)
def test_read_day_understands_the_common_french_forms(typed: str, day: dt.date) -> None:
    assert read_day(typed, today=TODAY) == day


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Saisissez une date"),
        ("14 juilet", "« 14 juilet » n'est pas une date que Régie sait lire"),
        ("bientôt", "n'est pas une date"),
        ("31/02", r"« 31/02 » : ce jour n.existe pas \(jour 31, mois 2\)"),
        ("14/13/2026", "ce jour n'existe pas"),
        ("14/07/1800", "l'année 1800 est hors de la plage"),
    ],
)
def test_read_day_refuses_with_a_sentence_quoting_the_text(typed: str, said: str) -> None:
    with pytest.raises(DateError, match=said):
        read_day(typed, today=TODAY)


def test_a_day_in_the_past_is_refused_not_moved_to_today() -> None:
    past = read_day("08/07", today=TODAY)
    with pytest.raises(DateError) as refused:
        check_not_before(past, TODAY, reason="le retour ne peut pas être dans le passé")
    assert str(refused.value) == (
        "Le 08/07/2026 est avant le 10/07/2026 : le retour ne peut pas être dans le passé"
    )
    assert check_not_before(TODAY, TODAY, reason="") == TODAY


def test_the_refusal_speaks_english_in_the_english_window() -> None:
    set_language("en")
    try:
        with pytest.raises(DateError, match="is not a date Régie can read"):
            read_day("soon", today=TODAY)
    finally:
        set_language("fr")

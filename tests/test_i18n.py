"""Languages: the French source text, its English catalogue, and values formatted per language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from regie import i18n
from regie.i18n import _, format_date, format_money, format_number, format_percent, ngettext

PO = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Enregistrer"
msgstr "Save"

msgid "Carte {uid} inconnue"
msgstr "Unknown card {uid}"

msgid "{n} carte"
msgid_plural "{n} cartes"
msgstr[0] "{n} card"
msgstr[1] "{n} cards"

#, fuzzy
msgid "Brouillon"
msgstr "Draft"
"""


@pytest.fixture
def english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "test.po").write_text(PO, "utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.set_language("en")
    yield
    i18n.set_language("fr")


def test_french_is_the_source_text_and_needs_no_catalogue() -> None:
    assert i18n.language() == "fr"
    assert _("Enregistrer") == "Enregistrer"
    assert ngettext("{n} carte", "{n} cartes", 0).format(n=0) == "0 carte"
    assert ngettext("{n} carte", "{n} cartes", 2).format(n=2) == "2 cartes"
    assert format_money(123450) == "1\u202f234,50\xa0€"
    assert format_number(17000) == "17\u202f000"
    assert format_percent(Decimal("0.714")) == "71,4\xa0%"
    assert format_date(dt.date(2026, 11, 21), "short") == "21/11/2026"


def test_english_comes_from_the_catalogue_and_formats_the_english_way(english: None) -> None:
    assert _("Enregistrer") == "Save"
    assert _("Carte {uid} inconnue").format(uid="04A1") == "Unknown card 04A1"
    assert ngettext("{n} carte", "{n} cartes", 1).format(n=1) == "1 card"
    assert ngettext("{n} carte", "{n} cartes", 0).format(n=0) == "0 cards"
    assert _("Brouillon") == "Brouillon"  # a fuzzy translation is not trusted
    assert _("Pas traduit") == "Pas traduit"
    assert format_money(123450) == "€1,234.50"
    assert format_number(17000) == "17,000"
    assert format_percent(Decimal("0.714")) == "71.4%"
    assert format_date(dt.date(2026, 11, 21)) == "21 Nov 2026"


def test_an_unknown_language_is_refused_with_the_known_ones() -> None:
    with pytest.raises(i18n.UnknownLanguage, match="fr, en"):
        i18n.set_language("de")
    assert i18n.language() == "fr"


@pytest.fixture
def real_english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("fr")


def import_summary(n: int) -> str:
    from regie.ledger.journal_import import ImportResult

    return ImportResult(lines=n, imported=n, transfers=n, replayed=0).summary()


def cards_and_refunds(n: int) -> str:
    from regie.settlement import counts

    return f"{counts.cards(n)}, {counts.stripe_refunds(n)}"


def test_a_count_of_one_reads_singular_and_two_plural_in_french() -> None:
    assert import_summary(1) == "1 ligne lue : 1 importée (1 transfert), 0 déjà connue."
    assert import_summary(2) == "2 lignes lues : 2 importées (2 transferts), 0 déjà connue."
    assert cards_and_refunds(1) == "1 carte, 1 remboursement Stripe"
    assert cards_and_refunds(2) == "2 cartes, 2 remboursements Stripe"


def test_a_count_of_one_reads_singular_and_two_plural_in_english(real_english: None) -> None:
    assert import_summary(1) == "1 line read: 1 imported (1 transfer), 0 already known."
    assert import_summary(2) == "2 lines read: 2 imported (2 transfers), 0 already known."
    assert cards_and_refunds(1) == "1 card, 1 Stripe refund"
    assert cards_and_refunds(2) == "2 cards, 2 Stripe refunds"

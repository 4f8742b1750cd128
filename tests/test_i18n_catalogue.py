"""Every text marked for translation in the code has its English translation, with the same
placeholders: switching to English leaves no French on a screen."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import regie
from regie.i18n import LOCALE_DIR

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCE = Path(regie.__file__).parent


def marked_messages() -> dict[str | tuple[str, str], str]:
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        key = tuple(message[:2]) if isinstance(message, tuple) else message
        found.setdefault(key, f"regie/{filename}:{lineno}")  # type: ignore[arg-type]
    return found


def english() -> dict[str | tuple[str, str], tuple[str, ...]]:
    merged: dict[str | tuple[str, str], tuple[str, ...]] = {}
    for path in sorted((LOCALE_DIR / "en").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or message.fuzzy:
                    continue
                key = tuple(message.id[:2]) if isinstance(message.id, tuple) else message.id
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                merged[key] = tuple(strings)  # type: ignore[index]
    return merged


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def untranslated(
    marked: dict[str | tuple[str, str], str],
    catalogue: dict[str | tuple[str, str], tuple[str, ...]],
) -> list[str]:
    """The marked texts without a complete English: a count (an ``ngettext`` pair) needs an
    entry with ``msgid_plural`` and both its forms, a singular entry does not do."""
    missing = []
    for key, where in marked.items():
        forms = catalogue.get(key, ())
        if not forms or not all(forms) or len(forms) != (2 if isinstance(key, tuple) else 1):
            missing.append(f"{where}: {key!r}")
    return missing


def test_every_marked_text_has_an_english_translation() -> None:
    missing = untranslated(marked_messages(), english())
    assert not missing, f"{len(missing)} texts without English:\n" + "\n".join(missing[:50])


def test_a_count_without_its_english_plural_is_reported() -> None:
    count = ("{n} carte", "{n} cartes")
    marked: dict[str | tuple[str, str], str] = {count: "regie/x.py:1"}
    assert untranslated(marked, {count: ("{n} card", "{n} cards")}) == []
    assert untranslated(marked, {count: ("{n} card", "")}) == [f"regie/x.py:1: {count!r}"]
    assert untranslated(marked, {count: ("{n} card",)}) == [f"regie/x.py:1: {count!r}"]
    assert untranslated(marked, {"{n} carte": ("{n} card",)}) == [f"regie/x.py:1: {count!r}"]


LAZY_PLURAL = re.compile(r"\w\((s|x|es|aux|ies)\)")  # « carte(s) », « journal(aux) », « card(s) »


def test_counts_are_real_plurals_not_lazy_ones() -> None:
    """« 1 carte », « 3 cartes » through ngettext, never « 3 carte(s) », in French or English."""
    texts = [
        (where, text)
        for key, where in marked_messages().items()
        for text in ((key,) if isinstance(key, str) else key)
    ]
    texts += [(repr(key), text) for key, found in english().items() for text in found]
    lazy = [
        f"{where}: {text!r}"
        for where, text in texts
        if LAZY_PLURAL.search(text.replace("http(s)://", ""))
    ]
    assert not lazy, "\n".join(lazy[:50])


def test_translations_keep_the_placeholders_of_the_french_text() -> None:
    catalogue = english()
    wrong = []
    for key, where in marked_messages().items():
        source = key if isinstance(key, str) else key[1]
        for translated in catalogue.get(key, ()):
            if translated and fields(translated) != fields(source):
                wrong.append(f"{where}: {source!r} → {translated!r}")
    assert not wrong, "\n".join(wrong[:50])


def test_no_french_is_left_in_the_english_catalogue_by_mistake() -> None:
    accents = re.compile(r"[éèêàùçœ]")
    names = re.compile(r"Régie|régie générale")  # the product's name stays French
    leftover = [
        f"{key!r} → {text!r}"
        for key, texts in english().items()
        for text in texts
        if accents.search(names.sub("", text))
    ]
    assert not leftover, "\n".join(leftover[:50])


def test_one_french_text_has_one_english_text_across_the_catalogues() -> None:
    """The catalogues are merged: two files translating one text differently would leave
    one screen with the other's word. A text with two meanings needs two French texts."""
    seen: dict[object, dict[object, list[str]]] = {}
    for path in sorted((LOCALE_DIR / "en").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and not message.fuzzy:
                    key = message.id if isinstance(message.id, str) else tuple(message.id)
                    text = message.string
                    text = text if isinstance(text, str) else tuple(text)
                    seen.setdefault(key, {}).setdefault(text, []).append(path.name)
    clashes = [f"{key!r}: {found}" for key, found in seen.items() if len(found) > 1]
    assert not clashes, "\n".join(clashes)

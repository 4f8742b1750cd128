"""French capitals keep their accent: « À qui », « État », never « A qui » (issue 16)."""

from __future__ import annotations

import re

from tests.test_i18n_catalogue import marked_messages

# « A » opening a sentence before a lower-case word is « À » (« A qui », « A payer »); and the
# words the office reads most with a capital É.
BARE_CAPITAL = re.compile(
    r"(?:^|[.!?:»]\s+|«\s?|\n)A\s(?=[a-zà-ÿ])"
    r"|\bE(?:tat|tape|cart|mis|criture|chéance|quipe|vénement|lément)"
)


def test_the_check_finds_a_capital_without_its_accent() -> None:
    assert BARE_CAPITAL.search("A qui")
    assert BARE_CAPITAL.search("Lignes : A payer")
    assert BARE_CAPITAL.search("Etat du prêt")
    assert not BARE_CAPITAL.search("À qui · État · A4 · SIRET A")


def test_no_french_text_writes_a_capital_without_its_accent() -> None:
    bare = [
        f"{where}: {text!r}"
        for key, where in marked_messages().items()
        for text in ((key,) if isinstance(key, str) else key)
        if BARE_CAPITAL.search(text)
    ]
    assert not bare, "\n".join(bare)

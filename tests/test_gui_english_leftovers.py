"""Words the core keeps in French (recorded statements, PDFs, the audit trail, card history)
read in English on an English screen: the convention's phase, costs, formula and bounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from regie import i18n
from regie.cards.monitor import HistoryLine
from regie.db import Database
from regie.settlement.convention import settle
from regie.settlement.statement_pdf import statement_pdf
from regie.ui.settlement.split_screen import SplitScreen
from tests.test_gui_settlement_split import invoiced, rows
from tests.test_gui_settlement_support import STOCK, demo, idle, open_settlement, pdf_text, shoot

pytestmark = pytest.mark.gui
__all__ = ["demo"]
FRENCH_WORDS = ("amortissement", "bornée", "Frais Stripe", "Hébergement", "Usure", "frais partagés",
                "monnaie fondante", "plafond annuel", "jour(s)", "saisi")  # fmt: skip


@pytest.fixture
def english() -> Iterator[None]:
    i18n.set_language("en")
    try:
        yield
    finally:
        i18n.set_language("fr")


def french_in(texts: list[str]) -> list[str]:
    return [f"{word!r} in {text!r}" for text in texts for word in FRENCH_WORDS if word in text]


def test_the_split_reads_in_english_and_its_pdf_stays_french(
    english: None, qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    invoiced(demo)
    page = open_settlement(qtbot, demo)
    screen = page.open(SplitScreen)
    idle(qtbot, page)
    screen.days.setValue(3)
    screen.compute_button.click()
    idle(qtbot, page)
    shown = [screen.phase.text(), screen.formula.text()]
    shown += [label for label, _amount in rows(screen.results) + rows(screen.inputs)]
    assert screen.phase.text().startswith("Phase: amortisation · left to amortise")
    assert "share = base × 35% (amortisation phase), kept between €500.00" in screen.formula.text()
    assert "Shared costs: Stripe fees" in "\n".join(shown)
    shoot(page, artifacts, "en-split")
    screen.turnover.setText("100")  # far below the minimum: the share is held to it
    screen.compute_button.click()
    idle(qtbot, page)
    shown += [label for label, _amount in rows(screen.results) + rows(screen.inputs)]
    assert any("held to the minimum" in label for label, _amount in rows(screen.results))
    assert any("typed in" in label for label, _amount in rows(screen.inputs))
    screen.scheme.setCurrentIndex(screen.scheme.findData("soticket"))
    idle(qtbot, page)
    shown += [screen.formula.text()]
    assert "yearly floor" in screen.formula.text()
    assert not french_in(shown), "French left on the English split:\n" + "\n".join(french_in(shown))

    with demo.session() as session:  # what is printed stays in French
        statement = settle(session, STOCK, cachet_days=3)
    statement_pdf(statement, tmp_path / "statement.pdf")
    printed = pdf_text(tmp_path / "statement.pdf")
    assert "Phase : amortissement" in printed and "Frais partagés : Frais Stripe" in printed


def test_english_texts_quote_in_english() -> None:
    """« … » are French quotes: an English text quotes a command or a button with “ ”."""
    from babel.messages.pofile import read_po

    french_quotes = []
    for path in sorted((i18n.LOCALE_DIR / "en").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                french_quotes += [
                    f"{path.name}:{message.lineno}: {text}"
                    for text in strings
                    if text and ("«" in text or "»" in text)
                ]
    assert not french_quotes, "French quotes in English:\n" + "\n".join(french_quotes)


def test_a_card_history_recorded_in_french_reads_in_english(english: None) -> None:
    """Régie records its reasons in French (earlier history too); the cards screen's
    « Pourquoi » column reads them in English; what a person typed stays as typed."""
    from regie.cards.reasons import MANAGER_MODE, STAFF, french
    from regie.ui.cards.card_panel import HISTORY

    why = HISTORY[-1].text
    recorded = {
        "puce 04A1B2C3D4E5F6": "chip 04A1B2C3D4E5F6",
        "puce associée, adresse écrite et relue, protégée par mot de passe": (
            "chip paired, address written and read back, password-protected"
        ),
        "échec avant écriture": "failure before writing",
        "remplace 0042": "replaces 0042",
        "remplacée par 0043": "replaced by 0043",
        "rendue à la fin de MamaStock 2026": "returned at the end of MamaStock 2026",
        "non rendue à la fin de MamaStock 2026": "not returned at the end of MamaStock 2026",
        french(STAFF, person="Léa", places="Bar Nord, Crêperie", mode=MANAGER_MODE): (
            "staff card of Léa: Bar Nord, Crêperie, manager mode"
        ),
        "carte volée au bar": "carte volée au bar",  # typed by a person: kept
    }
    for stored, english_text in recorded.items():
        line = HistoryLine(dt.datetime.now(dt.UTC), "state", None, None, "root", stored)
        assert why(line) == english_text

"""Words the core keeps in French (recorded statements, PDFs, the audit trail, card history)
read in English on an English screen: the convention's phase, costs, formula and bounds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from pytestqt.qtbot import QtBot

from regie import i18n
from regie.cards.monitor import HistoryLine
from regie.db import Database
from regie.settlement.convention import settle
from regie.settlement.statement_pdf import statement_pdf
from regie.ui.settlement.split_screen import SplitScreen
from tests.test_gui_settlement_split import rows
from tests.test_gui_settlement_support import demo, idle, open_settlement, pdf_text, shoot

AFRICA = "MamAfrica 2026"

pytestmark = pytest.mark.gui
__all__ = ["demo"]
FRENCH_WORDS = (
    "amortissement",
    "bornée",
    "Frais Stripe",
    "Hébergement",
    "Usure",
    "frais partagés",
    "monnaie fondante",
    "plafond annuel",
    "jour(s)",
    "saisi",
)


def french_in(texts: list[str]) -> list[str]:
    return [f"{word!r} in {text!r}" for text in texts for word in FRENCH_WORDS if word in text]


def test_the_split_reads_in_english_and_its_pdf_stays_french(
    english: None, qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    # MamAfrica 2026: an external prestation whose base is the demo's own invoice of
    # Mamasound to the festival's association (MamaStock is Mamasound's own: no share)
    page = open_settlement(qtbot, demo, AFRICA)
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
    assert "year-end adjustment" in screen.formula.text()  # SoTicket: the venue's year
    assert not french_in(shown), "French left on the English split:\n" + "\n".join(french_in(shown))

    with demo.session() as session:  # what is printed stays in French
        statement = settle(session, AFRICA, cachet_days=3)
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


def test_the_audit_trail_reads_in_the_readers_words(english: None, tmp_path: Path) -> None:
    """Codes and French labels recorded in the trail (a Z's scope and period, a return's
    condition, an incident's kind, ledger operations and accounts) read in English."""
    from regie.audit.recorder import ledger_line
    from regie.audit.trail import render, subject_label

    def line(template: str, action: str, **values: object) -> str:
        return render(template, orjson.dumps(values).decode(), action)

    z = line(
        "Clôture Z n°{number} ({scope}, {period}) : ventes {sales_cents}, total général "
        "{total_cents}",
        "closure.z",
        number=8,
        scope="pos:Food Court",
        period="event",
        sales_cents=714650,
        total_cents=714650,
    )
    assert z == "Z closure no. 8 (Food Court, Event): sales €7,146.50, grand total €7,146.50"
    back = line(
        "Retour du prêt n°{loan} : {items}",
        "loan.return",
        loan=2,
        items="CCC-AP-002 (ok), CCC-TPE-006 (missing)",
    )
    assert back == "Return of loan no. 2: CCC-AP-002 (good), CCC-TPE-006 (missing)"
    opened = line(
        "Incident n°{number} ({kind}) ouvert : {what}",
        "incident.open",
        number=4,
        kind="perte",
        what="CCC-TPE-006",
    )
    assert opened == "Incident no. 4 (loss) opened: CCC-TPE-006"
    assert ledger_line  # the ledger's line keeps operation codes and account names:
    posted = line(
        "Grand livre : {ops} — {amount_cents}, comptes {accounts} (transferts n°{first} à "
        "n°{last})",
        "ledger.refund",
        ops="refund ×1",
        amount_cents=1250,
        accounts="refunds, wallet:04A1B2C3",
        first=7,
        last=8,
    )
    assert "Refund ×1" in posted and "Refunds, Card 04A1B2C3" in posted
    assert "pos:" not in z and "wallet:" not in posted
    assert subject_label("ledger.refund", "refund") == "Refund"


def test_the_status_bar_names_the_simulated_reader_in_english(english: None) -> None:
    from regie.devices.manager import DeviceManager
    from regie.devices.simulated import SimulatedBackend
    from regie.ui.reader_status import describe

    backend = SimulatedBackend()
    manager = DeviceManager([backend])
    manager.start()
    try:
        assert describe(manager.state)[0] == "Reader: Simulated reader — no card"
        backend.tap(bytes.fromhex("04A1B2C3D4E5F6"))
        assert "Simulated reader" in describe(manager.state)[0]
    finally:
        manager.stop()


def test_a_staff_card_for_every_point_of_sale_says_so_in_english(english: None) -> None:
    from regie.cards.staff import ALL_POINTS_OF_SALE, StaffInfo
    from regie.ui.cards.staff_screen import places

    everywhere = StaffInfo("B194AEB9", None, "Camille", [ALL_POINTS_OF_SALE], True, None, False)
    assert places(everywhere) == "all points of sale"
    i18n.set_language("fr")
    assert places(everywhere) == "tous les points de vente"


def test_amounts_in_tables_follow_a_language_switch_back_to_french() -> None:
    from regie.ui.inventory.table_models import money

    i18n.set_language("en")
    try:
        assert money(30000) == "€300.00"
    finally:
        i18n.set_language("fr")
    assert money(30000) == "300,00\xa0€"  # not the English text remembered from before

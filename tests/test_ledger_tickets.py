"""X and Z tickets as PDFs (80 mm roll and A4), read back with pdftotext and pdfinfo, on the
two-event base of tests/season_fixtures.py (its docstring lists every transfer; the figures
below are computed by hand from it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from regie import clock
from regie.cli import main
from regie.db import Database
from regie.ledger.closures import close_z, event_scope
from regie.ledger.ticket_pdf import short_head, write_ticket
from regie.ledger.tickets import z_ticket
from tests.ledger_fixtures import import_file, sale, topup, write_lines
from tests.seal_fixtures import tamper
from tests.season_fixtures import C2, SPRING, SUMMER, season_base, utc
from tests.test_season_statement_pdf import pdf_text

__all__ = ["season_base"]


def page_size_mm(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert found is not None, info.stdout
    width, height = (float(found.group(n)) * 25.4 / 72 for n in (1, 2))
    return round(width, 1), round(height, 1)


def test_the_z_ticket_of_one_event_prints_its_figures_per_token_and_its_seal(
    season: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with season.session() as session, clock.frozen(utc(2026, 6, 2, 10)):
        z = close_z(session, event_scope(SPRING), period="event")
    pdf = tmp_path / "z1.pdf"
    assert main(["ledger", "ticket", "--z", "1", "--out", str(pdf), "--db", season.url]) == 0
    assert f"Ticket Z n°1 (80mm) : {pdf}" in capsys.readouterr().out
    width, height = page_size_mm(pdf)
    assert width == 80.0 and 60 < height < 400  # a roll, as long as the ticket
    text = pdf_text(pdf)
    # Mamasound runs the tills (the convention's partner, who invoices).
    assert f"TICKET Z n°1 Collectif Mamasound Événement {SPRING}" in text
    assert "Clôturé le 02/06/2026" in text
    # Spring: top-up C1 5 000 cash; sales 1 200 + 800 + 500 = 2 500, all in EUR at Bar Nord.
    assert "Euro local (EUR) Recharge 50,00 € Vente 25,00 € Ventes nettes 25,00 €" in text
    assert "Ventes nettes par point de vente Bar Nord 25,00 €" in text
    assert "Recharge · Espèces (1 op.) 50,00 €" in text
    assert "Vente · Cashless (3 op.) 25,00 €" in text
    assert "TVA 20 % 25,00 €" in text  # every Spring sale at 20 %
    assert "Ventes cumulées (EUR) 25,00 €" in text  # the event's first Z: 0 + 2 500
    # Nothing of Summer (Bar Sud: 900 + 700 + 400 = 2 000 of sales, 3 000 of top-up).
    assert "Bar Sud" not in text and "20,00 €" not in text and "30,00 €" not in text
    assert "Caisse Fond" not in text  # the event's Z counts no drawer
    head = z.chain_head
    assert f"Empreinte du journal {short_head(head)}" in text
    assert f"Tête de chaîne complète : {head[:32]} {head[32:]}" in text
    assert f"Signature : valide (clé {z.key})" in text


def test_a_till_s_z_on_a4_and_the_x_of_the_other_event_on_a_roll(
    season: Database, tmp_path: Path
) -> None:
    gifts = [  # Summer's last night: C2 is offered 5 GIFT and spends 2.50 of them at Bar Sud
        topup(11, C2, 500, asset="GIFT", pay="offered"),
        sale(12, C2, 250, asset="GIFT", pos="Bar Sud"),
    ]
    import_file(season, write_lines(tmp_path / "gifts.jsonl", gifts))
    with season.session() as session, clock.frozen(utc(2026, 7, 13, 10)):
        close_z(session, "pos:Bar Sud", cash_counted=2950)  # 50 cents missing
        ticket = z_ticket(session, 1)
    a4 = write_ticket(ticket, tmp_path / "z1-a4.pdf", "a4")
    assert page_size_mm(a4) == (210.0, 297.0)
    text = pdf_text(a4)
    # Bar Sud: top-up C2 3 000 cash; sales 900 + 700 cashless + 400 bank card = 2 000.
    assert "Recharge 30,00 € Vente 20,00 € Écart de caisse 0,50 € Ventes nettes 20,00 €" in text
    # The gift token apart, in its unit: its top-up was at Caisse centrale, not Bar Sud.
    assert "Jeton cadeau (GIFT) Vente 2,50 GIFT Ventes nettes 2,50 GIFT" in text
    assert "Ventes nettes par point de vente Bar Sud 20,00 € Bar Sud 2,50 GIFT" in text
    assert "Vente · Carte bancaire (1 op.) 4,00 €" in text
    assert "Vente · Cashless (2 op.) 16,00 €" in text  # 900 + 700
    assert "TVA 5,5 % 20,00 €" in text
    # The drawer: float 0, 3 000 in; the 50 cents missing leave it as a cash difference.
    # Expected 0 + 3 000 − 0 = 3 000; counted 2 950; gap 2 950 − 3 000 = −50.
    assert "Caisse Fond de caisse 0,00 € Espèces entrées 30,00 € Espèces sorties 0,50 €" in text
    assert "Attendu dans le tiroir 30,00 € Compté 29,50 € Écart -0,50 €" in text
    # Bar Sud's first Z: its running sales are its own, per token, never 20 € + 2.50 GIFT.
    assert "Ventes cumulées (GIFT) 2,50 GIFT Ventes cumulées (EUR) 20,00 €" in text
    assert "22,50" not in text

    roll = tmp_path / "x.pdf"
    args = ["ledger", "ticket", "--event", SUMMER, "--out", str(roll), "--db", season.url]
    assert main(args) == 0
    assert page_size_mm(roll)[0] == 80.0
    text = pdf_text(roll)
    # Summer's X: its whole journal (no Z of the event yet), the till's Z notwithstanding.
    assert "LECTURE X" in text and f"Événement {SUMMER}" in text
    assert "Jeton cadeau (GIFT) Recharge 5,00 GIFT Vente 2,50 GIFT" in text
    assert "Euro local (EUR) Recharge 30,00 € Vente 20,00 €" in text
    assert "Bar Nord" not in text and "25,00 €" not in text  # nothing of Spring
    assert "Empreinte" not in text and "Lecture X : rien n'est clos." in text


def test_a_z_whose_signature_was_forged_says_so_on_its_ticket_in_english_too(
    season: Database, tmp_path: Path, english: None
) -> None:
    with season.session() as session:
        close_z(session, event_scope(SPRING))
    with season.session() as session:
        tamper(session)
        session.execute(text("UPDATE z_signature SET signature = :forged"), {"forged": b"\1" * 64})
    with season.session() as session:
        ticket = z_ticket(session, 1)
    text_ = pdf_text(write_ticket(ticket, tmp_path / "z.pdf"))
    assert "Z TICKET No. 1" in text_ and "Event Printemps 2026" in text_
    assert (
        "Totals per token" in text_ and "Running sales (EUR) €25.00" in text_
    )  # 1 200 + 800 + 500
    assert "Signature: NOT VALID: this Z was altered" in text_

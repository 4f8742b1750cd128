"""The PDFs a partner reads speak their words: the settlement lists its settings named as on
the screen with thousands grouped, and the event report gives one total per token with its
unit (a gift token is no euro). On the demo season (MamAfrica 2026 holds EUR, FED and GIFT)."""

from __future__ import annotations

from pathlib import Path

import pytest

from regie.cli import main
from regie.db import Database
from tests.test_season_statement_pdf import pdf_text

EVENT = "MamAfrica 2026"


def test_partner_pdfs_name_settings_group_thousands_and_total_each_token(
    demo: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settlement, report = tmp_path / "reglement.pdf", tmp_path / "rapport.pdf"
    assert main(["settle", EVENT, "--out", str(settlement), "--db", demo.url]) == 0
    assert main(["report", EVENT, "--out", str(report), "--db", demo.url]) == 0
    capsys.readouterr()
    text = pdf_text(settlement)
    # The settings as the Réglages screen names them, never their keys:
    assert "_bp" not in text and "_cents" not in text
    assert "Taux en phase d'amortissement 35 %" in text
    assert "Part maximale par prestation 15 000,00 €" in text
    # The formula's cap and the bank fees to amortise: thousands grouped.
    assert "bornée entre 500,00 € et 15 000,00 €" in text
    assert "2 500,00 €" in text and "2500,00" not in text and "15000,00" not in text

    text = pdf_text(report)
    # Top-ups of MamAfrica 2026 per token (the demo's journal, per method in the table):
    # EUR: card 10 070 + cash 5 460 + Stripe reader 5 490 = 21 020,00 €
    # FED: card 910 + cash 250 + Stripe reader 540 = 1 700,00 FED
    # GIFT: offered 1 070 = 1 070,00 GIFT
    assert "Total EUR 804 21 020,00 €" in text  # 386 + 207 + 211 = 804 top-ups
    assert "Total FED 63 1 700,00 FED" in text  # 31 + 11 + 21 = 63
    assert "Total GIFT 43 1 070,00 GIFT" in text
    # Never one total over three tokens (21 020 + 1 700 + 1 070 = 23 790), nor a gift in €.
    assert "23 790,00" not in text
    assert "1 070,00 €" not in text

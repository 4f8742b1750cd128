"""The statement PDF of a prestation whose melting payback is larger than what it owes: the
partner reads who owes whom, not a negative total. On the season demo (several events)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from regie.cli import main
from regie.db import Database


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.replace("\u202f", " ").replace("\xa0", " ").split())


def test_an_own_event_with_a_large_melt_says_the_cooperative_owes_the_partner(
    demo: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "mamastock.pdf"
    assert main(["settle", "MamaStock 2026", "--out", str(pdf), "--db", demo.url]) == 0
    capsys.readouterr()
    text = pdf_text(pdf)
    # MamaStock is Mamasound's own event: no share, no cachet. Its costs: hosting 50 €, wear
    # 1 % of the cooperative's equipment lent (25 terminals and readers × 300 € + 2 access
    # points × 180 € = 7 860 €; the 5 000 cards are Mamasound's own) = 78.60 €, and the lost
    # reader CCC-TPE-006 at its book value (300 − 300 × 22/36 months = 116.67 €):
    # 50 + 78.60 + 116.67 = 245.27 €. The melt of 5 July (its period) took 5 522 € EUR
    # + 776 € FED: the cooperative pays back 50 % × 6 298 = 3 149 €.
    # 245.27 − 3 149 = −2 903.73 €: the cooperative owes Mamasound 2 903.73 €.
    assert "Total dû par la coopérative à Mamasound 2 903,73 €" in text
    assert "Total dû à la coopérative" not in text
    assert "116,67 €" in text and "78,60 €" in text and "− 3 149,00 €" in text
    assert "Cartes NFC Mamasound" not in text  # the partner's own cards are its own loss

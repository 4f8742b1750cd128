"""The convention's split and its settings on screen: MamaStock 2026's statement with every
input, the formula, the phase and the total; the other schemes; « Enregistrer »; the
statement PDF read back; a new rate from a date, with its history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie.db import Database
from regie.inventory.register import add_organisation
from regie.models import Organisation
from regie.money import format_money
from regie.settlement.convention import settle
from regie.settlement.invoices import create_invoice, parse_line
from regie.settlement.models import SettlementRecord
from regie.ui.settlement.settings_screen import SettingsScreen
from regie.ui.settlement.split_screen import SplitScreen
from tests.test_gui_ledger_support import message_box, press
from tests.test_gui_settlement_support import (
    STOCK,
    demo,
    idle,
    open_settlement,
    pdf_pages,
    pdf_text,
    shoot,
)

pytestmark = pytest.mark.gui
__all__ = ["demo"]
AFRICA = "MamAfrica 2026"
CLIENT = "Ville de Sète"


def invoiced(db: Database, euros: str = "9000") -> str:
    """The organiser (Mamasound) invoices its outside client: the base of the share (the
    cooperative's own invoice to Mamasound no longer counts)."""
    with db.session() as session:
        if not session.scalar(select(Organisation.id).where(Organisation.short_name == CLIENT)):
            add_organisation(session, CLIENT)
        return create_invoice(
            session,
            client=CLIENT,
            issuer="Mamasound",
            prestation=STOCK,
            lines=[parse_line(f"Régie cashless;1;{euros};20")],
            issued_on=dt.date(2026, 7, 15),
        ).reference


def rows(model: object) -> list[tuple[str, str]]:
    return list(model.rows())  # type: ignore[attr-defined]


def test_mamastock_statement_shows_inputs_formula_phase_and_total_then_is_recorded(
    qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    reference = invoiced(demo)
    page = open_settlement(qtbot, demo)
    screen = page.open(SplitScreen)
    idle(qtbot, page)
    assert screen.phase.text().startswith("Phase : amortissement · reste à amortir")
    assert screen.context.text().startswith("Convention CCC / Mamasound · Mamasound, 3 jours")
    assert ("Chiffre d'affaires HT hors cachet (F-2026-0001)", format_money(900000)) in rows(
        screen.inputs
    ) and reference == "F-2026-0001"
    # equipment 10,460 € + bank fees 2,500 € (the draft's associated costs; hosting 0)
    assert ("Montant à amortir", format_money(1296000)) in rows(screen.inputs)
    assert ("Reste à amortir avant cette prestation", format_money(1296000)) in rows(screen.inputs)
    assert "Projet : pas encore enregistré." in screen.context.text()
    assert not screen.invoice_button.isEnabled()
    assert rows(screen.results)[0] == ("Part : 9\u202f000,00\xa0€ × 35 %", format_money(315000))
    assert "part = base × 35 % (phase amortissement)" in screen.formula.text()

    screen.days.setValue(3)
    qtbot.keyClicks(screen.travel, "120")
    screen.compute_button.click()
    idle(qtbot, page)
    with demo.session() as session:
        expected = settle(session, STOCK, cachet_days=3, travel_cents=12000)
    cachet = (f"Cachet : 3 jours × {format_money(25000)}", format_money(75000))
    assert cachet in rows(screen.results)
    assert ("Frais partagés : Déplacements", format_money(12000)) in rows(screen.results)
    total = format_money(expected.total_cents)
    assert screen.total.text() == f"Total dû à la coopérative : {total}"
    assert format_money(expected.remaining_after_cents) in screen.remaining.text()
    shoot(page, artifacts, "4-split")

    screen.scheme.setCurrentIndex(screen.scheme.findData("flat"))
    idle(qtbot, page)
    assert screen.total.text() == f"Total dû à la coopérative : {format_money(270000)}"
    screen.scheme.setCurrentIndex(screen.scheme.findData("soticket"))
    idle(qtbot, page)
    assert rows(screen.results)[0][1] == format_money(22500)  # 2.5 % of 9,000
    # SoTicket per structure per year: Mamasound's year holds this one event, 2.5 % × 9,000 €
    # = 225 €, brought up to the 575 € floor by a year-end adjustment of 575 − 225 = 350 €
    assert f"ajustement de fin d'année {format_money(35000)}" in screen.formula.text()
    assert f"redevance de l'année {format_money(57500)}" in screen.formula.text()
    shoot(page, artifacts, "4-split-soticket")

    screen.scheme.setCurrentIndex(screen.scheme.findData("convention"))
    idle(qtbot, page)
    screen.record_button.click()
    box = message_box(qtbot)
    assert "Retenir ce règlement de MamaStock 2026" in box.text()
    press(box, "Enregistrer")
    idle(qtbot, page)
    assert screen.status.text().startswith("Règlement de MamaStock 2026 enregistré (version 1)")
    with demo.session() as session:
        kept = session.scalars(select(SettlementRecord)).one()
        assert (kept.scheme, kept.phase, kept.total_cents, kept.version) == (
            "convention",
            "amortissement",
            expected.total_cents,
            1,
        )
    assert "Version 1 enregistrée." in screen.context.text()
    assert screen.invoice_button.isEnabled()
    screen.invoice_button.click()
    box = message_box(qtbot)
    assert "Émettre la facture de la coopérative pour le règlement de MamaStock 2026" in box.text()
    press(box, "Émettre")
    idle(qtbot, page)
    # Mamasound's own series is at F-2026-0001: the cooperative's starts its own.
    assert screen.status.text() == "Facture de la coopérative émise : F-2026-0001."
    with demo.session() as session:
        kept = session.scalars(select(SettlementRecord)).one()
        assert kept.invoice_id is not None
    screen.compute_button.click()  # the cooperative's invoice does not raise the base
    idle(qtbot, page)
    assert "Version 1 enregistrée." in screen.context.text()

    screen.export_pdf(tmp_path / "reglement.pdf")
    idle(qtbot, page)
    press(message_box(qtbot), "Fermer")
    text = pdf_text(tmp_path / "reglement.pdf")
    for shown in (
        "Règlement — MamaStock 2026",
        "Phase : amortissement",
        "Part : 9 000,00 € × 35 % 3 150,00 €",
        "3 jours × 250,00 €",
        "Frais partagés : Déplacements 120,00 €",
    ):
        assert shown in text
    assert format_money(expected.total_cents).replace("\u202f", " ").replace("\xa0", " ") in text
    assert pdf_pages(tmp_path / "reglement.pdf", artifacts, "settlement-statement")

    screen.travel.clear()
    qtbot.keyClicks(screen.travel, "200")  # a correction: 200 € of travel instead of 120 €
    screen.compute_button.click()
    idle(qtbot, page)
    assert "Projet : diffère de la version 1 enregistrée (frais partagés" in screen.context.text()
    shoot(page, artifacts, "4-split-correction")


def test_a_new_rate_applies_from_its_date_and_keeps_its_history(
    qtbot: QtBot, demo: Database, artifacts: Path
) -> None:
    page = open_settlement(qtbot, demo)
    screen = page.open(SettingsScreen)
    idle(qtbot, page)
    names = [row.option.name for row in screen.model.rows()]
    row = names.index("amortisation_rate_bp")
    rate = screen.model.row_at(row)
    assert (rate.value, rate.since) == ("35 %", "par défaut")
    assert not screen.change_box.isEnabled()
    screen.table.selectRow(row)
    assert screen.change_box.isEnabled() and screen.history.rowCount() == 0
    qtbot.keyClicks(screen.value, "30 %")
    screen.valid_from.setDate(QDate(2026, 7, 1))
    screen.note.setText("vote d'été")  # QTest types ASCII only
    screen.save_button.click()
    box = message_box(qtbot)
    assert "À partir du 01/07/2026, « taux en phase d'amortissement » vaudra 30 %" in box.text()
    press(box, "Enregistrer")
    idle(qtbot, page)
    assert screen.model.row_at(row).value == "30 %"
    assert screen.model.row_at(row).since == "le 01/07/2026"
    assert [(screen.history.index(0, c).data()) for c in range(3)] == [
        "01/07/2026",
        "30 %",
        "vote d'été",
    ]
    screen.at.setDate(QDate(2026, 6, 1))  # before the vote: the old value
    idle(qtbot, page)
    assert screen.model.row_at(row).value == "35 %"
    screen.at.setDate(QDate(2026, 7, 12))
    idle(qtbot, page)
    screen.table.selectRow(row)
    shoot(page, artifacts, "5-settings")

    split = page.open(SplitScreen)
    idle(qtbot, page)
    assert "aucun chiffre d'affaires pour « MamaStock 2026 »" in split.status.text()
    qtbot.keyClicks(split.turnover, "9000")
    split.compute_button.click()
    idle(qtbot, page)
    assert rows(split.results)[0] == ("Part : 9\u202f000,00\xa0€ × 30 %", format_money(270000))
    page.choose(AFRICA)  # ends on 31 May: before the vote
    idle(qtbot, page)
    assert split.turnover.text() == ""
    qtbot.keyClicks(split.turnover, "9000")
    split.compute_button.click()
    idle(qtbot, page)
    assert rows(split.results)[0][0].endswith("× 35 %")


def test_the_split_reads_again_when_the_section_is_shown_again(
    qtbot: QtBot, demo: Database
) -> None:
    page = open_settlement(qtbot, demo)
    split = page.open(SplitScreen)
    idle(qtbot, page)
    assert "aucun chiffre d'affaires pour « MamaStock 2026 »" in split.status.text()
    page.hide()  # the office goes to « Factures » and invoices the prestation
    invoiced(demo)
    page.show()
    idle(qtbot, page)
    assert rows(split.inputs)[0] == (
        "Chiffre d'affaires HT hors cachet (F-2026-0001)",
        format_money(900000),
    )

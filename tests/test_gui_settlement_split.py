"""The convention's split and its settings on screen: MamAfrica 2026's statement (the season
demo's external prestation, invoiced 10,850 € by Mamasound) with every input, the formula,
the phase and the total; the other schemes; « Enregistrer »; the statement PDF read back; a
new rate from a date, with its history.

Before MamAfrica 2026, the demo's MamAfrica 2025 recovered 35 % × 3,200 € = 1,120 € of the
12,960 € to amortise (equipment 10,460 € + bank fees 2,500 €): 11,840 € are left. MamaStock
2026 is Mamasound's own festival (no share); where a story needs an external prestation with
no invoice yet, the test adds « Escale à Sète 2026 » (14-16 August, client Ville de Sète). The
office works in December 2026 (the clock is frozen there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.inventory.register import add_organisation, add_prestation
from regie.models import Prestation
from regie.money import format_money
from regie.settlement.invoices import create_invoice, parse_line
from regie.settlement.models import SettlementRecord
from regie.ui.settlement.settings_screen import SettingsScreen
from regie.ui.settlement.split_screen import SplitScreen
from tests.test_gui_ledger_support import message_box, press
from tests.test_gui_settlement_support import (
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
ESCALE = "Escale à Sète 2026"
CLIENT = "Ville de Sète"


@pytest.fixture(autouse=True)
def december() -> Iterator[None]:
    """The office's today: 7 December 2026 (the cooperative's invoice is dated today)."""
    with clock.frozen(dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)):
        yield


def add_escale(db: Database) -> None:
    """An external prestation after MamaStock, for an outside client, not invoiced yet."""
    with db.session() as session:
        add_organisation(session, CLIENT)
        add_prestation(session, ESCALE, CLIENT, dt.date(2026, 8, 14), dt.date(2026, 8, 16))


def invoiced(db: Database, euros: str = "9000") -> str:
    """The organiser (Mamasound) invoices Escale's outside client: the base of the share (the
    cooperative's own invoice to Mamasound never counts)."""
    with db.session() as session:
        return create_invoice(
            session,
            client=CLIENT,
            issuer="Mamasound",
            prestation=ESCALE,
            lines=[parse_line(f"Régie cashless;1;{euros};20")],
            issued_on=dt.date(2026, 8, 20),
        ).reference


def rows(model: object) -> list[tuple[str, str]]:
    return list(model.rows())  # type: ignore[attr-defined]


def test_mamafrica_statement_shows_inputs_formula_phase_and_total_then_is_recorded(
    qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    page = open_settlement(qtbot, demo, AFRICA)
    screen = page.open(SplitScreen)
    idle(qtbot, page)
    assert screen.phase.text().startswith("Phase : amortissement · reste à amortir")
    assert screen.context.text().startswith("Convention CCC / Mamasound · Asso MamAfrica, 3 jours")
    # Mamasound's F-2026-0001: 9,500 + 3 × 450 = 10,850 € of services (its cachet line apart)
    assert ("Chiffre d'affaires HT hors cachet (F-2026-0001)", format_money(1085000)) in rows(
        screen.inputs
    )
    # equipment 10,460 € + bank fees 2,500 € (the draft's associated costs; hosting 0)
    assert ("Montant à amortir", format_money(1296000)) in rows(screen.inputs)
    # MamAfrica 2025 recovered 1,120 €: 12,960 − 1,120 = 11,840 € left
    assert ("Reste à amortir avant cette prestation", format_money(1184000)) in rows(screen.inputs)
    assert "Projet : pas encore enregistré." in screen.context.text()
    assert not screen.invoice_button.isEnabled()
    # 35 % × 10,850 € = 3,797.50 €
    assert rows(screen.results)[0] == ("Part : 10\u202f850,00\xa0€ × 35 %", format_money(379750))
    assert "part = base × 35 % (phase amortissement)" in screen.formula.text()

    screen.days.setValue(3)
    qtbot.keyClicks(screen.travel, "120")
    screen.compute_button.click()
    idle(qtbot, page)
    cachet = (f"Cachet : 3 jours × {format_money(25000)}", format_money(75000))
    assert cachet in rows(screen.results)
    assert ("Frais partagés : Déplacements", format_money(12000)) in rows(screen.results)
    # share 3,797.50 + cachet 750 + hosting 50 + travel 120 + wear 1 % × 6,510 € lent = 65.10
    # + the cracked screen 45 (borrower) = 4,827.60 €; nothing melted in its period
    total = 379750 + 75000 + 5000 + 12000 + 6510 + 4500
    assert screen.total.text() == f"Total dû à la coopérative : {format_money(total)}"
    # 11,840 − 3,797.50 = 8,042.50 € left after it
    assert format_money(804250) in screen.remaining.text()
    shoot(page, artifacts, "4-split")

    screen.scheme.setCurrentIndex(screen.scheme.findData("flat"))
    idle(qtbot, page)
    # the flat 30 % × 10,850 € = 3,255 €, costs in the price
    assert screen.total.text() == f"Total dû à la coopérative : {format_money(325500)}"
    screen.scheme.setCurrentIndex(screen.scheme.findData("soticket"))
    idle(qtbot, page)
    assert rows(screen.results)[0][1] == format_money(27125)  # 2.5 % of 10,850 = 271.25 €
    # SoTicket per structure per year: Asso MamAfrica's 2026 holds this one event, 271.25 €,
    # brought up to the 575 € floor by a year-end adjustment of 575 − 271.25 = 303.75 €
    assert f"ajustement de fin d'année {format_money(30375)}" in screen.formula.text()
    assert f"redevance de l'année {format_money(57500)}" in screen.formula.text()
    shoot(page, artifacts, "4-split-soticket")

    screen.scheme.setCurrentIndex(screen.scheme.findData("convention"))
    idle(qtbot, page)
    screen.record_button.click()
    box = message_box(qtbot)
    assert "Retenir ce règlement de MamAfrica 2026" in box.text()
    press(box, "Enregistrer")
    idle(qtbot, page)
    assert screen.status.text().startswith("Règlement de MamAfrica 2026 enregistré (version 1)")

    def kept_row() -> SettlementRecord:
        with demo.session() as session:
            return session.scalars(
                select(SettlementRecord)
                .join(Prestation, Prestation.id == SettlementRecord.prestation_id)
                .where(Prestation.name == AFRICA)
            ).one()

    kept = kept_row()
    assert (kept.scheme, kept.phase, kept.total_cents, kept.version) == (
        "convention",
        "amortissement",
        total,
        1,
    )
    assert "Version 1 enregistrée." in screen.context.text()
    assert screen.invoice_button.isEnabled()
    screen.invoice_button.click()
    box = message_box(qtbot)
    assert "Émettre la facture de la coopérative pour le règlement de MamAfrica 2026" in box.text()
    press(box, "Émettre")
    idle(qtbot, page)
    # Mamasound's and Le Rockstore's 2026 series are theirs; the cooperative's 2026 series
    # starts at F-2026-0001 (its F-2025-0001 billed MamAfrica 2025).
    assert screen.status.text() == "Facture de la coopérative émise : F-2026-0001."
    assert kept_row().invoice_id is not None
    screen.compute_button.click()  # the cooperative's invoice does not raise the base
    idle(qtbot, page)
    assert "Version 1 enregistrée." in screen.context.text()

    screen.export_pdf(tmp_path / "reglement.pdf")
    idle(qtbot, page)
    press(message_box(qtbot), "Fermer")
    text = pdf_text(tmp_path / "reglement.pdf")
    for shown in (
        "Règlement — MamAfrica 2026",
        "Phase : amortissement",
        "Part : 10 850,00 € × 35 % 3 797,50 €",
        "3 jours × 250,00 €",
        "Frais partagés : Déplacements 120,00 €",
        "4 827,60 €",
    ):
        assert shown in text
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
    add_escale(demo)
    page = open_settlement(qtbot, demo, ESCALE)
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
    assert "aucun chiffre d'affaires pour « Escale à Sète 2026 »" in split.status.text()
    qtbot.keyClicks(split.turnover, "9000")
    split.compute_button.click()
    idle(qtbot, page)
    # Escale ends on 16 August, after the vote: 30 % × 9,000 € = 2,700 € (1,120 + 3,797.50 €
    # recovered before it, 8,042.50 € left: no crossing)
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
    add_escale(demo)
    page = open_settlement(qtbot, demo, ESCALE)
    split = page.open(SplitScreen)
    idle(qtbot, page)
    assert "aucun chiffre d'affaires pour « Escale à Sète 2026 »" in split.status.text()
    page.hide()  # the office goes to « Factures » and invoices the prestation
    reference = invoiced(demo)
    page.show()
    idle(qtbot, page)
    # Mamasound's second of 2026 (its F-2026-0001 invoiced MamAfrica 2026)
    assert reference == "F-2026-0002"
    assert rows(split.inputs)[0] == (
        "Chiffre d'affaires HT hors cachet (F-2026-0002)",
        format_money(900000),
    )

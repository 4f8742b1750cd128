"""Invoices on screen: written line by line with the totals per VAT rate following the
typing, issued with a confirmation, exported as PDF and Factur-X (read back), credited.

The season demo already holds invoices: CCC's F-2025-0001 (MamAfrica 2025's statement),
Mamasound's F-2026-0001 (MamAfrica 2026) and Le Rockstore's F-2026-0001..0003 (its concerts).
The office works on them in December 2026 (the clock is frozen there: the page opens on the
current year)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import facturx
import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.models import Organisation
from regie.settlement.invoices import create_invoice, list_invoices, parse_line
from regie.ui.settlement.invoice_lines import LABEL, QUANTITY, UNIT, VAT
from regie.ui.settlement.invoices_page import InvoicesPage
from tests.test_gui_ledger_support import message_box, press
from tests.test_gui_settlement_support import (
    STOCK,
    demo,
    idle,
    open_invoices,
    pdf_pages,
    pdf_text,
    shoot,
)

pytestmark = pytest.mark.gui
__all__ = ["demo"]
# The demo's invoices of 2026, by date: Mamasound's to Asso MamAfrica (8 June), Le Rockstore's
# to Sud Concerts (12 October, 9 and 30 November).
DEMO_2026 = [
    ("Mamasound", "F-2026-0001"),
    ("Rockstore", "F-2026-0001"),
    ("Rockstore", "F-2026-0002"),
    ("Rockstore", "F-2026-0003"),
]


@pytest.fixture(autouse=True)
def december() -> Iterator[None]:
    """The office's today: 7 December 2026, whatever the wall clock says."""
    with clock.frozen(dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)):
        yield


def shown_rows(page: InvoicesPage) -> list[tuple[str, str]]:
    return [(row.issuer, row.reference) for row in page.model.rows()]


def write_invoice(qtbot: QtBot, page: InvoicesPage) -> None:
    """MamaStock 2026 invoiced by CCC: the share, a cachet of 1.5 days, a cost at 5.5 %."""
    editor = page.open_editor()
    qtbot.waitExposed(editor)
    editor.prestation.setCurrentIndex(editor.prestation.findData(STOCK))
    assert editor.client.currentData() == "Mamasound"  # the prestation's client
    editor.issuer.setCurrentIndex(editor.issuer.findData("CCC"))
    editor.issued_on.setDate(QDate(2026, 7, 15))
    lines = editor.lines
    lines.item(0, LABEL).setText("Part de la convention")
    lines.item(0, UNIT).setText("3150")
    lines.add_line("Cachet TiBillet", "1,5", "250", 2000, "cachet")
    lines.add_line("Hébergement", "1", "50", 550, "cost")
    assert "TVA 5,5 %" in editor.totals.text()


def test_an_invoice_is_written_issued_exported_and_credited(
    qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    page = open_invoices(qtbot, demo)
    assert shown_rows(page) == DEMO_2026  # the current year's
    page.year.setCurrentIndex(page.year.findData(2027))  # next year: nothing yet
    assert page.model.rowCount() == 0 and "Aucune facture" in page.detail.toPlainText()
    write_invoice(qtbot, page)
    editor = page.editor
    assert editor is not None
    totals = editor.totals.text()
    for shown in (
        "TVA 5,5 %</td><td align='right'>base 50,00\xa0€",
        "TVA 2,75\xa0€",
        "TVA 20 %</td><td align='right'>base 3\u202f525,00\xa0€",
        "TVA 705,00\xa0€",
        "4\u202f282,75\xa0€",
    ):
        assert shown in totals
    assert editor.lines.item(1, 5).text() == "375,00\xa0€"  # 1,5 × 250
    editor.lines.item(1, QUANTITY).setText("1,5x")
    assert editor.problems.text() == "Ligne 2, quantité : montant illisible : « 1,5x »"
    assert not editor.issue_button.isEnabled()
    editor.lines.item(1, QUANTITY).setText("1,5")
    assert editor.problems.text() == "" and editor.issue_button.isEnabled()
    assert editor.lines.combo(2, VAT).currentText() == "5,5 %"
    shoot(editor, artifacts, "7-invoice-editor")
    editor.issue_button.click()
    box = message_box(qtbot)
    assert "Émettre la facture de CCC à Mamasound (3 lignes, 3\u202f575,00\xa0€ HT)" in box.text()
    press(box, "Émettre")
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=5000)
    # shown in its year, between Mamasound's of June and Le Rockstore's of the autumn: CCC's
    # own series starts at F-2026-0001 though Mamasound and Le Rockstore have theirs
    assert shown_rows(page) == [DEMO_2026[0], ("CCC", "F-2026-0001"), *DEMO_2026[1:]]
    chosen = page.selected()
    assert chosen is not None and (chosen.issuer, chosen.reference) == ("CCC", "F-2026-0001")
    detail = page.detail.toPlainText()  # spaces made plain by the text browser
    assert "Facture n° F-2026-0001" in detail and "TTC 4 282,75 €" in detail
    assert page.status.text() == "Facture F-2026-0001 émise : 4\u202f282,75\xa0€ TTC."
    shoot(page, artifacts, "6-invoices")

    page.export("F-2026-0001", tmp_path / "facture.pdf", issuer="CCC")
    idle(qtbot, page)
    press(message_box(qtbot), "Fermer")
    page.export("F-2026-0001", tmp_path / "facture-facturx.pdf", facturx=True, issuer="CCC")
    idle(qtbot, page)
    press(message_box(qtbot), "Fermer")
    for name in ("facture.pdf", "facture-facturx.pdf"):
        text = pdf_text(tmp_path / name)
        for shown in (
            "Facture n° F-2026-0001",
            "Coopérative Code Commun",
            "Collectif Mamasound",
            "Prestation : MamaStock 2026",
            "1,5 250,00 € 20 % 375,00 €",
            "Total HT 3 575,00 €",
            "Total TVA 707,75 €",
            "Total TTC 4 282,75 €",
        ):
            assert shown in text, (name, shown)
    xml_name, xml = facturx.get_xml_from_pdf((tmp_path / "facture-facturx.pdf").read_bytes())
    assert xml_name == "factur-x.xml" and b"<ram:TypeCode>380</ram:TypeCode>" in xml
    assert b">4282.75<" in xml
    assert pdf_pages(tmp_path / "facture-facturx.pdf", artifacts, "invoice")

    dialog = page.ask_credit()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.reason.setText("Prestation facturée deux fois")
    shoot(dialog, artifacts, "7-credit-note")
    dialog.issue_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    rows = {(row.issuer, row.reference): row for row in page.model.rows()}
    assert rows["CCC", "F-2026-0001"].cancelled_by == "AV-2026-0001"
    assert rows["Mamasound", "F-2026-0001"].cancelled_by == ""  # the same number, untouched
    chosen = page.selected()
    assert chosen is not None and (chosen.issuer, chosen.reference) == ("CCC", "AV-2026-0001")
    assert "Annule la facture n° F-2026-0001" in page.detail.toPlainText()
    assert page.status.text() == "Avoir AV-2026-0001 émis : il annule la facture F-2026-0001."
    page.choose("F-2026-0001", "CCC")
    assert not page.credit_button.isEnabled()  # credited once, never twice
    assert "Annulée par l'avoir AV-2026-0001" in page.detail.toPlainText()
    shoot(page, artifacts, "6-invoices-credited")
    page.export("AV-2026-0001", tmp_path / "avoir.pdf", facturx=True, issuer="CCC")
    idle(qtbot, page)
    press(message_box(qtbot), "Fermer")
    assert "Avoir n° AV-2026-0001" in pdf_text(tmp_path / "avoir.pdf")
    assert pdf_pages(tmp_path / "avoir.pdf", artifacts, "credit-note")
    with demo.session() as session:
        kept = [
            (i.reference, i.kind, i.total_incl_cents)
            for i in list_invoices(session, 2026, issuer="CCC")
        ]
    assert kept == [("F-2026-0001", "invoice", 428275), ("AV-2026-0001", "credit", 428275)]


def test_a_refused_invoice_shows_the_reason_and_numbers_nothing(
    qtbot: QtBot, demo: Database
) -> None:
    page = open_invoices(qtbot, demo)
    with demo.session() as session:
        before = [(i.issuer, i.reference) for i in list_invoices(session)]
    editor = page.open_editor()
    qtbot.waitExposed(editor)
    editor.issuer.setCurrentIndex(editor.issuer.findData("Mamasound"))
    editor.client.setCurrentIndex(editor.client.findData("Mamasound"))
    editor.lines.item(0, LABEL).setText("Régie")
    editor.lines.item(0, UNIT).setText("100")
    editor.issue()
    box = message_box(qtbot)
    assert box.text() == "l'émetteur et le client d'une facture sont deux organisations"
    press(box, "Fermer")
    assert editor.isVisible() and shown_rows(page) == DEMO_2026
    with demo.session() as session:  # nothing numbered: the list is the demo's
        assert [(i.issuer, i.reference) for i in list_invoices(session)] == before
    editor.reject()


def test_two_issuers_sharing_a_number_are_told_apart_and_a_missing_siret_names_the_screen(
    qtbot: QtBot, demo: Database, artifacts: Path
) -> None:
    with demo.session() as session:  # CCC's first of 2026; Mamasound's and Le Rockstore's exist
        create_invoice(
            session,
            issuer="CCC",
            client="Mamasound",
            prestation=STOCK,
            issued_on=dt.date(2026, 7, 15),
            lines=[parse_line("Régie;1;3150;20")],
        )
    page = open_invoices(qtbot, demo)
    page.year.setCurrentIndex(page.year.findData(2026))
    sharing = [issuer for issuer, reference in shown_rows(page) if reference == "F-2026-0001"]
    assert sharing == ["Mamasound", "CCC", "Rockstore"]  # by date: June, July, October
    page.choose("F-2026-0001", "Mamasound")
    detail = page.detail.toPlainText()
    # Mamasound's to Asso MamAfrica: 9,500 + 3 × 450 + 3 × 250 (cachet) = 11,600 € + 20 % VAT
    # 2,320 € = 13,920 € TTC (CCC's is 3,150 × 1.2 = 3,780 €; Le Rockstore's 6,200 × 1.055 =
    # 6,541 €)
    assert "Émetteur : Collectif Mamasound" in detail and "TTC 13 920,00 €" in detail
    assert "Prestation de services réalisée du 29/05/2026 au 31/05/2026" in detail
    page.choose("F-2026-0001", "CCC")
    detail = page.detail.toPlainText()
    assert "Émetteur : Coopérative Code Commun" in detail and "TTC 3 780,00 €" in detail
    assert "Prestation de services réalisée du 10/07/2026 au 12/07/2026" in detail
    page.choose("F-2026-0001", "Rockstore")
    assert "TTC 6 541,00 €" in page.detail.toPlainText()
    shoot(page, artifacts, "8-invoices-two-issuers")
    with demo.session() as session:
        session.scalars(
            select(Organisation).where(Organisation.short_name == "CCC")
        ).one().siret = ""
    editor = page.open_editor()
    qtbot.waitExposed(editor)
    editor.issuer.setCurrentIndex(editor.issuer.findData("CCC"))
    editor.client.setCurrentIndex(editor.client.findData("Mamasound"))
    editor.lines.item(0, LABEL).setText("Régie")
    editor.lines.item(0, UNIT).setText("100")
    editor.issue()
    box = message_box(qtbot)
    assert box.text() == (
        "CCC n'a pas de SIRET, mention obligatoire de ses factures : renseignez-le dans "
        "Inventaire › Référentiel › Organisations (fiche « CCC »)"
    )
    press(box, "Fermer")
    editor.reject()
    assert len(page.model.rows()) == len(DEMO_2026) + 1  # nothing numbered

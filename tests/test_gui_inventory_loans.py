"""Loans from the GUI: the wizard sends equipment out, the check-in dialog takes it back.

One damaged and one missing item come back: the database has the statuses, the dialog the
incidents it opened. Real widgets under Xvfb, typed into like a scanner does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QSpinBox, QWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.inventory.models import AssetStatus, Condition, Incident, IncidentKind, Loan
from regie.ui.inventory.page import InventoryPage
from regie.ui.main_window import STYLE
from tests.gui_inventory_support import message_box, screenshot
from tests.inventory_fixtures import status_of

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot, festival: Database) -> InventoryPage:
    page = InventoryPage(festival, DeviceManager([]))
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)  # the main window's, as the page is shown inside it
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)
    page.show_screen(page.loans)
    return page


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Xvfb has no window manager: ask for the focus until X11 grants it (for shortcuts)."""

    def active() -> bool:
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active, timeout=3000)


def scan(qtbot: QtBot, field: QWidget, tag: str) -> None:
    """What a USB scanner does: the characters, then Enter."""
    qtbot.keyClicks(field, tag)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_a_loan_goes_out_and_comes_back_with_one_damaged_and_one_missing_item(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    screen = page.loans
    qtbot.mouseClick(screen.findChild(QWidget, "newLoan"), Qt.MouseButton.LeftButton)
    wizard = screen.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    first = wizard.first
    first.borrower.setCurrentText("Mamasound")
    first.prestation.setCurrentIndex(
        first.prestation.findText("MamaStock 2026", Qt.MatchFlag.MatchStartsWith)
    )
    due = clock.today() + dt.timedelta(days=4)
    first.due.setDate(QDate(due))
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Suivant >"
    screenshot(wizard, artifacts, "2a-loan-wizard-borrower")
    wizard.next()

    items = wizard.items_page
    for tag in ("ccc-v2s-001", "CCC-V2S-002", "CCC-TPE-001"):
        scan(qtbot, items.scan, tag)
    assert items.feedback.text() == "CCC-TPE-001 ajouté"
    scan(qtbot, items.scan, "CCC-V2S-001")  # scanned twice: refused at once
    assert items.feedback.text() == "déjà dans la liste : CCC-V2S-001"
    scan(qtbot, items.scan, "NOPE-42")
    assert "étiquette inconnue : « NOPE-42 »" in items.feedback.text()
    scan(qtbot, items.scan, "CCC-TPE-006")  # lost at MamaStock: listed, in red, blocks
    assert items.feedback.text() == "CCC-TPE-006 : CCC-TPE-006 est perdu"
    assert not items.isComplete()
    activate(qtbot, wizard)
    items.view.setFocus()  # Delete removes the chosen line from the list, not a character
    items.view.selectRow(3)
    qtbot.keyClick(items.view, Qt.Key.Key_Delete)
    assert [row.name for row in items.items.rows()] == ["CCC-V2S-001", "CCC-V2S-002", "CCC-TPE-001"]
    items.lot.setCurrentIndex(items.lot.findText("Cartes NFC CCC", Qt.MatchFlag.MatchStartsWith))
    items.quantity.setValue(500)
    qtbot.mouseClick(items.findChild(QWidget, "loanAddLot"), Qt.MouseButton.LeftButton)
    assert items.isComplete()
    assert items.totals.text() == "3 matériels, 500 articles en lots"
    screenshot(wizard, artifacts, "2b-loan-wizard-items")
    wizard.next()

    summary = wizard.summary_page.text.text()
    assert "Prêt à <b>Mamasound</b> pour <b>MamaStock 2026</b>" in summary
    assert "<b>3 matériels</b>" in summary
    assert "<li>CCC-TPE-001 — Stripe Reader S700</li>" in summary
    assert "<li>500 × Cartes NFC CCC (propriété CCC)</li>" in summary
    screenshot(wizard, artifacts, "2c-loan-wizard-summary")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=2000)
    box = message_box(qtbot)
    loan_id = wizard.result_summary.loan_id if wizard.result_summary else 0
    assert box.text() == (
        f"Prêt n°{loan_id} à Mamasound : 3 matériels, 500 × Cartes NFC CCC, "
        f"retour le {due:%d/%m/%Y}."
    )
    box.accept()
    with festival.session() as session:
        for tag in ("CCC-V2S-001", "CCC-V2S-002", "CCC-TPE-001"):
            assert status_of(session, tag) == AssetStatus.OUT
    assert screen.open_title.text() == "Prêts en cours (1)"

    # Back: one scanned fine, one damaged, one missing, 480 cards of 500.
    activate(qtbot, page)
    qtbot.keyClick(screen, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = screen.checkin_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)
    assert dialog.loan.currentData() == loan_id
    lines = dialog.lines
    tags = [lines.line_at(row).line.tag or lines.line_at(row).line.lot for row in range(4)]
    assert tags == ["CCC-V2S-001", "CCC-V2S-002", "CCC-TPE-001", "Cartes NFC CCC"]
    before = [lines.data(lines.index(row, 4)) for row in range(4)]  # nobody looked yet
    assert before == ["pas encore rendu"] * 3 + ["pas encore compté"]
    scan(qtbot, dialog.scan, "ccc-v2s-001")
    assert dialog.feedback.text() == f"CCC-V2S-001 : rendu en bon état (prêt n°{loan_id})"
    dialog.view.selectRow(1)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # Abîmé
    qtbot.waitUntil(lambda: lines.data(lines.index(1, 4)) == "abîmé", timeout=2000)  # animated
    dialog.view.selectRow(2)
    qtbot.mouseClick(dialog.condition_buttons[Condition.MISSING], Qt.MouseButton.LeftButton)
    cards = lines.index(3, 3)
    dialog.view.setCurrentIndex(cards)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)  # edit the count returned
    editor = dialog.view.viewport().findChild(QSpinBox)
    assert editor is not None and editor.maximum() == 500
    editor.selectAll()
    qtbot.keyClicks(editor, "480")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: lines.data(lines.index(3, 4)) == "20 manquants", timeout=2000)
    states = [lines.data(lines.index(row, 4)) for row in range(4)]
    assert states == ["bon état", "abîmé", "manquant", "20 manquants"]
    screenshot(dialog, artifacts, "2e-checkin-lines")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)

    assert dialog.outcome.isVisible()
    assert not dialog.another.isVisible()  # no other loan left to take back
    assert dialog.outcome.text() == (
        f"<p>Retour enregistré — prêt n°{loan_id} soldé.</p><ul>"
        "<li>1 rentré en bon état</li>"
        '<li><span style="color:#b3261e">abîmé, mis en quarantaine : CCC-V2S-002</span></li>'
        '<li><span style="color:#b3261e">manquant : CCC-TPE-001</span></li>'
        "<li>Cartes NFC CCC : 480 rendus sur 500"
        '<span style="color:#b3261e">, 20 perdus</span></li></ul>'  # not in the green
    )
    shown = [
        tuple(dialog.incidents.data(dialog.incidents.index(row, col)) for col in (1, 2, 3))
        for row in range(dialog.incidents.rowCount())
    ]
    assert sorted(shown) == [
        ("casse", "CCC-V2S-002", "en quarantaine"),
        ("perte", "20 × Cartes NFC CCC", "sorti de l'inventaire"),
        ("perte", "CCC-TPE-001", "ouvert"),
    ]
    assert dialog.incidents.data(dialog.incidents.index(0, 4)) is not None
    screenshot(dialog, artifacts, "2f-checkin-done")
    with festival.session() as session:
        assert status_of(session, "CCC-V2S-001") == AssetStatus.AVAILABLE
        assert status_of(session, "CCC-V2S-002") == AssetStatus.QUARANTINED
        assert status_of(session, "CCC-TPE-001") == AssetStatus.LOST
        assert session.get_one(Loan, loan_id).closed_at is not None
        kinds = session.scalars(select(Incident.kind).where(Incident.loan_id == loan_id)).all()
        assert sorted(kinds) == sorted(
            [IncidentKind.BREAKAGE, IncidentKind.LOSS, IncidentKind.LOSS]
        )
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # "Fermer" is the default button now
    assert not dialog.isVisible()
    assert screen.open_title.text() == "Prêts en cours (0)"


def test_a_refused_check_out_says_why_and_writes_nothing(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    wizard = page.loans.open_wizard()
    assert wizard is not None
    wizard.next()
    scan(qtbot, wizard.items_page.scan, "CCC-V2S-003")
    wizard.next()
    with festival.session() as session:  # meanwhile, another workstation lends it
        checkout(session, "CCC", Items(("CCC-V2S-003",)), due_on=clock.today())
    wizard.button(QWizard.WizardButton.FinishButton).click()
    box = message_box(qtbot)
    assert box.text().startswith("sortie impossible, rien n'a été enregistré :")
    assert "CCC-V2S-003 est déjà sorti (prêt n°" in box.text()
    box.accept()
    assert wizard.isVisible()  # the user can go back and change the list
    with festival.session() as session:
        assert len(session.scalars(select(Loan).where(Loan.closed_at.is_(None))).all()) == 1


def test_overdue_loans_are_listed_in_red_with_what_is_still_out(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    with clock.frozen(dt.datetime.now(dt.UTC) - dt.timedelta(days=12)), festival.session() as s:
        checkout(
            s,
            "Mamasound",
            Items(("CCC-D3M-001",), ("KIT-CAISSES-A",), (("Cartes NFC Mamasound", 300),)),
            due_on=clock.today() + dt.timedelta(days=2),
            prestation_name="MamaStock 2026",
        )
    with festival.session() as s:
        checkout(s, "CCC", Items(("CCC-AP-001",)), due_on=clock.today() + dt.timedelta(days=3))
    screen = page.loans
    screen.refresh()
    assert screen.open_title.text() == "Prêts en cours (2)"
    assert screen.overdue_title.text() == "En retard (1)"
    late = screen.overdue_model
    assert late.data(late.index(0, 4)) == "10 j"
    assert late.data(late.index(0, 5)) == (
        "CCC-D3M-001, CCC-V2S-011, CCC-V2S-012, CCC-V2S-013, CCC-V2S-014, "
        "Cartes NFC Mamasound × 300"
    )
    assert late.data(late.index(0, 0), Qt.ItemDataRole.ForegroundRole).name() == "#b3261e"
    opened = screen.open_model
    assert opened.data(opened.index(0, 5)) == "5 matériels, 300 × Cartes NFC Mamasound"
    screenshot(page, artifacts, "2d-loans-overdue")
    # Double-click a late loan: its check-in opens on it.
    screen.overdue_view.doubleClicked.emit(late.index(0, 0))
    dialog = screen.checkin_dialog
    assert dialog is not None and dialog.loan.currentData() == late.row_at(0).loan_id
    dialog.reject()

"""The Référentiel and the kits from the GUI: what the office adds before an event.

An organisation, a place, a prestation, a model and a lot are added through their forms and
offered at once by the other screens (the loan wizard, the filters); a duplicate is refused
in French over the form. A kit is created, filled by scanning, and goes out whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget, QWizard
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.inventory.models import AssetStatus
from regie.ui.inventory.page import InventoryPage
from regie.ui.inventory.reference_forms import OperationForm
from tests.gui_inventory_support import message_box, press, screenshot
from tests.inventory_fixtures import status_of

pytestmark = pytest.mark.gui
NNBSP = "\u202f"  # the French thousands separator


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


def save(qtbot: QtBot, form: OperationForm | None) -> OperationForm:
    assert form is not None
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    return form


def rows(model: object, columns: int) -> list[tuple[str, ...]]:
    return [
        tuple(model.data(model.index(row, column)) for column in range(columns))  # type: ignore[attr-defined]
        for row in range(model.rowCount())  # type: ignore[attr-defined]
    ]


def test_reference_data_added_from_the_forms_is_listed_and_offered_by_the_loan_wizard(
    qtbot: QtBot, page: InventoryPage, artifacts: Path
) -> None:
    assert page.assets.owner.findText("Dunes") < 0  # built first: must hear of the new names
    page.show_screen(page.reference)
    screen = page.reference
    # the two owners, MamAfrica's association, the Rockstore and its producer
    assert screen.kinds.item(0).text() == "Organisations (5)"

    form = screen.open_form("organisations")
    qtbot.waitExposed(form)
    qtbot.keyClicks(form.short_name, "Dunes")
    qtbot.keyClicks(form.name, "Association Les Dunes")
    qtbot.keyClicks(form.siret, "123 456 789 00012")  # as printed on an invoice
    qtbot.keyClicks(form.vat_number, "FR12123456789")
    form.address.setText("Sète")
    screenshot(form, artifacts, "7b-reference-form")
    save(qtbot, form)
    assert not form.isVisible()
    assert ("Dunes", "Association Les Dunes", "12345678900012", "FR12123456789", "Sète") in rows(
        screen.models["organisations"], 5
    )
    assert screen.kinds.item(0).text() == "Organisations (6)"

    # A duplicate: the core's French refusal over the form, which stays open as typed.
    form = screen.open_form("organisations")
    qtbot.keyClicks(form.short_name, "ccc")
    save(qtbot, form)
    box = message_box(qtbot)
    assert box.text() == "organisation « ccc » existe déjà"
    press(box, "Fermer")
    assert form.isVisible() and form.short_name.text() == "ccc"
    form.reject()

    form = screen.open_form("locations")
    form.name.setText("Entrepôt Sète")
    save(qtbot, form)
    form = screen.open_form("prestations")
    qtbot.keyClicks(form.name, "Dunes 2027")
    form.client.setCurrentText("Dunes")
    form.starts_on.setDate(QDate(2027, 6, 10))
    form.ends_on.setDate(QDate(2027, 6, 12))
    form.place.setText("Sète, plage de la Corniche")
    save(qtbot, form)
    form = screen.open_form("models")
    form.name.setText("Écocup 25 cl")
    form.category.setCurrentText("Consommables")
    qtbot.mouseClick(form.counted, Qt.MouseButton.LeftButton)
    form.months.setValue(24)
    save(qtbot, form)
    assert ("Écocup 25 cl", "Consommables", "", "compté par lots", "24 mois") in rows(
        screen.models["models"], 5
    )

    form = screen.open_form("lots")
    assert form.model.itemText(0) == "Carte NFC NTAG215"  # counted models first
    form.name.setText("Écocups Dunes")
    form.model.setCurrentText("Écocup 25 cl")
    form.owner.setCurrentText("Dunes")
    form.quantity.setValue(2000)
    qtbot.keyClicks(form.unit_cost, "-1")
    save(qtbot, form)
    box = message_box(qtbot)
    assert box.text() == "un coût ne peut pas être négatif"
    press(box, "Fermer")
    form.unit_cost.setText("1,20")
    form.location.setCurrentText("Entrepôt Sète")
    save(qtbot, form)
    assert not form.isVisible()
    lots = rows(screen.models["lots"], 7)
    assert (
        "Écocups Dunes",
        "Écocup 25 cl",
        "Dunes",
        f"2{NNBSP}000",
        f"2{NNBSP}000",
        "1,20\u00a0€",
        "Entrepôt Sète",
    ) in lots
    assert screen.views["lots"].selectionModel().selectedRows()[0].row() == [
        lot[0] for lot in lots
    ].index("Écocups Dunes")  # the new line is chosen, in view
    assert [screen.kinds.item(n).text() for n in range(5)] == [
        "Organisations (6)",  # the demo's 5 (a season) and Dunes
        "Lieux (3)",
        "Prestations (7)",  # the demo's 6 (MamAfrica 2025, 2026, MamaStock, 3 concerts) + 1
        "Modèles (7)",
        "Lots (4)",
    ]
    screenshot(page, artifacts, "7a-reference")
    screen.show_kind("prestations")
    assert screen.models["prestations"].row_at(0).name == "Dunes 2027"  # the latest first
    assert rows(screen.models["prestations"], 5)[0] == (
        "Dunes 2027",
        "Dunes",
        "10/06/2027",
        "12/06/2027",
        "Sète, plage de la Corniche",
    )

    # Offered at once elsewhere: the loan wizard, the equipment filters, the audit.
    page.show_screen(page.loans)
    wizard = page.loans.open_wizard()
    assert wizard is not None
    first = wizard.first
    assert first.borrower.findText("Dunes") >= 0
    assert first.prestation.findText("Dunes 2027 — du 10/06 au 12/06/2027") >= 0
    assert wizard.items_page.lot.findText("Écocups Dunes (2000 en stock)") >= 0
    wizard.reject()
    page.show_screen(page.assets)
    assert page.assets.owner.findText("Dunes") >= 0
    page.show_screen(page.audit)
    page.audit.by_location.setChecked(True)
    assert page.audit.scope.findText("Entrepôt Sète") >= 0


def test_a_kit_is_created_filled_by_scanning_and_goes_out_whole(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    assert page.loans is not None  # built: its Ctrl+N (new loan) exists, hidden
    page.show_screen(page.kits)
    screen = page.kits
    assert screen.count.text() == "1 valise"
    assert screen.heading.text() == "KIT-CAISSES-A — Valise caisses A (4 Sunmi V2s) (4 matériels)"
    activate(qtbot, page)
    qtbot.keyClick(screen, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = screen.form  # the shortcut of the tab on screen, not the hidden one's
    assert form is not None and page.loans.wizard is None
    qtbot.waitExposed(form)
    qtbot.keyClicks(form.tag, "kit-caisses-b")
    form.name.setText("Valise caisses B")
    form.location.setCurrentText("Dépôt CCC")
    save(qtbot, form)
    assert screen.heading.text() == "KIT-CAISSES-B — Valise caisses B (0 matériel)"
    assert screen.feedback.text() == "Valise KIT-CAISSES-B créée : scannez ce qu'elle contient."

    for tag in ("ccc-v2s-015", "CCC-V2S-016", "CCC-V2S-017"):
        scan(qtbot, screen.scan, tag)
    assert screen.feedback.text() == "CCC-V2S-017 rangé dans KIT-CAISSES-B"
    scan(qtbot, screen.scan, "CCC-V2S-011")  # in the other case: refused, said in red
    assert screen.feedback.text() == "CCC-V2S-011 est déjà dans la valise KIT-CAISSES-A"
    assert "#b3261e" in screen.feedback.styleSheet()
    qtbot.mouseClick(screen.take, Qt.MouseButton.LeftButton)
    scan(qtbot, screen.scan, "CCC-V2S-017")
    assert screen.feedback.text() == "CCC-V2S-017 sorti de KIT-CAISSES-B"
    qtbot.mouseClick(screen.put, Qt.MouseButton.LeftButton)
    scan(qtbot, screen.scan, "CCC-D3M-002")
    assert rows(screen.contents, 3) == [
        ("CCC-D3M-002", "Sunmi D3 mini", "prêt à sortir"),
        ("CCC-V2S-015", "Sunmi V2s", "prêt à sortir"),
        ("CCC-V2S-016", "Sunmi V2s", "prêt à sortir"),
    ]
    screen.content_view.selectRow(0)
    qtbot.mouseClick(screen.remove, Qt.MouseButton.LeftButton)  # without a scanner
    assert [line.tag for line in screen.contents.rows()] == ["CCC-V2S-015", "CCC-V2S-016"]
    scan(qtbot, screen.scan, "kit-caisses-a")  # a kit's label chooses that kit
    assert screen.current().tag == "KIT-CAISSES-A"
    scan(qtbot, screen.scan, "KIT-CAISSES-B")
    assert rows(screen.kits, 3) == [
        ("KIT-CAISSES-A", "Valise caisses A (4 Sunmi V2s)", "4"),
        ("KIT-CAISSES-B", "Valise caisses B", "2"),
    ]
    screenshot(page, artifacts, "7c-kits")

    # The kit goes out whole through the loan wizard.
    page.show_screen(page.loans)
    wizard = page.loans.open_wizard()
    assert wizard is not None
    wizard.first.borrower.setCurrentText("Mamasound")
    wizard.next()
    scan(qtbot, wizard.items_page.scan, "KIT-CAISSES-B")
    (line,) = wizard.items_page.items.rows()
    assert (line.kind, line.tags, line.problems) == ("valise", ("CCC-V2S-015", "CCC-V2S-016"), ())
    wizard.next()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert "2 matériels" in box.text()
    press(box, "Fermer")
    with festival.session() as session:
        for tag in ("CCC-V2S-015", "CCC-V2S-016"):
            assert status_of(session, tag) == AssetStatus.OUT
    page.show_screen(page.kits)  # told by the loan: reads again, the contents are out
    assert screen.current().tag == "KIT-CAISSES-B"
    loan_id = wizard.result_summary.loan_id if wizard.result_summary else 0
    assert [line.problems for line in screen.contents.rows()] == [
        (f"CCC-V2S-015 est déjà sorti (prêt n°{loan_id})",),
        (f"CCC-V2S-016 est déjà sorti (prêt n°{loan_id})",),
    ]
    scan(qtbot, screen.scan, "CCC-V2S-016")
    assert screen.feedback.text() == "CCC-V2S-016 est sorti : rangez-le à son retour"

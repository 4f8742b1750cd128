"""Bookings, the lots at the end of a prestation, and the asset detail's actions, from the GUI.

A booking that promises an item twice shows its conflicts and books nothing unless forced;
a booking is cancelled after a confirmation. The demo's MamAfrica 2026 cards are counted.
An incident and a maintenance line declared from the asset detail land in its history.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.booking_list import prestation_bookings
from regie.inventory.bookings import Items, book
from regie.inventory.loans import lot_report
from regie.inventory.models import AssetStatus, Booking, Incident, IncidentKind
from regie.inventory.reference_list import reference_lists
from regie.inventory.register import add_prestation
from regie.ui.inventory import (
    booking_items,
    bookings_screen,
    kits_screen,
    lot_report_dialog,
    reference_screen,
)
from regie.ui.inventory.loan_items import ItemLine
from regie.ui.inventory.page import InventoryPage
from regie.ui.inventory.table_models import RowsModel
from tests.gui_inventory_support import message_box, press, screenshot
from tests.inventory_fixtures import status_of

pytestmark = pytest.mark.gui
NNBSP = "\u202f"  # the French thousands separator
SEPT = (dt.date(2027, 9, 10), dt.date(2027, 9, 12))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo festival built once, with two coming festivals that overlap by a day."""
    path = tmp_path_factory.mktemp("demo") / "festival.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    fill_demo(db)
    with db.session() as session:
        add_prestation(session, "Festival A", "Mamasound", *SEPT, "Sète")
        add_prestation(session, "Festival B", "CCC", SEPT[1], SEPT[1] + dt.timedelta(days=2))
    db.dispose()  # the last connection closed: the WAL is folded into the file
    return path


def scan(qtbot: QtBot, field: QWidget, tag: str) -> None:
    """What a USB scanner does: the characters, then Enter."""
    qtbot.keyClicks(field, tag)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def cells(model: RowsModel[Any], row: int) -> tuple[str, ...]:
    return tuple(model.data(model.index(row, column)) for column in range(model.columnCount()))


def test_a_booking_conflict_is_shown_forced_on_request_then_cancelled(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    page.show_screen(page.bookings)
    screen = page.bookings
    basket = screen.to_book  # what is about to be booked
    screen.choose("Festival A")
    assert screen.heading.text() == "pour Mamasound, Sète, du 10/09/2027 au 12/09/2027"
    assert not basket.book_button.isEnabled()  # nothing to book yet
    scan(qtbot, basket.scan, "ccc-v2s-001")
    scan(qtbot, basket.scan, "KIT-CAISSES-A")
    scan(qtbot, basket.scan, "CCC-V2S-011")  # already there, in the kit
    assert basket.feedback.text() == "déjà dans la liste : CCC-V2S-011"
    scan(qtbot, basket.scan, "NOPE-1")
    assert basket.feedback.text().startswith("étiquette inconnue : « NOPE-1 »")
    basket.lot.setCurrentIndex(basket.lot.findData("Cartes NFC CCC"))
    basket.quantity.setValue(1500)
    qtbot.mouseClick(basket.add_lot_button, Qt.MouseButton.LeftButton)
    assert cells(basket.items, 2) == (
        "Cartes NFC CCC",
        "lot",
        "propriété CCC",
        f"1{NNBSP}500",
    )
    assert basket.totals.text() == f"5 matériels, 1{NNBSP}500 articles en lots"
    qtbot.mouseClick(basket.book_button, Qt.MouseButton.LeftButton)
    assert basket.feedback.text() == "6 réservations pour Festival A"
    assert basket.items.rowCount() == 0
    assert screen.list_title.text() == f"Réservations : 5 matériels, 1{NNBSP}500 en lots"
    with festival.session() as session:
        assert status_of(session, "CCC-V2S-001") == AssetStatus.BOOKED

    # Festival B starts the day A ends: the same terminal would be promised twice.
    screen.choose("Festival B")
    assert screen.bookings.rowCount() == 0
    scan(qtbot, basket.scan, "CCC-V2S-001")
    scan(qtbot, basket.scan, "CCC-V2S-002")
    qtbot.mouseClick(basket.book_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.windowTitle() == "Réservation en conflit"
    assert box.text() == (
        "Rien n'a été réservé :\n\n"
        "• CCC-V2S-001 est déjà réservé pour Festival A du 10/09/2027 au 12/09/2027\n\n"
        "Réserver quand même ?"
    )
    assert box.defaultButton().text() == "Annuler"  # Enter never double-books
    screenshot(box, artifacts, "7e-booking-conflict")
    press(box, "Annuler")
    with festival.session() as session:
        assert prestation_bookings(session, "Festival B").lines == []  # nothing half-booked
    assert basket.items.rowCount() == 2  # the list is kept, to change or to force
    qtbot.mouseClick(basket.book_button, Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "Réserver quand même")
    assert basket.feedback.text() == "2 réservations pour Festival B malgré 1 conflit"
    assert [line.item for line in screen.bookings.rows()] == ["CCC-V2S-001", "CCC-V2S-002"]
    assert cells(screen.bookings, 0)[1:] == (
        "CCC-V2S-001",
        "Sunmi V2s",
        "",
        "1",
        "12/09/2027",
        "14/09/2027",
    )
    screen.choose("Festival A")
    scan(qtbot, basket.scan, "CCC-AP-001")  # the next line, on its way
    screenshot(page, artifacts, "7d-bookings")

    # Cancel the forced one, after saying which it is.
    screen.choose("Festival B")
    screen.booking_view.selectRow(0)
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    first = screen.bookings.row_at(0).booking_id
    assert box.text().startswith(
        f"Annuler la réservation n°{first} (CCC-V2S-001, du 12/09/2027 au 14/09/2027) ?"
    )
    assert [b.text() for b in box.buttons()] == ["Annuler la &réservation", "Garder"]
    press(box, "Garder")
    assert screen.bookings.rowCount() == 2
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "Annuler la réservation")
    assert [line.item for line in screen.bookings.rows()] == ["CCC-V2S-002"]
    assert basket.feedback.text() == "1 réservation annulée"
    with festival.session() as session:
        assert session.get_one(Booking, first).cancelled_at is not None
        assert status_of(session, "CCC-V2S-001") == AssetStatus.BOOKED  # Festival A keeps it


def test_the_lot_report_counts_the_cards_of_mamafrica(
    qtbot: QtBot, page: InventoryPage, artifacts: Path
) -> None:
    page.show_screen(page.loans)
    qtbot.mouseClick(page.loans.findChild(QWidget, "lotReportButton"), Qt.MouseButton.LeftButton)
    dialog = page.loans.lot_report
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.choose("MamAfrica 2026")
    assert dialog.model.rowCount() == 1
    assert cells(dialog.model, 0) == (
        "Cartes NFC CCC",
        f"3{NNBSP}000",
        f"2{NNBSP}871",
        "129",
        "45,15\u00a0€",
        "—",
    )
    assert dialog.total.text() == (
        f"MamAfrica 2026 : <b>3{NNBSP}000</b> prêtés, <b>2{NNBSP}871</b> rendus, "
        "<b style='color:#b3261e'>129 perdus</b> pour <b>45,15\u00a0€</b>."
    )
    assert dialog.model.data(dialog.model.index(0, 0), Qt.ItemDataRole.ForegroundRole).name() == (
        "#b3261e"
    )
    screenshot(dialog, artifacts, "7f-lot-report")
    dialog.choose("Festival A")
    assert dialog.total.text() == "Aucun lot prêté pour Festival A."
    dialog.reject()


def test_an_incident_and_a_maintenance_line_declared_from_the_detail_join_its_history(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    screen = page.assets
    screen.select_tag("CCC-V2S-005")
    detail = screen.detail
    assert detail.tag == "CCC-V2S-005"
    form = detail.open_maintenance()
    assert form is not None
    qtbot.keyClicks(form.description, "firmware 3.2, batterie changee")
    qtbot.keyClicks(form.cost, "12,50")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    assert cells(detail.history, 0)[1:] == (
        "entretien",
        "firmware 3.2, batterie changee",
        "12,50\u00a0€",
    )
    assert detail.fields["running"].text() == "12,50\u00a0€"

    form = detail.open_incident()
    assert form is not None
    form.kind.setCurrentIndex(form.kind.findText("casse"))
    assert form.outcome.text() == "Le matériel sera mis en quarantaine en attendant sa réparation."
    qtbot.keyClicks(form.description, "chute du comptoir")
    screenshot(form, artifacts, "7h-asset-incident-form")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    with festival.session() as session:
        incident = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
        assert incident is not None and incident.kind == IncidentKind.BREAKAGE
        assert status_of(session, "CCC-V2S-005") == AssetStatus.QUARANTINED
    assert cells(detail.history, 0)[1:3] == (
        "en quarantaine",
        f"incident n°{incident.id} (casse) chute du comptoir",
    )
    assert "en quarantaine" in detail.subtitle.text()
    row = screen.model.row_of("CCC-V2S-005")
    assert screen.model.row_at(row).status == AssetStatus.QUARANTINED  # the table too
    screenshot(page, artifacts, "7g-asset-actions")

    # A second incident while one is open: refused over the form, which stays open.
    form = detail.open_incident()
    assert form is not None
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.text() == "CCC-V2S-005 a déjà un incident en cours"
    press(box, "Fermer")
    assert form.isVisible()
    form.reject()
    page.show_screen(page.incidents)  # told by the detail: it reads again
    assert "CCC-V2S-005" in [row.item for row in page.incidents.model.rows()]


def test_every_new_list_model_passes_the_model_tester(
    qtmodeltester: ModelTester, festival: Database, qapp: object
) -> None:
    with festival.session() as session:
        book(
            session,
            "Festival A",
            Items(("CCC-V2S-003",), ("KIT-CAISSES-A",), (("Cartes NFC CCC", 10),)),
        )
    with festival.session() as session:
        lists = reference_lists(session)
        bookings = prestation_bookings(session, "Festival A").lines
        report = lot_report(session, "MamAfrica 2026")
    checked: list[tuple[list[Any], list[Any]]] = [
        (kind.columns, kind.rows(lists)) for kind in reference_screen.KINDS
    ]
    checked += [
        (bookings_screen.BOOKING_COLUMNS, bookings),
        (
            booking_items.ITEM_COLUMNS,
            [
                ItemLine(
                    kind="valise",
                    name="KIT-B",
                    description="Valise B",
                    quantity=2,
                    tags=("A-1", "A-2"),
                )
            ],
        ),
        (kits_screen.KIT_COLUMNS, [kits_screen.KitLine("KIT-B", "Valise B", ("A-1",))]),
        (
            kits_screen.CONTENT_COLUMNS,
            [kits_screen.ContentLine("A-1", "Sunmi V2s", ("A-1 est perdu",))],
        ),
        (lot_report_dialog.COLUMNS, report),
    ]
    for columns, rows in checked:
        assert rows, columns[0].header
        model: RowsModel[Any] = RowsModel(columns)
        model.set_rows(rows)
        qtmodeltester.check(model)
        model.set_rows([])
        qtmodeltester.check(model)

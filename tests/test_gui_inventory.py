"""The inventory screens under Xvfb: equipment table, detail, files, incidents, amortisation.

Real widgets on a real demo database; the buttons are clicked and the fields typed into.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from regie.db import Database
from regie.inventory.bookings import Items
from regie.inventory.incidents import report
from regie.inventory.loans import checkout
from regie.inventory.models import Asset, AssetStatus, Incident, IncidentKind, IncidentStatus, Payer
from regie.ui.inventory.asset_files import ImportProblemsDialog
from regie.ui.inventory.page import InventoryPage
from tests.gui_inventory_support import message_box, press, screenshot
from tests.inventory_fixtures import status_of

pytestmark = pytest.mark.gui

CSV_HEADER = (
    "etiquette,numero_serie,modele,categorie,fabricant,proprietaire,date_achat,cout_achat,"
    "amortissement_mois,valeur_residuelle,statut,lieu,coproprietaires,notes\n"
)


def table_tags(page: InventoryPage) -> list[str]:
    model = page.assets.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.row_at(row).tag for row in range(model.rowCount())]


def test_table_filters_by_status_owner_model_prestation_and_search(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    with festival.session() as session:
        checkout(
            session,
            "Mamasound",
            Items(("CCC-D3M-001", "CCC-AP-002")),
            due_on=dt.date.today() + dt.timedelta(days=5),
            prestation_name="MamaStock 2026",
        )
    screen = page.assets
    screen.refresh()
    assert screen.count.text() == "27 matériels"
    screen.status.setCurrentIndex(screen.status.findText("perdu"))
    assert table_tags(page) == ["CCC-TPE-006"]  # missing since MamaStock
    screen.status.setCurrentIndex(screen.status.findText("sorti"))
    assert table_tags(page) == ["CCC-AP-002", "CCC-D3M-001"]
    screen.status.setCurrentIndex(0)
    screen.prestation.setCurrentIndex(screen.prestation.findText("MamaStock 2026"))
    assert table_tags(page) == ["CCC-AP-002", "CCC-D3M-001"]
    screen.prestation.setCurrentIndex(0)
    screen.model_filter.setCurrentIndex(screen.model_filter.findText("Sunmi D3 mini"))
    assert table_tags(page) == ["CCC-D3M-001", "CCC-D3M-002"]
    screen.model_filter.setCurrentIndex(0)
    screen.owner.setCurrentIndex(screen.owner.findText("Mamasound"))
    assert table_tags(page) == []  # the collective owns card lots, no tagged asset
    assert screen.count.text() == "0 matériel"
    screen.owner.setCurrentIndex(screen.owner.findText("CCC"))
    qtbot.keyClicks(screen.search, "tpe-00")
    qtbot.waitUntil(lambda: len(table_tags(page)) == 6, timeout=2000)
    assert screen.count.text() == "6 matériels"


def test_sorting_a_column_sorts_every_asset_in_the_database(
    qtbot: QtBot, page: InventoryPage
) -> None:
    screen = page.assets
    screen.model._page_size = 5  # five rows a page: the sort must not be a page's sort
    screen.model.reload()
    assert screen.model.rowCount() == 5
    screen.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # status, last in life first
    first = screen.model.row_at(0)
    assert (first.tag, first.status) == ("CCC-TPE-006", AssetStatus.LOST)
    screen.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert screen.model.row_at(0).tag == "CCC-V2S-017"
    assert screen.count.text() == "27 matériels (5 affichés)"
    screen.table.scrollToBottom()
    qtbot.waitUntil(lambda: screen.model.rowCount() > 5, timeout=2000)


def test_asset_detail_shows_history_shares_and_costs(
    qtbot: QtBot, page: InventoryPage, artifacts: Path
) -> None:
    screen = page.assets
    qtbot.keyClicks(screen.search, "V2S-004")
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert table_tags(page) == ["CCC-V2S-004"]
    screen.table.selectRow(0)
    detail = screen.detail
    assert detail.tag == "CCC-V2S-004"
    assert detail.title.text() == "CCC-V2S-004"
    assert "disponible" in detail.subtitle.text()
    assert detail.fields["owners"].text() == "CCC"
    assert detail.fields["purchase"].text() == "300,00\u00a0€ le 01/09/2024"
    assert detail.fields["running"].text() == "45,00\u00a0€"  # the cracked screen
    events = [
        (line.event, detail.history.data(detail.history.index(n, 3)))
        for n, line in enumerate(detail.history.rows())
    ]
    assert ("réparé, remis en stock", "45,00\u00a0€") in events
    assert [event for event, _cost in events][-1] == "créé"  # newest first
    assert "rentré abîmé" in [event for event, _cost in events]
    # Screenshot: the whole table, with the detail of the repaired terminal.
    screen.search.clear()
    screen.apply_filters()
    screen.select_tag("CCC-V2S-004")
    assert detail.tag == "CCC-V2S-004"
    screenshot(page, artifacts, "1-table-detail")


def test_csv_import_lists_bad_rows_and_imports_good_ones_on_request(
    qtbot: QtBot, page: InventoryPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(
        CSV_HEADER
        + "NEW-1,SN1,Sunmi V2s,,,CCC,2025-01-01,300,36,0,,,,\n"
        + "NEW-2,,Sunmi V2s,,,Inconnus,2025-13-01,-5,36,0,,,,\n"
        + "NEW-3,,Tablette X,,,CCC,,,abc,,,,,\n",
        encoding="utf-8",
    )
    screen = page.assets
    assert screen.files.import_file(path) is None
    dialog = screen.files.problems_dialog
    assert isinstance(dialog, ImportProblemsDialog)
    qtbot.waitExposed(dialog)
    problems = dialog.problems
    lines = [
        tuple(problems.data(problems.index(row, column)) for column in range(3))
        for row in range(problems.rowCount())
    ]
    assert ("3", "cout_achat", "un coût ne peut pas être négatif") in lines
    assert [(line, column) for line, column, _ in lines] == [
        ("3", "proprietaire"),
        ("3", "date_achat"),
        ("3", "cout_achat"),
        ("4", "modele"),
        ("4", "amortissement_mois"),
    ]
    assert "2 lignes sur 3 ont une erreur" in dialog.summary.text()
    assert dialog.import_good.text() == "Importer quand même les lignes correctes (1)"
    assert dialog.cancel.isDefault()
    screenshot(dialog, artifacts, "6-import-errors")
    with festival.session() as session:
        assert session.scalar(select(func.count()).select_from(Asset)) == 27
    dialog.import_good.click()
    box = message_box(qtbot)
    assert box.text() == "1 matériel importé depuis achats.csv."
    assert box.informativeText() == "2 lignes en erreur laissées de côté."
    press(box, "Fermer")
    assert screen.count.text() == "28 matériels"
    with festival.session() as session:
        assert status_of(session, "NEW-1") == AssetStatus.AVAILABLE


def test_a_csv_with_wrong_columns_cannot_be_imported_even_partly(
    qtbot: QtBot, page: InventoryPage, tmp_path: Path
) -> None:
    path = tmp_path / "colonnes.csv"
    path.write_text("tag;modèle;couleur\nX-1;Sunmi V2s;rouge\n", encoding="utf-8-sig")
    page.assets.files.import_file(path)
    dialog = page.assets.files.problems_dialog
    assert dialog is not None
    assert not dialog.import_good.isEnabled()
    assert dialog.problems.data(dialog.problems.index(0, 2)) == "colonne inconnue"
    dialog.reject()


def test_export_writes_the_filtered_table_and_labels_print_the_selection(
    qtbot: QtBot, page: InventoryPage, tmp_path: Path
) -> None:
    screen = page.assets
    screen.model_filter.setCurrentIndex(screen.model_filter.findText("U7 Pro Outdoor"))
    exported = tmp_path / "bornes.csv"
    assert screen.files.export_file(exported, screen.current_filter()) == 2
    press(message_box(qtbot), "Fermer")
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines] == ["etiquette", "CCC-AP-001", "CCC-AP-002"]
    screen.table.selectAll()
    assert screen.selected_tags() == ["CCC-AP-001", "CCC-AP-002"]
    pdf = tmp_path / "etiquettes.pdf"
    assert screen.files.labels_file(pdf, screen.selected_tags()) == 1
    assert pdf.read_bytes().startswith(b"%PDF")
    box = message_box(qtbot)
    assert box.text() == f"1 page d'étiquettes écrite dans {pdf}."
    press(box, "Fermer")


def test_incidents_move_through_repair_found_cost_and_a_confirmed_write_off(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    with festival.session() as session:
        broken = report(session, "CCC-V2S-010", IncidentKind.BREAKAGE, "chute du comptoir").id
        stolen = report(session, "CCC-D3M-002", IncidentKind.THEFT, "volé au bar").id
    page.show_screen(page.incidents)
    screen = page.incidents
    screen.refresh()
    items = [row.item for row in screen.model.rows()]
    assert items == ["CCC-D3M-002", "CCC-V2S-010", "CCC-TPE-006"]  # open ones, newest first
    found_button = screen.buttons["found"]

    screen.select(broken)
    qtbot.mouseClick(screen.buttons["repair"], Qt.MouseButton.LeftButton)
    screen.select(broken)
    qtbot.mouseClick(screen.buttons["repaired"], Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.cost, "45,50")
    qtbot.keyClicks(dialog.detail, "coque neuve")  # QTest types ASCII only
    dialog.accept()
    with festival.session() as session:
        assert status_of(session, "CCC-V2S-010") == AssetStatus.AVAILABLE
        assert session.get_one(Incident, broken).cost_cents == 4550

    screen.select(stolen)
    qtbot.mouseClick(screen.buttons["cost"], Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    # A stolen item is priced at its book value on the day by default (the protocol's
    # price); the office replaces it with the agreed 300 €.
    assert dialog.cost.text() not in ("", "0", "0,00")
    dialog.cost.clear()
    qtbot.keyClicks(dialog.cost, "300")
    dialog.payer.setCurrentIndex(dialog.payer.findData(Payer.BORROWER))
    dialog.accept()
    screen.select(stolen)
    qtbot.mouseClick(screen.buttons["write_off"], Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert "ce choix ne peut pas être annulé" in box.text()
    assert box.defaultButton().text() == "Annuler"  # Enter never writes off
    press(box, "Annuler")
    with festival.session() as session:
        assert status_of(session, "CCC-D3M-002") == AssetStatus.LOST
    qtbot.mouseClick(screen.buttons["write_off"], Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "Sortir de l'inventaire")
    with festival.session() as session:
        incident = session.get_one(Incident, stolen)
        assert (incident.status, incident.cost_cents, incident.payer) == (
            IncidentStatus.WRITTEN_OFF,
            30000,
            Payer.BORROWER,
        )
        assert status_of(session, "CCC-D3M-002") == AssetStatus.WRITTEN_OFF

    # A move the state does not allow: the core's French refusal, nothing changed.
    screen.show_all.setCurrentIndex(1)
    screen.select(broken)
    assert not found_button.isEnabled()  # closed: only the cost can still change
    screen.select(next(r for r in screen.model.rows() if r.item == "CCC-TPE-006").id)
    qtbot.mouseClick(screen.buttons["repaired"], Qt.MouseButton.LeftButton)
    screen.dialog.accept()
    box = message_box(qtbot)
    assert "impossible de passer de « ouvert » à « réparé »" in box.text()
    press(box, "Fermer")
    screen.select(next(r for r in screen.model.rows() if r.item == "CCC-TPE-006").id)
    screenshot(page, artifacts, "4-incidents")


def test_amortisation_per_owner_at_a_chosen_date(
    qtbot: QtBot, page: InventoryPage, artifacts: Path
) -> None:
    page.show_screen(page.amortisation)
    screen = page.amortisation
    screen.at.setDate(QDate(2026, 9, 1))  # two years of three
    rows = {row.owner: row for row in screen.model.rows()}
    ccc = rows["CCC"]
    assert ccc.invested_cents == 25 * 30000 + 2 * 18000 + 6000 * 35 + 50000
    assert not ccc.recovered
    assert screen.model.data(screen.model.index(0, 6)) == "non"
    assert "Au 01/09/2026" in screen.totals.text()
    screenshot(page, artifacts, "5-amortisation")
    screen.at.setDate(QDate(2027, 9, 1))
    assert all(row.recovered for row in screen.model.rows())
    assert screen.model.data(screen.model.index(0, 6)) == "oui"


def test_an_unexpected_failure_shows_a_french_sentence_not_a_traceback(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    festival.dispose()
    Path(festival.engine.url.database or "").unlink()
    Path(festival.engine.url.database or "").mkdir()  # the file became a directory
    page.incidents.refresh()
    box = message_box(qtbot)
    assert box.windowTitle() == "Erreur"
    assert "Rien n'a été enregistré à moitié" in box.text()
    assert "Traceback" not in box.text()
    press(box, "Fermer")

"""Every Qt item model of the inventory screens passes pytest-qt's model tester."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester

from regie import clock
from regie.db import Database
from regie.inventory.amortisation import by_owner
from regie.inventory.asset_csv import Problem
from regie.inventory.asset_sheet import asset_sheet
from regie.inventory.bookings import Items
from regie.inventory.incidents import list_incidents
from regie.inventory.loan_desk import open_loans
from regie.inventory.loans import checkout, overdue
from regie.inventory.models import Condition
from regie.ui.inventory import amortisation_screen, checkin_dialog, incidents_screen
from regie.ui.inventory.asset_detail import HISTORY_COLUMNS
from regie.ui.inventory.asset_files import PROBLEM_COLUMNS
from regie.ui.inventory.checkin_model import CheckinLinesModel
from regie.ui.inventory.loan_items import ITEM_COLUMNS, ItemLine
from regie.ui.inventory.loans_screen import OPEN_COLUMNS, OVERDUE_COLUMNS
from regie.ui.inventory.table_models import AssetSortProxy, AssetTableModel, Column, RowsModel

pytestmark = pytest.mark.gui


@pytest.fixture
def festival(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "festival.sqlite3"
    shutil.copyfile(demo_file, path)
    db = Database(f"sqlite:///{path}")
    with clock.frozen(dt.datetime.now(dt.UTC) - dt.timedelta(days=10)), db.session() as session:
        checkout(
            session,
            "Mamasound",
            Items(("CCC-D3M-001",), ("KIT-CAISSES-A",), (("Cartes NFC CCC", 100),)),
            due_on=clock.today() + dt.timedelta(days=2),
            prestation_name="MamaStock 2026",
        )
    yield db
    db.dispose()


def test_the_windowed_asset_model_and_its_proxy_pass_the_model_tester(
    qtmodeltester: ModelTester, festival: Database, qapp: object
) -> None:
    model = AssetTableModel(festival, page_size=4)  # seven pages: fetchMore is exercised
    model.reload()
    qtmodeltester.check(model)
    assert model.canFetchMore()
    proxy = AssetSortProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == model.total == 27


def test_every_list_model_passes_the_model_tester(
    qtmodeltester: ModelTester, festival: Database, qapp: object
) -> None:
    with festival.session() as session:
        loans = open_loans(session)
        lists: list[tuple[list[Column[object]], list[object]]] = [
            (HISTORY_COLUMNS, asset_sheet(session, "CCC-V2S-004").history),
            (incidents_screen.COLUMNS, list_incidents(session)),
            (checkin_dialog.INCIDENT_COLUMNS, list_incidents(session)),
            (OPEN_COLUMNS, loans),
            (OVERDUE_COLUMNS, overdue(session, clock.today())),
            (amortisation_screen.COLUMNS, by_owner(session)),
            (PROBLEM_COLUMNS, [Problem(3, "cout_achat", "un coût ne peut pas être négatif")]),
            (
                ITEM_COLUMNS,
                [
                    ItemLine(
                        kind="lot", name="Cartes NFC CCC", description="propriété CCC", quantity=50
                    )
                ],
            ),
            (
                [Column("Étiquette", lambda r: r[0]), Column("Attendu", lambda r: r[1])],
                [("CCC-D3M-001", "sorti pour MamaStock 2026")],
            ),
        ]
    for columns, rows in lists:
        assert rows, columns[0].header
        model: RowsModel[object] = RowsModel(columns)
        model.set_rows(rows)
        qtmodeltester.check(model)
        model.set_rows([])
        qtmodeltester.check(model)


def test_the_check_in_model_passes_the_model_tester_while_edited(
    qtmodeltester: ModelTester, festival: Database, qapp: object
) -> None:
    with festival.session() as session:
        (loan,) = open_loans(session)
    model = CheckinLinesModel()
    model.set_lines(loan.lines)
    qtmodeltester.check(model)
    assert model.rowCount() == 6  # the D3 mini, the kit's four terminals, the cards
    assert model.conditions() == {} and model.lots() == ()  # nothing marked before a scan
    model.set_condition([1], Condition.OK)  # the kit's first terminal, chosen as back
    lot = model.index(5, 3)
    assert model.setData(lot, 90)
    assert not model.setData(lot, 101)  # more than went out
    assert not model.setData(model.index(0, 3), 1)  # an asset's count is not edited
    qtmodeltester.check(model)
    assert model.conditions()["CCC-V2S-011"].value == "ok"
    assert "CCC-D3M-001" not in model.conditions()  # not returned yet: never marked
    assert model.lots() == (("Cartes NFC CCC", 90),)

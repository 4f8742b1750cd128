"""The « Ventes » tab of the ledger on the demo festival: sales grouped as the office chooses,
top-ups by method, read again after an import, in French and in English."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.i18n import format_money, format_number
from regie.ledger.journal_import import import_journals
from regie.ledger.reports import sales, topups_by_method
from regie.ui.app import build_window
from regie.ui.ledger.page import LedgerPage
from regie.ui.ledger.sales_screen import SalesScreen
from regie.ui.terminals.page import TerminalsPage
from tests.ledger_fixtures import sale, write_lines
from tests.test_gui_ledger_support import copy_of, demo_template, idle, open_page, shoot

pytestmark = pytest.mark.gui
CARD = "0400000000012A"  # 5,50 € of local euros in the demo
METHODS = {
    "card": "Carte bancaire",
    "cash": "Espèces",
    "offered": "Offert",
    "stripe_terminal": "TPE Stripe",
}


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


def cells(model: QAbstractItemModel) -> list[tuple[str, ...]]:
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def headers(model: QAbstractItemModel) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def sales_tab(qtbot: QtBot, db: Database) -> tuple[LedgerPage, SalesScreen]:
    page = open_page(qtbot, db)
    page.show_screen(page.sales)
    idle(qtbot, page.sales)
    return page, page.sales


def group_by(qtbot: QtBot, screen: SalesScreen, by: str) -> None:
    screen.group.setCurrentIndex(screen.group.findData(by))
    idle(qtbot, screen)


def test_sales_by_point_of_sale_are_the_core_report_with_their_total(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    page, screen = sales_tab(qtbot, festival)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "&Ventes"
    assert screen.group.currentText() == "point de vente"
    with festival.session() as session:
        core = sales(session, "pos")
    assert len(core) == 6
    assert headers(screen.model) == ["Point de vente", "Quantité", "Montant TTC"]
    assert cells(screen.model) == [
        (row.key, format_number(row.quantity), format_money(row.amount)) for row in core
    ]
    # The tab reads the whole season: Bar Nord sold 1,492 items for 7,207.50 € at MamaStock,
    # 816 for 3,945.50 € at MamAfrica 2026, 183 for 871.00 € at MamAfrica 2025 (each event's
    # own report): 2,491 items, 12,024.00 €
    assert cells(screen.model)[0] == ("Bar Nord", "2\u202f491", "12\u202f024,00\xa0€")
    quantity, total = sum(r.quantity for r in core), sum(r.amount for r in core)
    assert screen.total.text() == (
        f"Total : {format_number(quantity)} articles vendus, {format_money(total)} TTC"
    )
    # The chart draws the same core rows as the table: one bar per point of sale.
    assert screen.chart.title == "Ventes TTC par point de vente"
    assert [(bar.label, bar.cents) for bar in screen.chart.bars] == [
        (row.key, row.amount) for row in core
    ]
    assert screen.chart.accessibleDescription().startswith(
        "Ventes TTC par point de vente : 6 barres, la plus haute "
    )
    shoot(page, artifacts, "sales")


def test_sales_by_vat_rate_show_rates_in_percent_and_by_hour_in_words(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    page, screen = sales_tab(qtbot, festival)
    group_by(qtbot, screen, "vat")
    assert headers(screen.model)[0] == "Taux de TVA"
    assert [row[0] for row in cells(screen.model)] == ["5,5 %", "10 %", "20 %"]
    with festival.session() as session:
        core = sales(session, "vat")
        by_product = sales(session, "product")
    assert [row[2] for row in cells(screen.model)] == [format_money(r.amount) for r in core]
    shoot(page, artifacts, "sales-vat")
    group_by(qtbot, screen, "hour")
    assert headers(screen.model)[0] == "Heure"
    # the season's first selling hour is MamAfrica 2025's (its first hour went to top-ups)
    assert cells(screen.model)[0][:2] == ("02/05/2025 de 17 h à 18 h", "5")
    with festival.session() as session:
        hours = sales(session, "hour")
    assert screen.chart.title == "Ventes TTC par heure"
    assert [bar.cents for bar in screen.chart.bars] == [row.amount for row in hours]
    assert screen.chart.bars[0].label == "02/05 17 h"
    shoot(screen.chart, artifacts, "sales-chart-hour")
    group_by(qtbot, screen, "product")
    assert [row[0] for row in cells(screen.model)] == [r.key for r in by_product]
    shoot(page, artifacts, "sales-product")


def test_top_ups_by_method_are_the_core_report_in_words(qtbot: QtBot, festival: Database) -> None:
    _page, screen = sales_tab(qtbot, festival)
    with festival.session() as session:
        core = topups_by_method(session)
    assert headers(screen.topups) == ["Moyen", "Actif", "Recharges", "Montant"]
    shown = cells(screen.topups)
    assert len(shown) == len(core) == 7
    for (method, asset, count, cents), row in zip(core, shown, strict=True):
        money = format_money(cents) if asset == "EUR" else f"{format_money(cents)[:-2]}\xa0{asset}"
        assert row == (METHODS[method], asset, format_number(count), money)
    # bank-card top-ups in euros: 812 (20,620 €) at MamaStock + 386 (10,070 €) at MamAfrica
    # 2026 + 141 (3,700 €) at MamAfrica 2025 = 1,339 for 34,390 €
    assert shown[0] == ("Carte bancaire", "EUR", "1\u202f339", "34\u202f390,00\xa0€")
    # 36 (1,100 FED) at MamaStock + 21 (540) at MamAfrica 2026 + 4 (110) at MamAfrica 2025
    assert shown[-1] == ("TPE Stripe", "FED", "61", "1\u202f750,00\xa0FED")
    # top-ups: 1,823 at MamaStock + 910 at MamAfrica 2026 + 327 at MamAfrica 2025 = 3,060
    assert screen.topups_total.text().startswith("Total : 3\u202f060 recharges, ")


def test_a_journal_imported_while_the_tab_is_open_shows_in_the_sales(
    qtbot: QtBot, festival: Database, tmp_path: Path
) -> None:
    page, screen = sales_tab(qtbot, festival)
    assert "Stand Glaces" not in [row[0] for row in cells(screen.model)]
    journal = write_lines(
        tmp_path / "stand-glaces.jsonl",
        [
            {**sale(1, CARD, 450, pos="Stand Glaces"), "pay": "cash"},
            {**sale(2, CARD, 300, pos="Stand Glaces"), "pay": "cash"},
            sale(3, CARD, 350, pos="Stand Glaces"),
        ],
    )
    dialog = page.open_import()
    dialog.add_files([journal])
    dialog.unsigned.setChecked(True)  # no paired terminal signed this test's file
    dialog.unsigned_reason.setText("journal d'essai du stand glaces")
    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    dialog.accept()
    qtbot.waitUntil(lambda: "Stand Glaces" in [row[0] for row in cells(screen.model)])
    idle(qtbot, screen)
    assert ("Stand Glaces", "3", "11,00\xa0€") in cells(screen.model)
    cash = [row for row in cells(screen.topups) if row[:2] == ("Espèces", "EUR")]
    # sales are no top-ups: cash top-ups in euros of the season, 371 (9,890 €) at MamaStock +
    # 207 (5,460 €) at MamAfrica 2026 + 59 (1,410 €) at MamAfrica 2025 = 637 for 16,760 €
    assert cash == [("Espèces", "EUR", "637", "16\u202f760,00\xa0€")]


def test_lines_a_terminal_pull_posts_show_when_the_office_comes_back_to_the_ledger(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, tmp_path: Path
) -> None:
    window = build_window(festival, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show_section("ledger")
    ledger = window.page("ledger")
    assert isinstance(ledger, LedgerPage)
    ledger.show_screen(ledger.sales)
    idle(qtbot, ledger.sales)
    assert "Stand Glaces" not in [row[0] for row in cells(ledger.sales.model)]
    window.show_section("terminals")
    terminals = window.page("terminals")
    assert isinstance(terminals, TerminalsPage)
    # A pull imported the stand's journal (the fleet posts it, then says so).
    journal = write_lines(tmp_path / "glaces.jsonl", [sale(1, CARD, 450, pos="Stand Glaces")])
    with festival.session() as session:
        import_journals(session, [journal])
    terminals.fleet.ledger_changed.emit()
    window.show_section("ledger")
    qtbot.waitUntil(lambda: "Stand Glaces" in [row[0] for row in cells(ledger.sales.model)])


@pytest.mark.usefixtures("english")
def test_the_sales_tab_in_english(qtbot: QtBot, festival: Database, artifacts: Path) -> None:
    page, screen = sales_tab(qtbot, festival)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "&Sales"
    assert headers(screen.model) == ["Point of sale", "Quantity", "Amount incl. VAT"]
    assert headers(screen.topups) == ["Method", "Asset", "Top-ups", "Amount"]
    assert cells(screen.topups)[0] == ("Bank card", "EUR", "1,339", "€34,390.00")  # the season
    # items: 9,057 at MamaStock + 3,378 at MamAfrica 2026 + 582 at MamAfrica 2025 = 13,017
    assert screen.total.text().startswith("Total: 13,017 items sold, €")
    group_by(qtbot, screen, "vat")
    assert [row[0] for row in cells(screen.model)] == ["5.5%", "10%", "20%"]
    group_by(qtbot, screen, "hour")
    # the season starts with MamAfrica 2025; after midnight, the hour is the next day's
    assert cells(screen.model)[0][0] == "02/05/2025, 17:00 to 18:00"
    assert cells(screen.model)[6][0] == "03/05/2025, 00:00 to 01:00"
    shoot(page, artifacts, "sales-en")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_tab_and_the_group_choice_have_their_own_alt_letter(
    qtbot: QtBot, festival: Database, language: str
) -> None:
    from regie import i18n

    i18n.set_language(language)
    try:
        page, screen = sales_tab(qtbot, festival)
        texts = [page.tabs.tabText(n) for n in range(page.tabs.count())]
        texts += [page.import_button.text()]
        texts += [label.text() for label in screen.findChildren(QLabel) if label.buddy()]
        buttons = page.wallet.findChildren(QPushButton)  # the Card tab: Show and the desk
        texts += [button.text() for button in buttons if "&" in button.text()]
    finally:
        i18n.set_language("fr")
    letters = [text[text.index("&") + 1].lower() for text in texts]
    assert len(texts) == 14 and len(set(letters)) == len(letters), texts

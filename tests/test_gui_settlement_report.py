"""The event report preview (its PDF pages drawn on screen, saved, read back against the
ledger) and the yearly indicators with their charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarSeries
from pytestqt.qtbot import QtBot

from regie import clock
from regie.db import Database
from regie.money import format_money
from regie.settlement.convention import settle
from regie.settlement.event_report import event_report
from regie.settlement.versions import record
from regie.ui.settlement.indicators_screen import IndicatorsScreen
from regie.ui.settlement.report_screen import ReportScreen
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
CONCERTS = ["Rockstore · Nuit cumbia", "Rockstore · Balkan Brass", "Rockstore · Soirée rock 90"]


def bars(series: object) -> dict[str, list[float]]:
    assert isinstance(series, QBarSeries)
    return {s.label(): [s.at(i) for i in range(s.count())] for s in series.barSets()}


def test_the_event_report_is_previewed_page_by_page_and_saved(
    qtbot: QtBot, demo: Database, tmp_path: Path, artifacts: Path
) -> None:
    page = open_settlement(qtbot, demo)
    screen = page.open(ReportScreen)
    idle(qtbot, page)
    with demo.session() as session:
        report = event_report(session, STOCK)
    pictures = screen.page_labels()
    assert len(pictures) == 3 and all(p.pixmap().width() > 600 for p in pictures)
    summary = screen.summary.text()
    assert summary.startswith(f"Ventes {format_money(report.sales_cents)} · 4\u202f078 ventes")
    assert f" · {report.cards_used} cartes · " in summary
    shoot(page, artifacts, "6-report")
    screen.page_scroll.verticalScrollBar().setValue(pictures[1].y())
    shoot(page, artifacts, "6-report-page-2")
    screen.save_pdf(tmp_path / "rapport.pdf")
    assert screen.status.text() == f"Rapport enregistré : {tmp_path / 'rapport.pdf'}"
    text = pdf_text(tmp_path / "rapport.pdf")
    plain = format_money(report.sales_cents).replace("\u202f", " ").replace("\xa0", " ")
    for shown in (
        f"Rapport d'événement — {STOCK}",
        f"Ventes (nettes des annulations) {plain}",
        "Ventes par heure",
        "Recharges par moyen de paiement",
        "Clôtures (Z)",
    ):
        assert shown in text
    assert pdf_pages(tmp_path / "rapport.pdf", artifacts, "event-report")


def test_the_yearly_indicators_show_the_figures_and_the_charts(
    qtbot: QtBot, demo: Database, artifacts: Path
) -> None:
    with demo.session() as session:
        # MamAfrica 2026's statement, from Mamasound's invoice to the association (10,850 €
        # of services): share 35 % × 10,850 = 3,797.50 + cachet 3 × 250 = 750 + hosting 50 +
        # wear 1 % × 6,510 € lent = 65.10 + the cracked screen 45 = 4,707.60 €
        statement = settle(session, AFRICA)
        record(session, statement)
    assert statement.total_cents == 379750 + 75000 + 5000 + 6510 + 4500
    with clock.frozen(
        dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
    ):  # the screen opens on today's year
        page = open_settlement(qtbot, demo)
        screen = page.open(IndicatorsScreen)
        idle(qtbot, page)
    assert screen.year.value() == 2026
    # 2026's events: MamAfrica 2026, MamaStock 2026 and Le Rockstore's three concerts. Cards:
    # MamAfrica 2026's journal moves 595 cards, MamaStock's 899, all of MamAfrica's among them
    # (counted in the generated journals): 899.
    assert (screen.values["events"], screen.values["cards"]) == ("5", "899")
    # Owed: MamAfrica 2026's recorded 4,707.60 € (MamaStock has no recorded statement) + Le
    # Rockstore's SoTicket fee: 2.5 % × (6,200 + 4,800 + 7,000) = 450 €, up to the 575 € floor
    owed = statement.total_cents + 57500
    assert screen.values["owed"] == format_money(owed)
    assert format_money(owed) in screen.figures["owed"].text()
    money = screen.money_view.chart()
    assert money.title() == "Chiffre d'affaires et dû par prestation (2026)"
    assert money.axes()[0].categories() == [AFRICA, STOCK, *CONCERTS]
    assert bars(money.series()[0]) == {
        # the recorded base, then the invoices: none for MamaStock, the venue's for its concerts
        "Chiffre d'affaires HT": [10850.0, 0.0, 6200.0, 4800.0, 7000.0],
        "Dû à la coopérative": [4708.0, 0.0, 0.0, 0.0, 0.0],  # 4,707.60 € in whole euros
    }
    assert bars(screen.cards_view.chart().series()[0]) == {
        "Cartes utilisées": [595.0, 899.0, 0.0, 0.0, 0.0]
    }
    assert screen.model.row_at(0)[3] == "Convention CCC / Mamasound, amortissement"
    shoot(page, artifacts, "7-indicators")
    screen.year.setValue(2025)  # MamAfrica 2025 alone: its journal moved 265 cards
    idle(qtbot, page)
    assert (screen.values["events"], screen.values["cards"]) == ("1", "265")
    assert screen.money_view.chart().axes()[0].categories() == ["MamAfrica 2025"]
    screen.year.setValue(2024)  # before the season: nothing
    idle(qtbot, page)
    assert (screen.values["events"], screen.values["cards"]) == ("0", "0")
    assert screen.money_view.chart().axes()[0].categories() == []

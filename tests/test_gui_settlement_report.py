"""The event report preview (its PDF pages drawn on screen, saved, read back against the
ledger) and the yearly indicators with their charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarSeries
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.inventory.register import add_organisation
from regie.money import format_money
from regie.settlement.convention import record, settle
from regie.settlement.event_report import event_report
from regie.settlement.invoices import create_invoice, parse_line
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
        # The base is the organiser's invoice to its client (the cooperative's own invoice to
        # Mamasound no longer counts): Mamasound invoices an outside client 9,000 €.
        add_organisation(session, "Ville de Sète")
        create_invoice(
            session,
            client="Ville de Sète",
            issuer="Mamasound",
            prestation=STOCK,
            lines=[parse_line("Régie cashless;1;9000;20")],
            issued_on=dt.date(2026, 7, 15),
        )
        statement = settle(session, STOCK)
        record(session, statement)
    page = open_settlement(qtbot, demo)
    screen = page.open(IndicatorsScreen)
    idle(qtbot, page)
    assert screen.year.value() == 2026  # MamaStock's year
    assert (screen.values["events"], screen.values["cards"]) == ("2", "899")
    assert screen.values["owed"] == format_money(statement.total_cents)
    assert format_money(statement.total_cents) in screen.figures["owed"].text()
    money = screen.money_view.chart()
    assert money.title() == "Chiffre d'affaires et dû par prestation (2026)"
    assert money.axes()[0].categories() == ["MamAfrica 2026", STOCK]
    assert bars(money.series()[0]) == {
        "Chiffre d'affaires HT": [0.0, 9000.0],
        "Dû à la coopérative": [0.0, float(round(statement.total_cents / 100))],
    }
    assert bars(screen.cards_view.chart().series()[0]) == {"Cartes utilisées": [0.0, 899.0]}
    assert screen.model.row_at(1)[3] == "Convention CCC / Mamasound, amortissement"
    shoot(page, artifacts, "7-indicators")
    screen.year.setValue(2025)
    idle(qtbot, page)
    assert screen.values["events"] == "0"
    assert screen.money_view.chart().axes()[0].categories() == []

"""The « Saison » screen: the year's prestations in order with the totals row, SoTicket's fee
per structure and the amortisation chart, from a season built by hand (tests/season_values.py),
and the screen in the settlement section, read in a worker."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCharts import QLineSeries
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from regie.db import Database
from regie.errors import UserError
from regie.settlement.season import Season
from regie.ui.main_window import STYLE
from regie.ui.settlement import season_screen
from regie.ui.settlement.season_screen import SeasonScreen
from regie.ui.settlement.words import TONES
from tests.season_values import AFRICA, AFRICA_LINE, PERISCOPE, SEASON, STOCK, VENUE
from tests.test_gui_settlement_support import demo, idle, open_settlement

pytestmark = pytest.mark.gui
__all__ = ["demo"]
NNBSP = "\u202f"  # French groups thousands with a narrow no-break space


def euro(text: str) -> str:
    """``"8 300,00 €"`` typed with plain spaces → as the French formatter writes it (a narrow
    no-break space between thousands, a no-break space before the sign)."""
    amount, sign = text.rsplit(" ", 1)
    return amount.replace(" ", NNBSP) + "\xa0" + sign


@pytest.fixture
def screen(qtbot: QtBot, tmp_path: Path) -> SeasonScreen:
    """The screen alone, at the width the settlement section gives it in a 1280 × 720 window
    (1280 − 200 for the sections' list − 2 × 24 of margins), showing the hand-built season."""
    shown = SeasonScreen(Database(f"sqlite:///{tmp_path / 'unused.db'}"))
    qtbot.addWidget(shown)
    shown.setStyleSheet(STYLE)
    shown.resize(1032, 600)
    shown.show()
    qtbot.waitExposed(shown)
    shown.show_year(SEASON, [PERISCOPE])
    QApplication.processEvents()
    return shown


def cells(screen: SeasonScreen, row: int) -> list[str]:
    model = screen.model
    return [model.data(model.index(row, n)) for n in range(model.columnCount())]


def points(series: object) -> list[tuple[str, float]]:
    assert isinstance(series, QLineSeries)
    return [
        (QDateTime.fromMSecsSinceEpoch(int(p.x())).date().toString("yyyy-MM-dd"), p.y())
        for p in series.points()
    ]


def test_the_season_lists_its_prestations_in_order_with_every_figure(
    screen: SeasonScreen,
) -> None:
    assert cells(screen, 0) == [
        AFRICA, "17/05/2026", euro("20 000,00 €"), euro("7 000,00 €"),
        euro("1 000,00 €"), euro("300,00 €"), euro("0,00 €"), euro("8 300,00 €"),
        euro("7 000,00 €"), euro("3 000,00 €"), "amortissement", "retenu v1",
    ]  # fmt: skip
    # The crossing prestation: the cooperative's 30 € melting payback shown as a deduction.
    assert cells(screen, 1) == [
        STOCK, "12/07/2026", euro("30 000,00 €"), euro("5 571,43 €"),
        euro("750,00 €"), euro("420,00 €"), euro("-30,00 €"), euro("6 711,43 €"),
        euro("10 000,00 €"), euro("0,00 €"), "bascule", "brouillon",
    ]  # fmt: skip


def test_the_totals_row_sums_the_year_and_ends_where_amortisation_stands(
    screen: SeasonScreen,
) -> None:
    # base 20 000 + 30 000; share 7 000 + 5 571.43; cachet 1 000 + 750; costs 300 + 420;
    # payback 0 + 30; total 8 300 + 6 711.43; recovered and left: after MamaStock.
    assert screen.model.rowCount() == 3
    assert cells(screen, 2) == [
        "Total 2026", "", euro("50 000,00 €"), euro("12 571,43 €"), euro("1 750,00 €"),
        euro("720,00 €"), euro("-30,00 €"), euro("15 011,43 €"), euro("10 000,00 €"),
        euro("0,00 €"), "", "",
    ]  # fmt: skip
    assert screen.model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert screen.model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert screen.summary.text() == (
        f"À amortir : {euro('10 000,00 €')} · récupéré : {euro('10 000,00 €')} · "
        f"reste : {euro('0,00 €')}"
    )


def test_the_name_tells_the_scheme_kind_and_dates_when_pointed_at(screen: SeasonScreen) -> None:
    tip = screen.model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "convention, externe · du 10/07/2026 au 12/07/2026"


def test_a_recorded_statement_reads_green_and_a_draft_plain(screen: SeasonScreen) -> None:
    status = len(season_screen.COLUMNS) - 1
    tone = [screen.model.index(r, status).data(Qt.ItemDataRole.ForegroundRole) for r in (0, 1)]
    assert [c.name() for c in tone] == [TONES["ok"], TONES["plain"]]
    # Recorded, then an earlier prestation changed its figures: a correction is due.
    changed = dataclasses.replace(AFRICA_LINE, status="changed", version=1)
    screen.show_year(dataclasses.replace(SEASON, lines=[changed]), [])
    assert cells(screen, 0)[11] == "modifié depuis v1"
    assert (
        screen.model.index(0, status).data(Qt.ItemDataRole.ForegroundRole).name() == (TONES["warn"])
    )


def test_the_soticket_venue_shows_its_adjustment_up_to_the_floor(screen: SeasonScreen) -> None:
    model = screen.structures_model
    # 2.5 % × 12 000 = 300 € accrued; floor 575 € → +275 €, fee 575 €.
    assert [model.data(model.index(0, n)) for n in range(model.columnCount())] == [
        VENUE, euro("300,00 €"), euro("+275,00 €") + " (plancher)", euro("575,00 €"),
        euro("575,00 €"), euro("3 500,00 €"),
    ]  # fmt: skip


def test_the_chart_steps_up_at_each_prestation_end_below_the_amount_to_amortise(
    screen: SeasonScreen,
) -> None:
    chart = screen.chart_view.chart()
    assert chart.title() == "Amortissement au fil de la saison 2026"
    invested, recovered = chart.series()
    assert (invested.name(), recovered.name()) == ("À amortir", "Récupéré")
    # 10 000 € across the year; recovered: 7 000 € after MamAfrica (17 May), flat until
    # MamaStock ends (12 July), up to 10 000 €, flat to the year's end.
    assert points(invested) == [("2026-01-01", 10_000.0), ("2026-12-31", 10_000.0)]
    assert points(recovered) == [
        ("2026-05-17", 7_000.0),
        ("2026-07-12", 7_000.0),
        ("2026-07-12", 10_000.0),
        ("2026-12-31", 10_000.0),
    ]
    euros_axis = chart.axes(Qt.Orientation.Vertical)[0]
    assert euros_axis.titleText() == "euros" and euros_axis.max() >= 10_000


def test_every_column_is_readable_without_scrolling(screen: SeasonScreen, artifacts: Path) -> None:
    table = screen.table
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    venues = screen.structures
    assert venues.horizontalHeader().length() <= venues.viewport().width()
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert screen.grab().save(str(screens / "settlement-8-season.png"))


def test_the_screen_reads_english_from_its_catalogue(
    qtbot: QtBot, tmp_path: Path, english: None, artifacts: Path
) -> None:
    shown = SeasonScreen(Database(f"sqlite:///{tmp_path / 'unused.db'}"))
    qtbot.addWidget(shown)
    shown.resize(1032, 600)
    shown.show_year(SEASON, [PERISCOPE])
    model = shown.model
    headers = [model.headerData(n, Qt.Orientation.Horizontal) for n in range(12)]
    assert headers[2:7] == ["Base", "Share", "Cachet", "Fees", "Melting\npaid back"]
    tip = model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "convention, external · from 14/05/2026 to 17/05/2026"
    assert cells(shown, 1)[11] == "draft"
    assert cells(shown, 2)[0] == "Total 2026"
    assert shown.chart_view.chart().title() == "Amortisation over the 2026 season"
    (artifacts / "screens").mkdir(exist_ok=True)
    assert shown.grab().save(str(artifacts / "screens" / "settlement-8-season-en.png"))


def test_a_year_without_prestation_shows_zero_totals_and_nothing_recovered(
    screen: SeasonScreen,
) -> None:
    screen.show_year(Season(year=2030, invested_cents=1_000_000, lines=[], curve=[]), [])
    assert screen.model.rowCount() == 1
    assert cells(screen, 0)[:3] == ["Total 2030", "", euro("0,00 €")]
    assert cells(screen, 0)[8:10] == ["—", "—"]  # no prestation: nothing to say where it stands
    assert screen.structures_model.rowCount() == 0
    invested, recovered = screen.chart_view.chart().series()
    assert points(invested) == [("2030-01-01", 10_000.0), ("2030-12-31", 10_000.0)]
    assert points(recovered) == []


# -- In the settlement section, read in a worker ------------------------------------------------
def test_the_season_tab_reads_the_demo_season_in_a_worker(qtbot: QtBot, demo: Database) -> None:
    """On the demo base: the tab shows what the core reads for the year, in the calendar's
    order, and reads again when the year changes."""
    page = open_settlement(qtbot, demo)
    screen = page.open(SeasonScreen)
    idle(qtbot, page)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "Saiso&n"
    assert screen.year.value() == 2026  # MamaStock's year, as the other screens of the section
    names = [cells(screen, row)[0] for row in range(screen.model.rowCount() - 1)]
    assert names == [
        "MamAfrica 2026",
        "MamaStock 2026",
        "Rockstore · Nuit cumbia",
        "Rockstore · Balkan Brass",
        "Rockstore · Soirée rock 90",
    ]
    assert cells(screen, len(names))[0] == "Total 2026"
    # The Rockstore's three concerts accrue 2.5 % × (6 200 + 4 800 + 7 000) = 450 €, brought
    # up to the 575 € floor.
    assert screen.structures_model.rowCount() == 1
    venue = [screen.structures_model.data(screen.structures_model.index(0, n)) for n in range(4)]
    assert venue[0] == "Rockstore" and venue[3] == euro("575,00 €")
    screen.year.setValue(2025)
    idle(qtbot, page)
    assert cells(screen, 0)[0] == "MamAfrica 2025"  # last season, recorded and invoiced
    assert screen.structures_model.rowCount() == 0


def test_a_year_that_cannot_be_read_says_why_and_shows_nothing_stale(
    qtbot: QtBot, screen: SeasonScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(_session: object, year: int) -> Season:
        raise UserError(f"réglage « amortisation_rate_bp » manquant pour {year}")

    monkeypatch.setattr(season_screen, "season", refused)
    screen.year.setValue(2025)
    qtbot.waitUntil(lambda: not screen.busy, timeout=10_000)
    QApplication.processEvents()
    assert screen.status.text() == "réglage « amortisation_rate_bp » manquant pour 2025"
    assert screen.model.rowCount() == 0 and screen.structures_model.rowCount() == 0
    assert screen.summary.text() == "" and screen.shown is None

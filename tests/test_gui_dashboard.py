"""The dashboard, Régie's home screen, in the real window under Xvfb."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from regie import clock
from regie.db import Database
from regie.demo import fill_demo
from regie.devices.manager import DeviceManager
from regie.devices.simulated import SimulatedBackend
from regie.i18n import format_money
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.ui.app import build_window
from regie.ui.dashboard.page import DashboardPage
from regie.ui.main_window import MainWindow

pytestmark = pytest.mark.gui
TODAY = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def festival(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo festival after the fact, with two Sunmi and 100 cards late since 10 Nov."""
    folder = tmp_path_factory.mktemp("dashboard")
    db = Database(f"sqlite:///{folder / 'festival.sqlite3'}")
    db.upgrade()
    fill_demo(db)
    with db.session() as session, clock.frozen(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)):
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-001", "CCC-V2S-002"), (), (("Cartes NFC CCC", 100),)),
            due_on=dt.date(2026, 11, 10),
        )
    yield db
    db.dispose()


@pytest.fixture
def today() -> Iterator[None]:
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, today: None
) -> Iterator[MainWindow]:
    window = build_window(festival, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.devices.stop()


def dashboard_of(qtbot: QtBot, window: MainWindow) -> DashboardPage:
    page = window.pages.currentWidget()
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: page.snapshot is not None, timeout=10_000)
    return page


def test_regie_opens_on_the_dashboard_with_the_figures_of_the_festival(
    qtbot: QtBot, window: MainWindow, artifacts: Path
) -> None:
    assert window.current_section() == "dashboard"
    page = dashboard_of(qtbot, window)
    # The demo is a season: on 21 November the Rockstore's last concert is the next prestation
    assert page.prestation.value.text() == "Rockstore · Soirée rock 90"
    assert page.prestation.detail.text() == "à venir, le 27 nov. 2026"
    assert page.equipment.value.text() == "102"
    assert page.equipment.detail.text() == "1 prêt ouvert, 1 en retard"
    assert page.equipment.toolTip() == "Mamasound : attendu le 10 nov. 2026"
    assert page.cards.value.text() == "0"  # a concert ticketed on SoTicket: no cashless card
    assert page.cards.title.text() == "Cartes utilisées"
    assert page.cards.detail.text() == "stock : 150 encodées sur 200 · 1 perdue ou bloquée"
    assert page.closure.value.text() == format_money(4_402_750)
    # MamaStock's own Z, after 2025's 6 and MamAfrica 2026's 7 Z (tills, then the event):
    # n° 6 + 7 + 9 = 22; its grand total is still MamaStock's whole journal
    assert page.closure.detail.text() == "Z n°22 · MamaStock 2026"
    assert page.sales.value.text() == format_money(1_353_200)
    assert page.sales.title.text() == "Ventes du 13 juil. 2026"
    assert page.sales.detail.text() == "pas de vente aujourd'hui\nen tête : Boutique"
    assert page.topups.value.text() == format_money(668_000)
    assert page.topups.detail.text() == "pas de recharge aujourd'hui"
    assert page.chart.hours == list(range(18))  # the 13th sold until 17 h
    assert page.terminals.value.text() == "10"  # MamAfrica's two V2s desks besides the 8
    assert page.terminals.detail.text() == "10 jamais vus"
    assert page.alerts.alert_keys()[:1] == ["overdue"]  # the reader is there: the loan comes first
    window.grab().save(str(artifacts / "dashboard.png"))
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=3000)
    window.grab().save(str(artifacts / "dashboard-full-hd.png"))


def test_the_missing_reader_alert_follows_the_reader(
    qtbot: QtBot, festival: Database, today: None, artifacts: Path
) -> None:
    simulated = SimulatedBackend()
    devices = DeviceManager([simulated])  # no loop: events reach the page at once
    page = DashboardPage(festival, devices)
    qtbot.addWidget(page)
    page.resize(900, 640)  # its room in a 1100×700 window
    page.show()
    qtbot.waitUntil(lambda: page.snapshot is not None, timeout=10_000)
    assert page.alerts.alert_keys()[0] == "reader"
    assert "Aucun lecteur de cartes" in page.alerts.buttons[0].text()
    page.grab().save(str(artifacts / "dashboard-no-reader.png"))
    devices.start()
    assert "reader" not in page.alerts.alert_keys()
    devices.stop()  # unplugged
    assert page.alerts.alert_keys()[0] == "reader"


def test_clicking_an_alert_opens_the_section_where_it_is_done(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = dashboard_of(qtbot, window)
    overdue = next(b for b in page.alerts.buttons if b.alert.key == "overdue")
    qtbot.mouseClick(overdue, Qt.MouseButton.LeftButton)
    assert window.current_section() == "inventory"
    window.show_section("dashboard")
    window.devices.stop()  # the reader goes: its alert appears, and leads to the cards
    qtbot.waitUntil(lambda: "reader" in page.alerts.alert_keys(), timeout=3000)
    reader = next(b for b in page.alerts.buttons if b.alert.key == "reader")
    qtbot.mouseClick(reader, Qt.MouseButton.LeftButton)
    assert window.current_section() == "cards"
    assert QApplication.instance() is not None

"""What the screens show of the person's role: an operator's restricted buttons are disabled and
say who may use them, a manager's are not, nobody registered leaves everything enabled; and the
card reader and serial port saved in the preferences are the ones preselected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie.db import Database
from regie.demo import fill_demo
from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.devices.simulated import SimulatedBackend
from regie.inventory import incidents
from regie.inventory.models import Asset, AssetStatus, IncidentKind
from regie.people.actor import set_desk_actor
from regie.people.demo import add_demo_people
from regie.settings.laptop import LaptopSettings
from regie.ui.app import build_window
from regie.ui.inventory.incidents_screen import IncidentsScreen
from regie.ui.ledger.closure_wizard import ClosureWizard
from regie.ui.ledger.closures_screen import ClosuresScreen
from regie.ui.ledger.melting_screen import MeltingScreen
from regie.ui.settings_dialog import PreferencesDialog
from regie.ui.settlement.refunds_screen import RefundsScreen
from regie.ui.settlement.settings_screen import SettingsScreen
from regie.ui.terminals.delegates import PortDelegate
from regie.ui.terminals.fleet_model import PORT
from tests.test_gui_people import log_in

pytestmark = pytest.mark.gui

REFUSED = "Chloé (opérateur) ne peut pas {action} : il faut être responsable ou administrateur."


@pytest.fixture(autouse=True)
def nobody_at_the_desk() -> Iterator[None]:
    yield
    set_desk_actor(None)


def festival(url: str, people: bool) -> Database:
    db = Database(url)
    db.upgrade()
    fill_demo(db)
    with db.session() as session:
        if people:
            add_demo_people(session)
        in_stock = session.scalars(
            select(Asset.tag).where(Asset.status == AssetStatus.AVAILABLE).order_by(Asset.tag)
        ).first()
        assert in_stock is not None
        incidents.report(session, in_stock, IncidentKind.BREAKAGE, "écran fêlé")
    return db


@pytest.fixture
def office(db_url: str) -> Iterator[Database]:
    db = festival(db_url, people=True)
    yield db
    db.dispose()


def restricted(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, db: Database
) -> dict[str, tuple[bool, str]]:
    """Each restricted control, as the person at the desk finds it: (enabled, tooltip)."""
    closures = ClosuresScreen(db)
    wizard = ClosureWizard(db, [], [], closures)
    refunds = RefundsScreen(db)
    damaged = IncidentsScreen(db)
    damaged.view.selectRow(0)  # the incident on the broken asset
    convention = SettingsScreen(db)
    convention.refresh()  # as when its tab is shown
    melting = MeltingScreen(db)
    melting.months.setValue(1)  # the demo festival was months ago: every card is dormant
    melting.refresh()
    qtbot.waitUntil(lambda: convention.model.rowCount() > 0 and not refunds.busy, timeout=10_000)
    qtbot.waitUntil(lambda: melting.model.rowCount() > 0 and melting.preview_button.isEnabled())
    convention.table.selectRow(0)
    devices = DeviceManager([SimulatedBackend()], loop=loop)
    preferences = PreferencesDialog(LaptopSettings(None), db, devices, closures)
    for widget in (closures, refunds, damaged, convention, melting):
        qtbot.addWidget(widget)
    rate = preferences.fields["convention.amortisation_rate_bp"].widget
    write_off = damaged.buttons["write_off"]
    return {
        "z": (wizard.count_page.isComplete(), wizard.count_page.refusal.text()),
        "x": (closures.close_button.isEnabled(), closures.close_button.text()),
        "refund": (refunds.may_refund, refunds.run_button.toolTip()),
        "write_off": (write_off.isEnabled(), write_off.toolTip()),
        "convention": (convention.save_button.isEnabled(), convention.save_button.toolTip()),
        "preferences": (rate.isEnabled(), rate.toolTip()),
        "melt": (melting.melt_button.isEnabled(), melting.melt_button.toolTip()),
    }


def test_an_operator_finds_the_restricted_buttons_disabled_and_told_who_may(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, office: Database
) -> None:
    log_in(office, "Chloé", "3333")
    found = restricted(qtbot, qt_loop, office)
    assert found["z"] == (False, REFUSED.format(action="clôturer un Z"))
    assert found["x"] == (True, "Lire un &X…")  # the X stays open to an operator
    assert found["refund"] == (False, REFUSED.format(action="rembourser"))
    assert found["write_off"] == (
        False,
        REFUSED.format(action="sortir du matériel de l'inventaire"),
    )
    assert found["convention"] == (False, REFUSED.format(action="modifier la convention"))
    assert found["preferences"] == (False, REFUSED.format(action="modifier la convention"))
    assert found["melt"] == (False, REFUSED.format(action="faire fondre les soldes dormants"))


@pytest.mark.parametrize("manager", [True, False], ids=["manager", "single-user"])
def test_a_manager_and_a_single_user_office_find_them_enabled(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, db_url: str, manager: bool
) -> None:
    db = festival(db_url, people=manager)
    try:
        if manager:
            log_in(db, "Bruno", "222222")
        found = restricted(qtbot, qt_loop, db)
    finally:
        db.dispose()
    assert found["z"] == (True, "")
    assert found["x"] == (True, "&Clôturer une caisse ou l'événement…")
    assert found["refund"] == (True, "")
    assert found["write_off"] == (True, "")
    assert found["convention"][0] is True and found["convention"][1] == ""
    assert found["preferences"][0] is True
    assert found["melt"] == (True, "")
    assert "ne peut pas" not in found["preferences"][1]


def test_the_operators_closure_wizard_reads_the_x_but_cannot_commit_the_z(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, office: Database, artifacts: Path
) -> None:
    log_in(office, "Chloé", "3333")
    window = build_window(office, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_section("ledger")
    page = window.pages.currentWidget()
    page.show_screen(page.closures)
    screen = page.closures
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    wizard = screen.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.x_page.preview is not None, timeout=30_000)
    wizard.next()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert wizard.currentPage() is wizard.count_page
    assert not commit.isEnabled()
    assert commit.toolTip() == REFUSED.format(action="clôturer un Z")
    assert wizard.count_page.refusal.isVisible()
    window.grab().save(str(artifacts / "roles-operator-closures.png"))
    wizard.grab().save(str(artifacts / "roles-operator-closure-count.png"))
    wizard.reject()
    window.devices.stop()


def test_the_saved_serial_port_is_preselected_for_a_terminal_without_one(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'festival.sqlite3'}")
    db.upgrade()
    fill_demo(db)
    settings = LaptopSettings(None)
    port = "socket://127.0.0.1:7000"  # a remembered choice of the list, plugged in or not
    settings.set("devices.serial_port", port)
    window = build_window(db, [SimulatedBackend()], qt_loop, settings)
    qtbot.addWidget(window)
    try:
        window.show_section("terminals")
        screen = window.pages.currentWidget().fleet
        delegate = screen.table.itemDelegateForColumn(PORT)
        assert isinstance(delegate, PortDelegate)
        box = QComboBox()
        box.setEditable(True)
        box.addItem(f"{port} — utilisé la dernière fois", port)
        box.addItem("/dev/ttyACM9 — port série", "/dev/ttyACM9")
        empty = screen.model.index(0, PORT)
        screen.model.setData(empty, "", Qt.ItemDataRole.EditRole)
        delegate.setEditorData(box, empty)
        assert box.currentText() == port  # a terminal without a port starts on the saved one
        settings.set("devices.serial_port", "/dev/ttyUSB7")  # saved, but not plugged in
        delegate.setEditorData(box, empty)
        assert box.currentText() == ""
    finally:
        window.devices.stop()
        db.dispose()


def test_the_encoding_screen_picks_the_saved_reader_when_it_is_plugged_in(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path, pcscd: object
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'festival.sqlite3'}")
    db.upgrade()
    fill_demo(db)
    for saved, shown in (
        ("Virtual PCD 00 00", "Virtual PCD 00 00"),
        ("Lecteur débranché", "Le premier lecteur trouvé"),
        ("", "Le premier lecteur trouvé"),
    ):
        settings = LaptopSettings(None)
        settings.set("devices.card_reader", saved)
        window = build_window(db, [PcscBackend()], qt_loop, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.show_section("cards")
        page = window.pages.currentWidget()
        encoding = page.encoding
        page.show_screen(encoding)
        qtbot.waitUntil(lambda e=encoding: e.isVisible(), timeout=5000)
        reader = encoding.findChild(QComboBox, "encodingReader")
        assert reader is not None
        assert reader.currentText() == shown, saved
        window.devices.stop()
        window.close()
    db.dispose()


def test_the_new_doors_are_closed_to_an_operator_and_the_stripe_key_to_a_manager(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    """Invoices, a settlement's recording, the organisation and the Stripe key: each button
    says who may, and opens to that role."""
    from regie.ui.settlement.invoices_page import InvoicesPage
    from regie.ui.settlement.split_screen import SplitScreen
    from regie.ui.settlement.stripe_screen import StripeScreen

    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
    devices = DeviceManager([SimulatedBackend()], loop=qt_loop)

    def doors() -> dict[str, tuple[bool, str]]:
        invoices, split, stripe = InvoicesPage(db, devices), SplitScreen(db), StripeScreen(db)
        preferences = PreferencesDialog(LaptopSettings(None), db, devices, None)
        for widget in (invoices, split, stripe, preferences):
            qtbot.addWidget(widget)
        name = preferences.fields["organisation.name"].widget
        return {
            "invoice": (invoices.new_button.isEnabled(), invoices.new_button.toolTip()),
            "record": (split.may_settle, split.record_button.toolTip()),
            "key": (stripe.key_save.isEnabled(), stripe.key_save.toolTip()),
            "sync": (stripe.sync_button.isEnabled(), stripe.sync_button.toolTip()),
            "organisation": (name.isEnabled(), name.toolTip()),
        }

    try:
        log_in(db, "Chloé", "3333")
        chloe = doors()
        log_in(db, "Bruno", "222222")
        bruno = doors()
    finally:
        db.dispose()
    settle = REFUSED.format(action="arrêter un règlement ou facturer")
    assert chloe["invoice"] == (False, settle) and chloe["record"] == (False, settle)
    assert chloe["sync"] == (False, REFUSED.format(action="utiliser la clé Stripe"))
    assert chloe["organisation"] == (
        False,
        REFUSED.format(action="changer les réglages du bureau"),
    )
    assert bruno["invoice"] == (True, "") and bruno["record"][0] is True
    assert bruno["sync"] == (True, "")
    # (a base with no organisation yet keeps the fields closed for that reason, not his role)
    assert "ne peut pas" not in bruno["organisation"][1]
    assert bruno["key"] == (
        False,
        "Bruno (responsable) ne peut pas changer la clé Stripe : il faut être administrateur.",
    )

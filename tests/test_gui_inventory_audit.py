"""The audit screen under Xvfb: tags typed like a USB scanner, a real NFC sticker on the
real (virtual) reader through pcscd, resuming an open audit, and a second audit refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.inventory.audits import abandon_audit, open_audit, start_audit
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.inventory.models import Audit
from regie.ui.app import build_window
from regie.ui.inventory.audit_lists import AuditLists
from regie.ui.inventory.page import InventoryPage
from regie.ui.main_window import STYLE
from tests.gui_inventory_support import message_box
from tests.rig.vcard import VirtualCard

pytestmark = pytest.mark.gui

DEPOT_EXPECTED = 25  # 27 tagged assets, less the lost TPE and the D3 mini lent below


@pytest.fixture
def festival(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "festival.sqlite3"
    shutil.copyfile(demo_file, path)
    db = Database(f"sqlite:///{path}")
    with db.session() as session:  # out for MamaStock: misplaced if found at the depot
        checkout(
            session,
            "Mamasound",
            Items(("CCC-D3M-001",)),
            due_on=clock.today() + dt.timedelta(days=3),
            prestation_name="MamaStock 2026",
        )
    yield db
    db.dispose()


def open_page(qtbot: QtBot, db: Database, devices: DeviceManager) -> InventoryPage:
    page = InventoryPage(db, devices)
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)  # the main window's, as the page is shown inside it
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)
    page.show_screen(page.audit)
    return page


@pytest.fixture
def page(qtbot: QtBot, festival: Database) -> InventoryPage:
    return open_page(qtbot, festival, DeviceManager([]))


def scan(qtbot: QtBot, field: QWidget, tag: str) -> None:
    qtbot.keyClicks(field, tag)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def counts(page: InventoryPage) -> dict[str, str]:
    return {key: title.text() for key, title in page.audit.titles.items()}


def test_an_audit_by_typed_tags_finds_missing_unknown_and_misplaced(
    qtbot: QtBot, page: InventoryPage, festival: Database, artifacts: Path
) -> None:
    screen = page.audit
    assert not screen.scan.isEnabled()
    screen.by_location.setChecked(True)
    screen.scope.setCurrentText("Dépôt CCC")
    qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    assert screen.state is not None
    assert screen.heading.text().endswith(f"Dépôt CCC — {DEPOT_EXPECTED} attendus")
    assert screen.scan.isEnabled()
    for tag in ("CCC-V2S-001", "ccc-v2s-002", "CCC-TPE-003", "CCC-AP-002"):
        scan(qtbot, screen.scan, tag)
    assert screen.last.text() == "CCC-AP-002 : présent"
    assert screen.last.property("verdict") == "present"
    scan(qtbot, screen.scan, "XX-999")
    assert screen.last.text() == "XX-999 : inconnu"
    assert screen.last.property("verdict") == "unknown"
    scan(qtbot, screen.scan, "CCC-D3M-001")
    assert screen.last.text() == "CCC-D3M-001 : mal placé (sorti pour MamaStock 2026)"
    assert screen.last.property("verdict") == "misplaced"
    assert "#8a4b00" in screen.last.styleSheet()  # the misplaced colour
    QApplication.processEvents()
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert page.grab().save(str(screens / "inventory-3-audit-results.png"))
    scan(qtbot, screen.scan, "CCC-V2S-001")
    assert screen.last.text() == "CCC-V2S-001 : déjà scanné"
    assert counts(page) == {
        "present": f"Présents (4 / {DEPOT_EXPECTED})",
        "missing": f"Manquants ({DEPOT_EXPECTED - 4})",
        "unknown": "Inconnus (1)",
        "misplaced": "Mal placés (1)",
    }
    missing = screen.models["missing"]
    assert ("CCC-V2S-003", "Sunmi V2s") in missing.rows()
    assert ("CCC-V2S-001", "Sunmi V2s") not in missing.rows()
    assert screen.models["misplaced"].rows() == [("CCC-D3M-001", "sorti pour MamaStock 2026")]
    rebuilt = AuditLists()  # the lists moved scan by scan: the same as built from scratch
    rebuilt.show_state(screen.state)
    for key, model in screen.models.items():
        assert model.rows() == rebuilt.models[key].rows(), key

    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    assert screen.state is None
    assert screen.last.text() == (
        f"Audit enregistré : 4 présents, {DEPOT_EXPECTED - 4} manquants, 1 inconnu, 1 mal placé"
    )
    assert counts(page)["unknown"] == "Inconnus (1)"  # the result stays readable
    with festival.session() as session:
        audit = session.scalars(select(Audit)).one()
        assert audit.closed_at is not None
        assert (audit.present, audit.missing, audit.unknown, audit.misplaced) == (
            4,
            DEPOT_EXPECTED - 4,
            1,
            1,
        )
    assert not screen.scan.isEnabled()


def test_an_open_audit_is_resumed_when_the_screen_opens_again_and_can_be_abandoned(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    screen = page.audit
    screen.by_prestation.setChecked(True)
    screen.scope.setCurrentText("MamaStock 2026")
    qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    scan(qtbot, screen.scan, "CCC-D3M-001")
    assert counts(page)["present"] == "Présents (1 / 1)"

    again = open_page(qtbot, festival, DeviceManager([]))  # Régie restarted
    assert again.audit.state is not None
    assert again.audit.last.text().startswith(f"Audit n°{again.audit.state.audit_id} repris")
    assert counts(again)["present"] == "Présents (1 / 1)"
    assert counts(again)["missing"] == "Manquants (0)"
    qtbot.mouseClick(again.audit.abandon_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.defaultButton().text() == "Annuler"
    next(b for b in box.buttons() if b.text() == "A&bandonner l'audit").click()
    assert again.audit.state is None
    with festival.session() as session:
        assert open_audit(session) is None


def test_a_second_audit_is_refused_with_a_clear_message_and_scans_never_go_astray(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    with festival.session() as session:  # another workstation opens one meanwhile
        other = start_audit(session, prestation_name="MamaStock 2026").audit_id
    screen = page.audit
    screen.scope.setCurrentText("Dépôt CCC")
    qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.windowTitle() == "Un audit est déjà ouvert"
    assert box.text().startswith(f"l'audit n°{other} est encore ouvert depuis")
    assert box.text().endswith("terminez-le ou abandonnez-le d'abord")
    next(b for b in box.buttons() if b.text() == "&Reprendre cet audit").click()
    assert screen.state is not None and screen.state.audit_id == other

    with festival.session() as session:  # ...and the other workstation abandons it
        abandon_audit(session, other)
    scan(qtbot, screen.scan, "CCC-D3M-001")
    assert screen.last.text() == (
        f"l'audit n°{other} a été terminé ou abandonné sur un autre poste : "
        "le scan n'a pas été compté"
    )
    assert screen.last.property("verdict") == "error"
    assert counts(page)["present"] == "Présents (0 / 1)"


def test_the_audit_counts_a_real_nfc_sticker_laid_on_the_reader(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, pcscd: object
) -> None:
    devices = DeviceManager([PcscBackend()], loop=qt_loop)
    devices.start()
    try:
        page = open_page(qtbot, festival, devices)
        screen = page.audit
        screen.scope.setCurrentText("Dépôt CCC")
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Virtual PCD 00 00" in devices.state.readers, timeout=5000)
        # The access point CCC-AP-001 carries the sticker 04A90000000001.
        with VirtualCard(kind="ntag215", uid=bytes.fromhex("04A90000000001"), port=35963):
            qtbot.waitUntil(lambda: "CCC-AP-001" in screen.last.text(), timeout=5000)
            assert screen.last.text() == "CCC-AP-001 : présent"
        assert counts(page)["present"] == f"Présents (1 / {DEPOT_EXPECTED})"
        assert screen.models["present"].rows() == [("CCC-AP-001", "U7 Pro Outdoor")]
        # A sticker Régie does not know is an unknown tag, named after its UID.
        with VirtualCard(kind="ntag215", uid=bytes.fromhex("04FFEEDDCCBBAA"), port=35963):
            qtbot.waitUntil(lambda: "inconnu" in screen.last.text(), timeout=5000)
        assert screen.last.text() == "NFC-04FFEEDDCCBBAA : inconnu"
    finally:
        devices.stop()


def test_the_audit_runs_from_the_keyboard_in_the_main_window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database
) -> None:
    window = build_window(festival, [], qt_loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    def active() -> bool:
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active, timeout=5000)

    def keys(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(window.focusWidget() or window, key, modifier)

    keys(Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Ctrl+1 is the dashboard
    page = window.pages.currentWidget()
    assert isinstance(page, InventoryPage)
    keys(Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # the "Audit au s&canner" tab
    qtbot.waitUntil(lambda: page.tabs.currentIndex() == 2, timeout=2000)
    keys(Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # "un lieu"
    qtbot.waitUntil(lambda: page.audit.by_location.hasFocus(), timeout=2000)
    for _ in range(3):  # Tab to the list of places, "D" for the depot
        if window.focusWidget() is page.audit.scope:
            break
        keys(Qt.Key.Key_Tab)
    keys(Qt.Key.Key_D)
    assert page.audit.scope.currentText() == "Dépôt CCC"
    keys(Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # "C&ommencer l'audit"
    qtbot.waitUntil(lambda: page.audit.state is not None, timeout=2000)
    qtbot.waitUntil(lambda: page.audit.scan.hasFocus(), timeout=2000)
    qtbot.keyClicks(window.focusWidget(), "CCC-V2S-007")
    keys(Qt.Key.Key_Return)
    assert page.audit.last.text() == "CCC-V2S-007 : présent"
    keys(Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # "Terminer et enregistrer"
    qtbot.waitUntil(lambda: page.audit.state is None, timeout=2000)
    assert page.audit.last.text().startswith("Audit enregistré : 1 présent, ")
    window.devices.stop()

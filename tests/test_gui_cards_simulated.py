"""The demo festival's window on the simulated reader alone (no pcscd): cards laid from its
menu are encoded by the encoding station, the card monitor shows the card tapped, and the
ledger's desk opens the wallet of the card laid; the menu's shortcuts and F1 (the guide at
the section's chapter) work from the card monitor's window too. Real window, offscreen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie.cards import ntag
from regie.cards.demo import DEMO_BATCH
from regie.cards.demo_reader import VISITOR_UID
from regie.cards.encoding import Outcome
from regie.cards.models import Card, Encoding
from regie.db import Database
from regie.devices.pcsc import PcscBackend
from regie.devices.simulated import SIMULATED_READER, SimulatedBackend
from regie.i18n import format_money
from regie.ledger.desk import balances_of
from regie.ui.app import build_window, reader_backends
from regie.ui.main_window import MainWindow
from tests.test_gui_main_window import open_window
from tests.test_gui_settlement_support import file_keyring

pytestmark = [pytest.mark.gui]
__all__ = ["file_keyring"]


def menu_action(window: MainWindow, text: str) -> QAction:
    for menu in window.menuBar().actions():
        for action in menu.menu().actions():
            if action.text() == text:
                return action
    raise AssertionError(f"no menu item {text!r}")


def test_the_demo_base_gets_the_simulated_reader_and_another_base_does_not(
    festival: Database, tmp_path: Path
) -> None:
    kinds = [type(backend) for backend in reader_backends(False, festival)]
    assert kinds == [PcscBackend, SimulatedBackend]
    empty = Database(f"sqlite:///{tmp_path / 'vide.sqlite3'}")
    empty.upgrade()
    assert [type(b) for b in reader_backends(False, empty)] == [PcscBackend]
    assert [type(b) for b in reader_backends(True, empty)] == [PcscBackend, SimulatedBackend]
    empty.dispose()


def test_the_demo_encodes_cards_laid_on_the_simulated_reader_and_the_monitor_and_desk_read_them(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, artifacts: Path
) -> None:
    backend = SimulatedBackend()  # what reader_backends adds on the demo base, without pcscd
    window = build_window(festival, [backend], qt_loop)
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        window.show_section("cards")
        page = window.page("cards")
        screen = page.encoding
        page.show_screen(screen)
        screen.sound.setChecked(False)
        qtbot.waitUntil(lambda: screen.reader.findData(SIMULATED_READER) >= 0, timeout=3000)
        screen.reader.setCurrentIndex(screen.reader.findData(SIMULATED_READER))
        screen.batch.setCurrentIndex(screen.batch.findText(DEMO_BATCH))
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "posez une carte" in screen.reader_status.text(), timeout=3000)
        assert screen.reader_status.text() == "Lecteur simulé : posez une carte"
        new_card = menu_action(window, "Poser une carte &neuve à encoder")
        for n in range(1, 4):
            new_card.trigger()
            qtbot.waitUntil(lambda n=n: screen.model.rowCount() == n, timeout=5000)
            assert screen.panel.outcome.text().startswith("ENCODÉE "), screen.model.result_at(0)
            assert "posée" in window.reader_status.text()
            backend.lift()
        assert screen.panel.count.text() == "3 cartes"
        window.grab().save(str(artifacts / "cards-simulated-encoding.png"))
        qtbot.mouseClick(screen.pause_button, Qt.MouseButton.LeftButton)

        results = [screen.model.result_at(row) for row in range(3)]
        assert all(r.outcome is Outcome.ENCODED for r in results)
        with festival.session() as session:
            rows = {
                r.uid: r
                for r in session.scalars(select(Card).where(Card.uid.in_([r.uid for r in results])))
            }
        assert len(rows) == 3
        assert all(
            r.encoding is Encoding.ENCODED and r.url_written and r.protected for r in rows.values()
        )
        chips = {uid.hex().upper(): card for uid, card in backend.cards.items()}
        for uid, row in rows.items():
            assert ntag.url_in(bytes(chips[uid].memory[16 : 16 + 128])) == row.url  # a phone's read

        # The monitor, on the card laid again (the station paused: nothing is written).
        first = results[-1]
        monitor = page.monitor
        page.show_screen(monitor)
        backend.tap(chips[first.uid])
        qtbot.waitUntil(
            lambda: monitor.panel.heading.text() == f"Carte {first.number}", timeout=3000
        )
        assert monitor.panel.fields["uid"].text() == first.uid
        backend.lift()
        assert screen.model.rowCount() == 3

        # The ledger's desk opens the wallet of the card laid.
        window.show_section("ledger")
        ledger = window.page("ledger")
        wallet = ledger.wallet
        ledger.show_screen(wallet)
        backend.tap(chips[first.uid])
        qtbot.waitUntil(lambda: wallet.uid == first.uid, timeout=3000)
        assert wallet.uid_field.text() == first.uid
        backend.lift()
    finally:
        window.devices.stop()


def test_the_demo_cards_are_laid_from_every_window_and_f1_opens_the_guide_at_the_section(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    artifacts: Path,
    file_keyring: Path,  # the dashboard asks the keyring for the Stripe key
) -> None:
    backend = SimulatedBackend()
    window = open_window(qtbot, qt_loop, festival, [backend])
    try:
        window.show_section("cards")
        monitor_window = window.open_card_monitor()
        qtbot.waitExposed(monitor_window)

        def monitor_active() -> bool:
            monitor_window.activateWindow()
            return monitor_window.isActiveWindow()

        qtbot.waitUntil(monitor_active, timeout=5000)
        focus = monitor_window.monitor.ref
        focus.setFocus()
        # Ctrl+T while the monitor has the focus: the festival-goer's card, its balance shown.
        qtbot.keyClick(focus, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: backend.card == bytes.fromhex(VISITOR_UID), timeout=5000)
        panel = monitor_window.monitor.panel
        qtbot.waitUntil(lambda: panel.fields["uid"].text() == VISITOR_UID, timeout=5000)
        with festival.session() as session:
            wallet = balances_of(session, VISITOR_UID)
        qtbot.waitUntil(lambda: panel.balances.get("EUR") == format_money(wallet["EUR"]))
        assert set(wallet) >= {"EUR", "GIFT"}
        assert panel.state.text() == "ACTIVE"
        monitor_window.grab().save(str(artifacts / "cards-simulated-visitor.png"))
        qtbot.keyClick(focus, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier | CTRL)
        qtbot.waitUntil(lambda: backend.card is None, timeout=3000)

        # F1 from the monitor: the guide, at the chapter of the section behind it.
        qtbot.keyClick(focus, Qt.Key.Key_F1)
        guide = window.guide
        assert guide is not None
        qtbot.waitExposed(guide)
        assert guide.chapter == "4. Cartes NFC"
        top = guide.browser.cursorForPosition(guide.browser.viewport().rect().topLeft())
        assert top.block().text() == "4. Cartes NFC"  # the chapter at the top of the window
        guide.close()
        window.show_section("ledger")
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(window.navigation, Qt.Key.Key_F1)
        qtbot.waitUntil(guide.isVisible, timeout=3000)
        assert guide.chapter == "6. Grand livre"
        QApplication.processEvents()
        guide.grab().save(str(artifacts / "guide-ledger.png"))
        guide.close()
    finally:
        window.devices.stop()


CTRL = Qt.KeyboardModifier.ControlModifier

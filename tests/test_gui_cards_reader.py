"""The Cartes screens with the real reader stack: pcscd + vpcd and virtual NTAG215 cards.

A batch imported from a TiBillet file and encoded card after card from the encoding screen
(one pulled away mid-write and finished on the next tap); the monitor fed by a real tap and
the ledger's balance; a lost card replaced by tapping its replacement; the monitor from the
status bar of the main window; returns counted by tapping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from regie.cards import ntag
from regie.cards.batches import generate_lines, import_factory_csv, printer_csv
from regie.cards.encoding import Outcome
from regie.cards.models import Card, CardState, Encoding
from regie.cards.states import block_list
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.ledger.desk import balances_of
from regie.ledger.labels import amount
from regie.ui.app import build_window
from regie.ui.cards.lost_card_dialog import LostCardDialog
from regie.ui.cards.page import CardsPage
from regie.ui.main_window import STYLE, MainWindow
from tests.gui_inventory_support import message_box
from tests.rig.vcard import VirtualCard

pytestmark = [pytest.mark.gui, pytest.mark.pcsc]

READER, PORT = "Virtual PCD 00 00", 35963
# Wallets of the demo's MamaStock journal: one with money on it, one chip never used.
RICH_UID, NEW_UID = "040000000000AA", "04C0FFEE000001"
STRANGER_UID = "04000000000305"  # in the journal, never imported as a card


@pytest.fixture
def devices(qt_loop: asyncio.AbstractEventLoop, pcscd: object) -> Iterator[DeviceManager]:
    """The device manager as the app runs it: PC/SC events handed to the Qt thread."""
    manager = DeviceManager([PcscBackend()], loop=qt_loop)
    manager.start()
    yield manager
    manager.stop()


def open_page(qtbot: QtBot, db: Database, devices: DeviceManager) -> CardsPage:
    page = CardsPage(db, devices)
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)
    page.resize(1080, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


def shot(widget: QWidget, name: str, artifacts: Path) -> None:
    QApplication.processEvents()
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert widget.grab().save(str(screens / f"cards-{name}.png"))


def press(box: QMessageBox, text: str) -> None:
    next(b for b in box.buttons() if b.text() == text).click()


def paired_file(tmp_path: Path) -> Path:
    """A factory file whose chips are known: the demo wallet with money, and a new one."""
    lines = generate_lines(2, "https://festival.example")
    rows = printer_csv(lines).splitlines()
    path = tmp_path / "cartes-connues.csv"
    path.write_text(f"{rows[0]}{RICH_UID}\n{rows[1]}{NEW_UID}\n", encoding="utf-8")
    return path


def import_paired(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        import_factory_csv(session, paired_file(tmp_path), owner="CCC")


def number_of(db: Database, uid: str) -> str:
    with db.session() as session:
        return session.scalars(select(Card.number).where(Card.uid == uid)).one()


def test_a_batch_imported_from_a_tibillet_file_is_encoded_card_after_card_with_url_and_password(
    qtbot: QtBot, devices: DeviceManager, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    factory = tmp_path / "mamastock-2027.csv"
    factory.write_text(printer_csv(generate_lines(25, "https://mamastock.example")), "utf-8")
    page = open_page(qtbot, festival, devices)
    dialog = page.batches.open_import()
    assert dialog is not None
    dialog.path.setText(str(factory))
    dialog.where.owner.setCurrentText("Mamasound")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    assert dialog.outcome is not None and dialog.outcome.cards == 25
    dialog.close()

    screen = page.encoding
    page.show_screen(screen)
    screen.sound.setChecked(False)  # silent in tests
    assert screen.write_url.isChecked() and screen.protect.isChecked()
    qtbot.waitUntil(lambda: screen.reader.findData(READER) >= 0, timeout=5000)  # plugged in
    screen.reader.setCurrentText(READER)
    assert screen.batch.currentText() == "mamastock-2027"  # the newest batch is offered
    qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
    try:
        qtbot.waitUntil(lambda: "posez une carte" in screen.reader_status.text(), timeout=5000)
        first = screen.next_label.text()
        assert first.startswith("Carte suivante : ")
        # TiBillet keys chips on their first 4 bytes: those differ from card to card.
        uids = [bytes.fromhex(f"04{n + 0x30:02X}CAFE0000{n:02X}") for n in range(20)]
        cards = [VirtualCard("ntag215", uid=uid, port=PORT) for uid in uids]

        def tap(card: VirtualCard, results: int) -> None:
            card.insert()
            qtbot.waitUntil(lambda: screen.model.rowCount() == results, timeout=10_000)
            card.remove()

        tap(cards[0], 1)
        assert screen.panel.outcome.text() == f"ENCODÉE  {first.removeprefix('Carte suivante : ')}"
        assert screen.panel.detail.text() == f"UID {cards[0].uid.hex().upper()} · NTAG215"
        assert screen.panel.count.text() == "1 carte"
        for n, card in enumerate(cards[1:10], start=2):
            tap(card, n)
            assert screen.panel.outcome.text().startswith("ENCODÉE "), screen.model.result_at(0)
            assert screen.panel.count.text() == f"{n} cartes"
        assert screen.panel.property("outcome") == "encoded"
        rate = screen.panel.rate.text()
        assert rate.endswith(" cartes/min") and rate != "0,0 cartes/min"
        shot(page, "2-encoding", artifacts)

        # Pulled away in the middle of its writes: "to re-encode", finished by the next tap.
        qtbot.mouseClick(screen.pause_button, Qt.MouseButton.LeftButton)
        assert screen.start_button.text() == "Reprendre" and not screen.write_url.isEnabled()
        yanked = cards[10]
        yanked.insert()
        # The reader's owner reads the card for the status bar first: arm after that read.
        qtbot.waitUntil(lambda: devices.state.readers[READER].card_present, timeout=5000)
        yanked.remove_after(8)  # UID, GET_VERSION, config, first READ, then 4 WRITEs
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: screen.model.rowCount() == 11, timeout=10_000)
        yanked.remove()
        cut = screen.model.result_at(0)
        assert cut.outcome is Outcome.FAILED and cut.to_reencode
        assert screen.panel.outcome.text() == f"ÉCHEC  {cut.number}"
        assert "retirée pendant l'écriture" in screen.panel.reason.text()
        assert screen.panel.property("outcome") == "failed"
        shot(page, "2-encoding-failed", artifacts)
        tap(yanked, 12)
        assert screen.panel.outcome.text() == f"RÉ-ENCODÉE  {cut.number}"

        for n, card in enumerate(cards[11:19], start=13):
            tap(card, n)
        # The last card of the box, out of order: its QR code read by the USB scanner.
        with festival.session() as session:
            last = session.scalars(
                select(Card).where(
                    Card.url.like("https://mamastock.example/%"), Card.position == 25
                )
            ).one()
        qtbot.keyClicks(screen.scan, last.url)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
        assert screen.next_label.text() == f"Carte suivante : {last.number} (scannée)"
        tap(cards[19], 21)
        assert screen.panel.outcome.text() == f"ENCODÉE  {last.number}"
        assert screen.panel.count.text() == "20 cartes"
        assert screen.panel.breakdown.text() == (
            "19 encodées · 1 ré-encodée · 0 déjà encodée · 1 échec"
        )
        tap(cards[0], 22)  # laid again: recognised, nothing written
        assert screen.panel.outcome.text().startswith("DÉJÀ ENCODÉE ")
        assert screen.model.result_at(0).apdus == 1
        shot(page, "2-encoding-session", artifacts)
        qtbot.mouseClick(screen.end_button, Qt.MouseButton.LeftButton)
        summary = message_box(qtbot)
        assert summary.text().startswith("21 cartes prêtes et 1 échec, à ")
        assert summary.informativeText() == screen.panel.breakdown.text()
        press(summary, "Fermer")
        assert not screen.station.open and screen.start_button.text() == "Démarrer"
    finally:
        screen.station.end()
    page.show_screen(page.batches)  # read again: the encoding changed the counts
    batch = next(b for b in page.batches.model.rows() if b.name == "mamastock-2027")
    assert (batch.cards, batch.paired, batch.encoded, batch.to_reencode) == (25, 20, 20, 0)
    with festival.session() as session:
        rows = session.scalars(
            select(Card).where(Card.uid.like("04__CAFE%")).order_by(Card.position)
        ).all()
        assert len(rows) == 20
        assert all(r.encoding is Encoding.ENCODED and r.url_written and r.protected for r in rows)
        url = next(r.url for r in rows if r.uid == yanked.uid.hex().upper())
    assert ntag.url_in(yanked.pages(4, 32)) == url  # a phone reads the finished card


def test_the_monitor_shows_a_tapped_card_with_its_balance_and_a_lost_card_is_replaced_by_tapping(
    qtbot: QtBot, festival: Database, devices: DeviceManager, tmp_path: Path, artifacts: Path
) -> None:
    import_paired(festival, tmp_path)
    with festival.session() as session:
        balances = balances_of(session, RICH_UID)
    assert balances  # the demo journal put money on this chip
    old, new = number_of(festival, RICH_UID), number_of(festival, NEW_UID)
    page = open_page(qtbot, festival, devices)
    screen = page.monitor
    page.show_screen(screen)
    panel = screen.panel
    rich = VirtualCard("ntag215", uid=bytes.fromhex(RICH_UID), port=PORT)
    with rich:
        qtbot.waitUntil(lambda: panel.heading.text() == f"Carte {old}", timeout=5000)
    assert panel.state.text() == "ACTIVE"
    assert panel.fields["uid"].text() == RICH_UID
    assert panel.fields["batch"].text().startswith("cartes-connues — CCC")
    assert panel.balances == {code: amount(cents, code) for code, cents in balances.items()}
    qtbot.waitUntil(lambda: panel.transfers.total > 0, timeout=5000)
    shot(page, "3-monitor", artifacts)

    # A chip the office never saw (a festival-goer's own card): what the ledger holds for it.
    with festival.session() as session:
        stranger = balances_of(session, STRANGER_UID)
    with VirtualCard("ntag215", uid=bytes.fromhex(STRANGER_UID), port=PORT):
        qtbot.waitUntil(lambda: panel.heading.text().startswith("Puce "), timeout=5000)
    assert panel.heading.text() == f"Puce {STRANGER_UID} : aucune carte de Régie"
    assert stranger and panel.balances == {c: amount(v, c) for c, v in stranger.items()}
    assert not screen.lost_button.isEnabled() and not screen.block_button.isEnabled()
    shot(page, "3-monitor-unknown-chip", artifacts)
    qtbot.keyClicks(screen.ref, old)
    qtbot.keyClick(screen.ref, Qt.Key.Key_Return)
    assert panel.heading.text() == f"Carte {old}"

    qtbot.mouseClick(screen.lost_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, LostCardDialog)
    assert not dialog.replace_button.isEnabled()
    with VirtualCard("ntag215", uid=bytes.fromhex(NEW_UID), port=PORT):
        qtbot.waitUntil(lambda: dialog.new is not None, timeout=5000)
    assert dialog.new is not None and dialog.new.number == new
    assert panel.heading.text() == f"Carte {old}"  # the tap was the dialog's, not the screen's
    shot(dialog, "3-lost-card", artifacts)
    qtbot.mouseClick(dialog.replace_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.defaultButton().text() == "Annuler"  # never replaced by a stray Enter
    press(box, "&Déclarer perdue et remplacer")
    assert dialog.outcome is not None
    info = message_box(qtbot)
    assert info.text() == (
        f"Carte {old} perdue, sur la liste de blocage ; remplacée par la carte {new}."
    )
    press(info, "Fermer")
    assert panel.heading.text() == f"Carte {new}"
    assert panel.balances == {code: amount(cents, code) for code, cents in balances.items()}
    assert panel.fields["replacement"].text() == f"remplace la carte {old}"
    with festival.session() as session:
        assert balances_of(session, NEW_UID) == balances
        assert balances_of(session, RICH_UID) == {}
        assert RICH_UID in {entry.uid for entry in block_list(session)}
        lost = session.scalars(select(Card).where(Card.uid == RICH_UID)).one()
        assert lost.state is CardState.LOST


def test_the_card_monitor_opens_from_the_status_bar_on_the_card_lying_on_the_reader(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    pcscd: object,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    import_paired(festival, tmp_path)
    window = build_window(festival, [PcscBackend()], qt_loop)
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitExposed(window)
        assert isinstance(window, MainWindow) and window.current_section() == "dashboard"
        status = window.reader_status
        qtbot.waitUntil(lambda: "Virtual PCD" in status.text(), timeout=5000)
        with VirtualCard("ntag215", uid=bytes.fromhex(RICH_UID), port=PORT):
            qtbot.waitUntil(lambda: "posée" in status.text(), timeout=5000)
            qtbot.mouseClick(status, Qt.MouseButton.LeftButton, pos=QPoint(10, 5))
            monitor = window.card_monitor
            assert monitor is not None and monitor.isVisible()
            panel = monitor.monitor.panel
            assert panel.heading.text() == f"Carte {number_of(festival, RICH_UID)}"
            assert panel.balances
            assert window.current_section() == "dashboard"  # the user stays where they were
            shot(monitor, "3-monitor-window", artifacts)
        monitor.close()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(window.navigation, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(monitor.isVisible, timeout=3000)
    finally:
        window.devices.stop()


def test_returns_are_counted_by_tapping_and_the_missing_declared_lost(
    qtbot: QtBot, festival: Database, devices: DeviceManager, artifacts: Path
) -> None:
    with festival.session() as session:
        uids = list(
            session.scalars(
                select(Card.uid)
                .where(Card.uid.is_not(None))
                .order_by(Card.position)
                .offset(60)
                .limit(2)
            )
        )
    page = open_page(qtbot, festival, devices)
    screen = page.returns
    page.show_screen(screen)
    for n, uid in enumerate(uids, start=1):
        with VirtualCard("ntag215", uid=bytes.fromhex(uid or ""), port=PORT):
            qtbot.waitUntil(lambda n=n: screen.count.text() == f"Rendues : {n} / 200", timeout=5000)
    assert screen.last.text().endswith(": comptée (2 / 200)")
    assert screen.missing_title.text() == "Manquantes (198)"
    qtbot.mouseClick(screen.lost_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.text().startswith("Déclarer perdues les 197 cartes actives non rendues")
    press(box, "&Déclarer perdues")
    info = message_box(qtbot)
    assert info.text().startswith("197 cartes de MamAfrica 2026 déclarées perdues")
    press(info, "Fermer")
    assert not screen.lost_button.isEnabled()
    with festival.session() as session:
        lost = session.scalar(select(func.count()).where(Card.state == CardState.LOST))
        listed = {entry.uid for entry in block_list(session)}
    assert lost == 197 + 1  # and the demo's card lost at the bar
    assert len(listed) == 150 - 2 and not set(uids) & listed  # every chip not brought back

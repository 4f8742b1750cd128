"""The user guide's screenshots, taken from the real windows on the demo festival, in French
and in English, and the guide checked against them and against the code.

Each flow of the guide (first start, inventory loan, card encoding, terminal push, closures,
settlement) is driven as a person does it in the real main window; the pictures land in
``docs/guide/img/<lang>/`` under stable names and are committed with the guide. The last
tests read ``docs/guide/fr.md`` and ``en.md``: every picture they show exists, both languages
have the same chapters with the same pictures, and every label the guide quotes in **bold**
is a text of Régie's screens (French in fr.md, its English in en.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PIL import Image
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock, i18n
from regie.cards.batches import generate_lines, printer_csv
from regie.cards.demo import DEMO_BATCH
from regie.cards.demo_reader import VISITOR_UID
from regie.cards.models import Card, CardState, Encoding
from regie.db import Database
from regie.devices.pcsc import PcscBackend
from regie.devices.readers import CardReaderBackend
from regie.devices.simulated import SimulatedBackend
from regie.inventory.models import Asset, AssetStatus, Condition
from regie.ledger.desk import balances_of
from regie.ledger.models import Closure
from regie.people.actor import set_desk_actor
from regie.people.demo import add_demo_people
from regie.terminals.registry import register_terminal
from regie.ui import language
from regie.ui.cards.lost_card_dialog import LostCardDialog
from regie.ui.cards.page import CardsPage
from regie.ui.error_dialog import error_box
from regie.ui.inventory.page import InventoryPage
from regie.ui.ledger.page import LedgerPage
from regie.ui.main_window import MainWindow
from regie.ui.people.page import PeoplePage
from regie.ui.settlement.invoice_lines import LABEL, UNIT
from regie.ui.settlement.invoices_page import InvoicesPage
from regie.ui.settlement.page import SettlementPage
from regie.ui.settlement.reconcile_screen import ReconcileScreen
from regie.ui.settlement.refunds_screen import RefundsScreen
from regie.ui.settlement.report_screen import ReportScreen
from regie.ui.settlement.season_screen import SeasonScreen
from regie.ui.settlement.split_screen import SplitScreen
from regie.ui.settlement.stripe_screen import StripeScreen
from regie.ui.terminals.page import TerminalsPage
from tests.gui_inventory_support import message_box, press
from tests.inventory_fixtures import status_of
from tests.ledger_fixtures import sale, write_lines
from tests.rig.vcard import VirtualCard
from tests.test_gui_inventory_loans import scan
from tests.test_gui_ledger_screens import CARD
from tests.test_gui_ledger_support import copy_of, demo_template
from tests.test_gui_main_window import open_window
from tests.test_gui_settlement_stripe import REPORT
from tests.test_gui_settlement_support import STOCK, file_keyring, idle
from tests.test_terminals_rig import Agent, Cable

pytestmark = pytest.mark.gui
__all__ = ["file_keyring"]

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"
LANGUAGES = ("fr", "en")
READER, PORT = "Virtual PCD 00 00", 35963
NO_DITHER = Image.Dither.NONE
SPARE = "CCC-V2S-015"  # lent to MamaStock but never used: no journal yet


# -- set-up ------------------------------------------------------------------------------------
@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The whole test in one language, Qt's own buttons included, as the Préférences switch
    does; afterwards French again, and Qt's words as they were."""
    qt_french = bool(language._installed)
    language.switch_language(request.param)
    try:
        yield request.param
    finally:
        i18n.set_language("fr")
        language.install_qt_translations(qapp, "fr" if qt_french else "en")


@pytest.fixture
def short_folder() -> Iterator[Path]:
    """A folder with a short name: its path is shown in the pictures (status bar, ports)."""
    folder = Path(tempfile.mkdtemp(prefix="regie-", dir="/tmp"))  # not the sandbox TMPDIR
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def festival(
    tmp_path_factory: pytest.TempPathFactory, short_folder: Path, file_keyring: Path
) -> Iterator[Database]:
    """A copy of the demo festival, as a first start leaves it (no Stripe key yet)."""
    db = copy_of(demo_template(tmp_path_factory), short_folder)
    yield db
    db.dispose()


@contextlib.contextmanager
def main_window(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    db: Database,
    backends: list[CardReaderBackend] | None = None,
) -> Iterator[MainWindow]:
    """Régie's window at its default size (1100 × 700), as a person opens it."""
    window = open_window(qtbot, loop, db, backends or [])
    try:
        yield window
    finally:
        window.devices.stop()


def picture(widget: QWidget, lang: str, name: str) -> Path:
    """``docs/guide/img/<lang>/<name>.png``: the widget as it is on screen now."""
    folder = GUIDE / "img" / lang
    folder.mkdir(parents=True, exist_ok=True)
    for _turn in range(3):  # let queued repaints and layouts land
        QApplication.processEvents()
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    # 256 colours, no dithering: the same picture to the eye, a third of the bytes committed.
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(256, Image.Quantize.MEDIANCUT, dither=NO_DITHER)
    small.save(path, optimize=True)
    return path


def section(window: MainWindow, key: str) -> QWidget:
    window.show_section(key)
    QApplication.processEvents()
    page = window.pages.currentWidget()
    assert page is not None
    return page


# -- 1. first start ----------------------------------------------------------------------------
def test_first_start_shows_the_dashboard_the_preferences_and_the_error_dialog(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    short_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    with main_window(qtbot, qt_loop, festival) as window:
        assert window.current_section() == "dashboard"  # the home screen
        dashboard = window.pages.currentWidget()
        qtbot.waitUntil(lambda: dashboard.snapshot is not None, timeout=10_000)
        picture(window, lang, "01-dashboard")
        dialog = window.open_preferences()
        qtbot.waitExposed(dialog)
        picture(dialog, lang, "10-preferences")
        dialog.reject()
        monkeypatch.setenv("REGIE_DATA_DIR", str(short_folder))  # the log it names
        box = error_box("Traceback (most recent call last): …", window)
        box.show()
        qtbot.waitExposed(box)
        picture(box, lang, "11-error-dialog")
        box.close()
        page = section(window, "inventory")
        assert isinstance(page, InventoryPage)
        page.show_screen(page.assets)
        qtbot.waitUntil(lambda: page.assets.table.model().rowCount() > 0, timeout=5000)
        picture(window, lang, "02-equipment")


# -- 2. inventory loan -------------------------------------------------------------------------
def test_a_loan_goes_out_with_the_wizard_and_comes_back_with_a_scanner(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, lang: str
) -> None:
    with main_window(qtbot, qt_loop, festival) as window:
        page = section(window, "inventory")
        assert isinstance(page, InventoryPage)
        screen = page.loans
        page.show_screen(screen)
        wizard = screen.open_wizard()
        assert wizard is not None
        qtbot.waitExposed(wizard)
        first = wizard.first
        first.borrower.setCurrentText("Mamasound")
        first.prestation.setCurrentIndex(
            first.prestation.findText(STOCK, Qt.MatchFlag.MatchStartsWith)
        )
        first.due.setDate(QDate(clock.today() + dt.timedelta(days=4)))
        picture(wizard, lang, "02-loan-borrower")
        wizard.next()
        items = wizard.items_page
        for tag in ("CCC-V2S-001", "CCC-V2S-002", "CCC-TPE-001"):
            scan(qtbot, items.scan, tag)
        items.lot.setCurrentIndex(
            items.lot.findText("Cartes NFC CCC", Qt.MatchFlag.MatchStartsWith)
        )
        items.quantity.setValue(500)
        items.findChild(QWidget, "loanAddLot").click()
        assert items.isComplete()
        picture(wizard, lang, "02-loan-items")
        wizard.next()
        wizard.accept()  # « Terminer » / "Finish"
        message_box(qtbot).accept()
        with festival.session() as session:
            assert status_of(session, "CCC-V2S-001") == AssetStatus.OUT
        qtbot.waitUntil(lambda: "(1)" in screen.open_title.text(), timeout=5000)
        picture(window, lang, "02-loans")

        dialog = screen.open_checkin()
        qtbot.waitExposed(dialog)
        qtbot.waitUntil(lambda: dialog.lines.rowCount() == 4, timeout=5000)
        scan(qtbot, dialog.scan, "CCC-V2S-001")
        dialog.view.selectRow(1)
        dialog.condition_buttons[Condition.DAMAGED].click()
        dialog.view.selectRow(2)
        dialog.condition_buttons[Condition.MISSING].click()
        picture(dialog, lang, "02-checkin")
        dialog.save.click()
        qtbot.waitUntil(dialog.outcome.isVisible, timeout=5000)
        picture(dialog, lang, "02-checkin-done")
        dialog.close()
        with festival.session() as session:
            assert status_of(session, "CCC-V2S-002") == AssetStatus.QUARANTINED
            assert status_of(session, "CCC-TPE-001") == AssetStatus.LOST


# -- 3. card encoding (pcscd + vpcd) -----------------------------------------------------------
@pytest.mark.pcsc
def test_cards_of_an_imported_batch_are_encoded_at_the_reader(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    pcscd: object,
    festival: Database,
    short_folder: Path,
    lang: str,
) -> None:
    factory = short_folder / "mamastock-2027.csv"
    factory.write_text(printer_csv(generate_lines(25, "https://mamastock.example")), "utf-8")
    with main_window(qtbot, qt_loop, festival, [PcscBackend()]) as window:
        page = section(window, "cards")
        assert isinstance(page, CardsPage)
        dialog = page.batches.open_import()
        assert dialog is not None
        dialog.path.setText(str(factory))
        dialog.where.owner.setCurrentText("Mamasound")
        picture(dialog, lang, "03-import-batch")
        dialog.start_button.click()
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
        dialog.close()
        qtbot.waitUntil(
            lambda: any(b.name == "mamastock-2027" for b in page.batches.model.rows()),
            timeout=5000,
        )
        picture(window, lang, "03-batches")

        screen = page.encoding
        page.show_screen(screen)
        screen.sound.setChecked(False)
        screen.reader.setCurrentText(READER)
        assert screen.batch.currentText() == "mamastock-2027"
        screen.start_button.click()
        try:
            qtbot.waitUntil(lambda: screen.station.open, timeout=5000)
            for n in range(3):
                card = VirtualCard("ntag215", uid=bytes.fromhex(f"04{n + 0x30:02X}CAFE0000{n:02X}"))
                card.insert()
                qtbot.waitUntil(lambda n=n: screen.model.rowCount() == n + 1, timeout=10_000)
                card.remove()
            picture(window, lang, "03-encoding")
        finally:
            screen.station.end()
        with festival.session() as session:
            encoded = session.scalars(select(Card).where(Card.uid.like("04__CAFE%"))).all()
            assert len(encoded) == 3
            assert all(c.encoding is Encoding.ENCODED and c.protected for c in encoded)

        # The card monitor (Ctrl+M) on one of them, lying on the reader.
        monitor = page.monitor
        page.show_screen(monitor)
        with VirtualCard("ntag215", uid=bytes.fromhex(encoded[0].uid)):
            qtbot.waitUntil(lambda: encoded[0].number in monitor.panel.heading.text(), timeout=5000)
            picture(window, lang, "03-monitor")


# -- 4 and 6. the cards and the desk, played on the demo's simulated reader ---------------------
CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
VISITOR_NUMBER = "E5121482"  # the guide's example card: the festival-goer's, Ctrl+T


def test_the_demo_plays_the_cards_chapter_and_the_desk_with_keys_and_clicks(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database
) -> None:
    """Chapter 4's numbered steps and chapter 6's desk, as the guide tells them, on the demo
    with no reader nor pcscd: its simulated reader and its menu's shortcuts."""
    backend = SimulatedBackend()  # what the demo's base gets from reader_backends
    with main_window(qtbot, qt_loop, festival, [backend]) as window:
        qtbot.keyClick(window, Qt.Key.Key_3, CTRL)  # « Cartes (Ctrl+3) »
        page = window.pages.currentWidget()
        assert isinstance(page, CardsPage)
        qtbot.keyClick(window, Qt.Key.Key_E, ALT)  # « onglet Encodage »
        assert page.tabs.tabText(page.tabs.currentIndex()) == "&Encodage"
        screen = page.encoding
        # 1. the reader and the batch; « Écrire l'URL » and « Protéger » stay ticked
        screen.reader.setCurrentIndex(screen.reader.findText("Lecteur simulé"))
        screen.batch.setCurrentIndex(screen.batch.findText(DEMO_BATCH))
        assert screen.write_url.isChecked() and screen.protect.isChecked()
        screen.sound.setChecked(False)
        # 2. « Démarrer », then the cards one by one (« Poser une carte neuve à encoder »)
        qtbot.mouseClick(screen.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "posez une carte" in screen.reader_status.text(), timeout=5000)
        for n in range(1, 4):
            qtbot.keyClick(window, Qt.Key.Key_T, CTRL | ALT)
            qtbot.waitUntil(lambda n=n: screen.model.rowCount() == n, timeout=5000)
            assert screen.panel.outcome.text().startswith("ENCODÉE "), screen.model.result_at(0)
            qtbot.keyClick(window, Qt.Key.Key_T, CTRL | SHIFT)  # « Retirer la carte »
        assert screen.panel.count.text() == "3 cartes"
        # 3. « Pause » frees the reader; « Terminer la session » shows the summary
        qtbot.mouseClick(screen.pause_button, Qt.MouseButton.LeftButton)
        assert screen.reader_status.text() == "En pause : le lecteur est libre."
        qtbot.mouseClick(screen.end_button, Qt.MouseButton.LeftButton)
        summary = message_box(qtbot)
        assert summary.text().startswith("3 cartes prêtes et 0 échec")
        summary.accept()

        # The monitor (Ctrl+M) on the festival-goer's card (Ctrl+T): its euros and gift tokens.
        qtbot.keyClick(window, Qt.Key.Key_M, CTRL)
        monitor = window.card_monitor
        assert monitor is not None
        qtbot.waitExposed(monitor)
        qtbot.waitUntil(monitor.isActiveWindow, timeout=5000)
        qtbot.keyClick(monitor.monitor.ref, Qt.Key.Key_T, CTRL)  # from the monitor's window
        panel = monitor.monitor.panel
        qtbot.waitUntil(lambda: panel.heading.text() == f"Carte {VISITOR_NUMBER}", timeout=5000)
        assert {"EUR", "GIFT"} <= set(panel.balances)
        qtbot.keyClick(monitor.monitor.ref, Qt.Key.Key_T, CTRL | SHIFT)
        monitor.close()

        # 6. The desk (« Grand livre », « Carte »): the guide's example card typed by its number.
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(window, Qt.Key.Key_5, CTRL)
        ledger = window.pages.currentWidget()
        assert isinstance(ledger, LedgerPage)
        qtbot.keyClick(window, Qt.Key.Key_R, ALT)  # « Ca&rte »
        assert ledger.tabs.tabText(ledger.tabs.currentIndex()) == "Ca&rte"
        wallet = ledger.wallet
        qtbot.keyClicks(wallet.uid_field, VISITOR_NUMBER)
        qtbot.keyClick(wallet.uid_field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: wallet.model.rowCount() > 0, timeout=10_000)
        assert wallet.uid == VISITOR_UID and {"EUR", "GIFT"} <= set(wallet.balances)
        assert wallet.desk.topup.isEnabled()  # « Recharger en espèces… »

        # F1: the guide, at the chapter of the screen shown (« 6. Grand livre »).
        qtbot.keyClick(window, Qt.Key.Key_F1)
        guide = window.guide
        assert guide is not None and guide.isVisible()
        assert guide.chapter == "6. Grand livre"
        guide.close()

        # 4. A lost card: the festival-goer's, in the monitor; « Carte perdue… », the last new
        # card laid again as its replacement (« Reposer la dernière carte neuve »), while the
        # dialog waits; its euros and gift tokens move to it.
        monitor = window.open_card_monitor()
        qtbot.waitUntil(monitor.isActiveWindow, timeout=5000)
        qtbot.keyClick(monitor.monitor.ref, Qt.Key.Key_T, CTRL)
        qtbot.waitUntil(lambda: panel.heading.text() == f"Carte {VISITOR_NUMBER}", timeout=5000)
        qtbot.mouseClick(monitor.monitor.lost_button, Qt.MouseButton.LeftButton)
        lost = monitor.monitor.dialog
        assert isinstance(lost, LostCardDialog)
        qtbot.waitExposed(lost)
        lost.ref.setFocus()
        qtbot.waitUntil(lambda: lost.ref.hasFocus(), timeout=5000)
        qtbot.keyClick(lost.ref, Qt.Key.Key_D, CTRL | ALT)
        qtbot.waitUntil(lost.replace_button.isEnabled, timeout=5000)
        new_number = lost.found.text().split("<b>")[1].split("</b>")[0]
        qtbot.mouseClick(lost.replace_button, Qt.MouseButton.LeftButton)
        press(message_box(qtbot), "Déclarer perdue et remplacer")
        message_box(qtbot).accept()  # « Carte remplacée »
        with festival.session() as session:
            old = session.scalars(select(Card).where(Card.number == VISITOR_NUMBER)).one()
            new = session.scalars(select(Card).where(Card.number == new_number)).one()
            assert old.state is CardState.LOST and old.replaced_by_id == new.id
            assert new.uid is not None and {"EUR", "GIFT"} <= set(balances_of(session, new.uid))
        monitor.close()


# -- 4. terminal push and pull -----------------------------------------------------------------
def test_a_terminal_gets_its_configuration_by_cable_and_its_journal_is_pulled(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    short_folder: Path,
    tmp_path: Path,
    lang: str,
) -> None:
    # A spare Bar Nord till, new to the journals: the simulated agent starts its journal at
    # n°1, which the demo's terminals already used at MamAfrica and MamaStock.
    with festival.session() as session:
        register_terminal(session, SPARE, pos="Bar Nord")
        serial = session.scalars(select(Asset.serial_number).where(Asset.tag == SPARE)).one()
    cable = Cable(short_folder / "usb")
    # It announces the inventory's serial number: the push pairs it, its journal comes signed.
    agent = Agent(
        cable.b, tmp_path / "state", "--name", SPARE, "--serial", serial, "--simulate-sales", "40"
    )
    try:
        with main_window(qtbot, qt_loop, festival) as window:
            page = section(window, "terminals")
            assert isinstance(page, TerminalsPage)
            fleet, model = page.fleet, page.fleet.model
            qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=5000)
            row = model.row_named(SPARE)
            model.set_port(SPARE, cable.a)
            model.setData(
                model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
            )
            fleet.table.selectRow(row)
            fleet.push_button.click()
            qtbot.waitUntil(
                lambda: fleet.push_dialog is not None and fleet.push_dialog.isVisible(),
                timeout=20_000,
            )
            dialog = fleet.push_dialog
            assert dialog is not None
            picture(dialog, lang, "04-push")
            dialog.send.click()
            qtbot.waitUntil(
                lambda: fleet.work is None and model.rows()[row].ok is not None, timeout=60_000
            )
            assert model.rows()[row].ok, model.rows()[row].result
            assert agent.active()["version"] == 1
            fleet.pull_button.click()
            qtbot.waitUntil(lambda: fleet.work is None and model.rows()[row].ok, timeout=60_000)
            picture(window, lang, "04-pulled")
    finally:
        agent.stop()
        cable.close()


# -- 5. ledger: import, closures ---------------------------------------------------------------
def test_a_till_is_closed_with_a_z_and_its_cash_count(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    short_folder: Path,
    lang: str,
) -> None:
    journal = write_lines(  # Bar Nord sold on after its last Z: 7,50 € cash, 3,50 € cashless
        short_folder / "bar-nord-dimanche.jsonl",
        [
            {**sale(1, CARD, 450), "pay": "cash"},
            {**sale(2, CARD, 300), "pay": "cash"},
            sale(3, CARD, 350),
        ],
    )
    with main_window(qtbot, qt_loop, festival) as window:
        page = section(window, "ledger")
        assert isinstance(page, LedgerPage)
        dialog = page.open_import()
        qtbot.waitExposed(dialog)
        dialog.add_files([journal])  # « Ajouter des fichiers… »
        # No paired terminal signed this copy: a manager's choice, with its reason.
        dialog.unsigned.setChecked(True)
        dialog.unsigned_reason.setText("journal de Bar Nord copié sur clé USB")
        dialog.start_button.click()  # « Importer »
        qtbot.waitUntil(lambda: dialog.outcome is not None and not dialog.running, timeout=10_000)
        assert dialog.outcome is not None and dialog.outcome.imported == 3
        picture(dialog, lang, "05-import")
        dialog.close()
        qtbot.waitUntil(lambda: page.journal.model.rowCount() > 0, timeout=10_000)
        page.journal.newest_first.setChecked(True)  # « Les plus récents en haut »
        qtbot.waitUntil(lambda: page.journal.model.rowCount() > 0, timeout=10_000)
        picture(window, lang, "05-journal")

        wallet = page.wallet  # « Carte »: the desk
        page.show_screen(wallet)
        wallet.uid_field.setText(VISITOR_NUMBER)  # the guide's example card, by its number
        wallet.show_typed()
        qtbot.waitUntil(lambda: wallet.model.rowCount() > 0, timeout=10_000)
        assert wallet.uid == VISITOR_UID and {"EUR", "GIFT"} <= set(wallet.balances)
        assert wallet.desk.refund.isEnabled()
        picture(window, lang, "05-card")
        refund = wallet.desk.open_refund()  # « Rembourser… »
        assert refund is not None
        qtbot.waitExposed(refund)
        picture(refund, lang, "05-refund")
        refund.reject()

        screen = page.closures
        page.show_screen(screen)
        screen.close_button.click()
        wizard = screen.wizard
        assert wizard is not None
        qtbot.waitExposed(wizard)
        wizard.scope_page.scope.setCurrentText("Bar Nord")
        wizard.next()
        qtbot.waitUntil(lambda: wizard.x_page.preview is not None, timeout=10_000)
        picture(wizard, lang, "05-closure-x")
        wizard.next()
        qtbot.keyClicks(wizard.count_page.counted, "9")
        picture(wizard, lang, "05-closure-count")
        with qtbot.waitSignal(wizard.closed, timeout=10_000):
            wizard.next()  # « Clôturer (Z définitif) »
        picture(wizard, lang, "05-closure-done")
        wizard.accept()
        with festival.session() as session:
            z = session.scalars(select(Closure).order_by(Closure.number.desc())).first()
            assert z is not None and (z.scope, z.cash_counted) == ("pos:Bar Nord", 900)
        picture(window, lang, "05-closures")


AFRICA = "MamAfrica 2026"


# -- 6. settlement -----------------------------------------------------------------------------
def test_the_settlement_of_mamastock_reconcile_refunds_split_and_report(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    lang: str,
) -> None:
    with main_window(qtbot, qt_loop, festival) as window:
        invoices = section(window, "invoices")
        assert isinstance(invoices, InvoicesPage)
        editor = invoices.open_editor()  # « Nouvelle facture… »
        qtbot.waitExposed(editor)
        editor.prestation.setCurrentIndex(editor.prestation.findData(STOCK))
        editor.issuer.setCurrentIndex(editor.issuer.findData("CCC"))
        editor.issued_on.setDate(QDate(2026, 7, 15))
        editor.lines.item(0, LABEL).setText("Part de la convention" if lang == "fr" else "Share")
        editor.lines.item(0, UNIT).setText("3150")
        editor.lines.add_line("Cachet TiBillet", "2", "250", 2000, "cachet")
        assert editor.client.currentData() == "Mamasound"  # the prestation's client
        assert editor.issue_button.isEnabled(), editor.problems.text()
        picture(editor, lang, "07-invoice")
        editor.reject()

        page = section(window, "settlement")
        assert isinstance(page, SettlementPage)
        page.choose(STOCK)
        idle(qtbot, page)
        stripe = page.open(StripeScreen)
        idle(qtbot, page)
        stripe.import_report(REPORT)  # Stripe's payout report, read offline
        idle(qtbot, page)
        picture(window, lang, "06-stripe")
        page.open(ReconcileScreen)
        idle(qtbot, page)
        picture(window, lang, "06-reconcile")
        page.open(RefundsScreen)
        idle(qtbot, page)
        picture(window, lang, "06-refunds")
        page.choose(AFRICA)  # the external prestation: a share and a cachet
        idle(qtbot, page)
        split = page.open(SplitScreen)
        idle(qtbot, page)
        assert split.total.text()
        picture(window, lang, "06-split")
        season = page.open(SeasonScreen)  # « Saison »: the year at a glance
        idle(qtbot, page)
        assert season.model.rowCount() == 6  # five prestations of 2026 and the year's total
        picture(window, lang, "06-season")
        page.choose(STOCK)
        idle(qtbot, page)
        report = page.open(ReportScreen)
        idle(qtbot, page)
        assert report.page_labels()
        picture(window, lang, "06-report")


# -- users and roles --------------------------------------------------------------------------
def test_the_login_the_users_and_the_audit_trail(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database, lang: str
) -> None:
    with festival.session() as session:
        add_demo_people(session)  # « regie users demo »: Alice, Bruno, Chloé
    with main_window(qtbot, qt_loop, festival) as window:
        try:
            dialog = window.people.switch_user()  # « Changer d'utilisateur… » (Ctrl+U)
            qtbot.waitExposed(dialog)
            dialog.name.setCurrentText("Alice")
            qtbot.keyClicks(dialog.pin, "111111")
            picture(dialog, lang, "08-login")
            dialog.try_sign_in()
            assert dialog.actor is not None and dialog.actor.role == "admin"
            page = section(window, "people")
            assert isinstance(page, PeoplePage) and page.users is not None
            page.tabs.setCurrentWidget(page.users)
            qtbot.waitUntil(lambda: page.users.table.rowCount() == 3, timeout=5000)
            picture(window, lang, "08-users")
            assert page.trail is not None
            page.tabs.setCurrentWidget(page.trail)
            QApplication.processEvents()
            picture(window, lang, "08-audit")
        finally:
            set_desk_actor(None)


# -- the guide itself --------------------------------------------------------------------------
IMAGE = re.compile(r"!\[[^\]]*\]\((img/(fr|en)/[^)]+\.png)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
PLACEHOLDER = re.compile(r"\\\{\w+\\\}")
MENU_STEP = " › "
# Bold words of the guide that are not on a screen: the guide's own emphasis.
NOT_LABELS = {"fr": set[str](), "en": set[str]()}


CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def guide(lang: str) -> str:
    return (GUIDE / f"{lang}.md").read_text(encoding="utf-8")


def prose(lang: str) -> str:
    """The guide without its commands and code (``**`` in a command is not bold)."""
    return CODE.sub("", guide(lang))


def chapters(text: str) -> list[tuple[str, list[str]]]:
    """Each ``## `` chapter and the picture names it shows, in order."""
    found: list[tuple[str, list[str]]] = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = block.splitlines()[0].strip()
        found.append((title, [Path(m.group(1)).name for m in IMAGE.finditer(block)]))
    return found


def screen_texts(lang: str) -> set[str]:
    """Every text of Régie's catalogues as a person reads it (no ``&``): the French source or
    its English translation."""
    texts: set[str] = set()
    for path in sorted((i18n.LOCALE_DIR / "en").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in ids if lang == "fr" else strings:
                    if text:
                        texts.add(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))
    return texts


def on_screen(label: str, texts: set[str], templates: list[re.Pattern[str]]) -> bool:
    """The label as shown; a field is quoted without its colon (« Portée » for « Portée : »)."""
    if label in texts or f"{label} :" in texts or f"{label}:" in texts:
        return True
    return any(t.fullmatch(label) for t in templates)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_picture_of_the_guide_exists(lang: str) -> None:
    text = guide(lang)
    shown = [m.group(1) for m in IMAGE.finditer(text)]
    assert shown, "the guide shows no picture"
    assert all(m.group(2) == lang for m in IMAGE.finditer(text)), "a picture of the other language"
    missing = [path for path in shown if not (GUIDE / path).is_file()]
    assert not missing, f"pictures the {lang} guide shows but the tests did not take: {missing}"


def test_both_guides_have_the_same_chapters_with_the_same_pictures() -> None:
    french, english = chapters(guide("fr")), chapters(guide("en"))
    assert len(french) == len(english) >= 11, ([t for t, _ in french], [t for t, _ in english])
    for (fr_title, fr_pictures), (en_title, en_pictures) in zip(french, english, strict=True):
        assert fr_pictures == en_pictures, f"« {fr_title} » / “{en_title}”"
    taken = {p.name for p in (GUIDE / "img" / "fr").glob("*.png")}
    used = {name for _title, names in french for name in names}
    assert taken <= used, f"pictures taken but never shown: {sorted(taken - used)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_the_guide_quotes_is_on_screen(lang: str) -> None:
    """**Bold** in the guide is a button, menu, tab or field exactly as Régie shows it; a menu
    path is written « Fichier › Sauvegarder maintenant »."""
    texts = screen_texts(lang)
    templates = [
        re.compile(PLACEHOLDER.sub(".+", re.escape(t))) for t in texts if "{" in t and "}" in t
    ]
    unknown = []
    for match in BOLD.finditer(prose(lang)):
        label = " ".join(match.group(1).split())  # a label may wrap in the text
        if label in NOT_LABELS[lang]:
            continue
        for step in label.split(MENU_STEP):
            if not on_screen(step, texts, templates):
                unknown.append(step)
    assert not unknown, f"labels of the {lang} guide that no screen shows: {unknown}"

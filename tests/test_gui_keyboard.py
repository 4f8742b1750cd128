"""Keyboard only: a loan, a Z and a desk top-up, each done without the mouse.

Every step is a key a person presses (a shortcut, Alt + the underlined letter, Tab, typing,
Enter) sent to the widget that has the focus; the test never clicks nor calls the widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.inventory.models import AssetStatus, Loan
from regie.ledger.desk import balances_of
from regie.ledger.models import Closure
from regie.ui.inventory.page import InventoryPage
from tests.inventory_fixtures import status_of
from tests.test_gui_ledger_support import copy_of, demo_template, open_page
from tests.test_gui_ledger_wallet import richest_card

pytestmark = pytest.mark.gui
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def active(qtbot: QtBot, window: QWidget) -> None:
    """Xvfb has no window manager: ask for the focus until X11 grants it (for shortcuts)."""

    def granted() -> bool:
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(granted, timeout=3000)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(
    qtbot: QtBot, which: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(focused(), which, modifier)


def alt(qtbot: QtBot, letter: Qt.Key, until: Callable[[], object]) -> None:
    """Alt + the underlined letter: the button plays its press (100 ms) then acts."""
    key(qtbot, letter, ALT)
    qtbot.waitUntil(lambda: bool(until()), timeout=10_000)


def type_in(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def modal(qtbot: QtBot) -> QWidget:
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=5000)
    widget = QApplication.activeModalWidget()
    assert widget is not None
    active(qtbot, widget)
    return widget


def test_a_loan_goes_out_with_the_keyboard_only(
    qtbot: QtBot, page: InventoryPage, festival: Database
) -> None:
    page.show_screen(page.loans)
    active(qtbot, page)
    page.loans.setFocus()
    key(qtbot, Qt.Key.Key_N, CTRL)  # « Nouveau prêt »
    wizard = modal(qtbot)
    assert focused().objectName() == "loanBorrower"
    type_in(qtbot, "Mamasound")  # a list answers to the first letters typed
    key(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "loanPrestation"
    key(qtbot, Qt.Key.Key_Tab)
    assert focused().objectName() == "loanDueText"
    key(qtbot, Qt.Key.Key_A, CTRL)
    type_in(qtbot, "demain")
    alt(qtbot, Qt.Key.Key_S, lambda: wizard.currentPage() is wizard.items_page)  # « &Suivant > »
    assert focused().objectName() == "loanScan"
    for tag in ("CCC-V2S-001", "CCC-V2S-002"):
        type_in(qtbot, tag)
        key(qtbot, Qt.Key.Key_Return)
    alt(qtbot, Qt.Key.Key_S, lambda: wizard.currentPage() is wizard.summary_page)
    alt(qtbot, Qt.Key.Key_E, lambda: not wizard.isVisible())  # « &Enregistrer la sortie »
    box = modal(qtbot)
    assert isinstance(box, QMessageBox) and box.text().startswith("Prêt n°")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)
    with festival.session() as session:
        loan = session.scalars(select(Loan).order_by(Loan.id.desc()).limit(1)).one()
        assert loan.due_on == clock.today() + dt.timedelta(days=1)
        assert status_of(session, "CCC-V2S-002") == AssetStatus.OUT


@pytest.fixture
def ledger(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


def test_a_z_is_closed_with_the_keyboard_only(qtbot: QtBot, ledger: Database) -> None:
    page = open_page(qtbot, ledger)
    active(qtbot, page)
    page.tabs.setFocus()
    key(qtbot, Qt.Key.Key_L, ALT)  # « C&lôtures »
    assert page.tabs.currentWidget().findChild(QWidget, "closureTable") is not None
    key(qtbot, Qt.Key.Key_Tab)  # from the tabs into the screen
    with ledger.session() as session:
        before = session.scalar(select(Closure.number).order_by(Closure.number.desc()).limit(1))
    screen = page.closures
    alt(qtbot, Qt.Key.Key_C, lambda: screen.wizard is not None and screen.wizard.isVisible())
    wizard = screen.wizard  # « &Clôturer une caisse ou l'événement… »
    assert wizard is not None
    active(qtbot, wizard)
    assert focused().objectName() == "closureScope"
    key(qtbot, Qt.Key.Key_Home)  # a space would open the list: arrows choose in place
    for _step in range(wizard.scope_page.scope.findText("Bar Nord")):
        key(qtbot, Qt.Key.Key_Down)
    assert wizard.scope_page.scope.currentText() == "Bar Nord"
    alt(qtbot, Qt.Key.Key_S, lambda: wizard.x_page.preview is not None)  # the X first
    alt(qtbot, Qt.Key.Key_S, lambda: wizard.currentPage() is wizard.count_page)
    assert focused().objectName() == "closureCounted"
    type_in(qtbot, "0,00")  # nothing sold since its last Z: an empty drawer
    alt(qtbot, Qt.Key.Key_C, lambda: "enregistré" in wizard.result_page.text.text())
    key(qtbot, Qt.Key.Key_Return)  # « Terminer »
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=3000)
    with ledger.session() as session:
        z = session.scalars(select(Closure).order_by(Closure.number.desc()).limit(1)).one()
    assert (z.number, z.scope, z.cash_counted) == ((before or 0) + 1, "pos:Bar Nord", 0)


def test_a_desk_top_up_is_made_with_the_keyboard_only(qtbot: QtBot, ledger: Database) -> None:
    uid, balances, _transfers = richest_card(ledger)
    page = open_page(qtbot, ledger)
    active(qtbot, page)
    page.tabs.setFocus()
    key(qtbot, Qt.Key.Key_R, ALT)  # « Ca&rte »
    key(qtbot, Qt.Key.Key_Tab)  # from the tabs into the screen
    assert focused().objectName() == "walletUid"
    type_in(qtbot, uid)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.wallet.desk.topup.isEnabled(), timeout=10_000)
    alt(qtbot, Qt.Key.Key_E, lambda: QApplication.activeModalWidget() is not None)
    dialog = modal(qtbot)  # « Recharger en &espèces… »
    assert focused().objectName() == "topUpAmount"
    type_in(qtbot, "12,50")
    key(qtbot, Qt.Key.Key_Return)
    box = modal(qtbot)
    assert isinstance(box, QMessageBox) and box is not dialog
    key(qtbot, Qt.Key.Key_R, ALT)  # « &Recharger »
    qtbot.waitUntil(
        lambda: (
            isinstance(QApplication.activeModalWidget(), QMessageBox)
            and QApplication.activeModalWidget() is not box
        ),
        timeout=10_000,
    )
    done = modal(qtbot)
    key(qtbot, Qt.Key.Key_Return)  # « Fermer »
    qtbot.waitUntil(lambda: not done.isVisible(), timeout=3000)
    with ledger.session() as session:
        # 12,50 € of cash top-up on what the card held: balance + 1 250 cents
        assert balances_of(session, uid)["EUR"] == balances["EUR"] + 1250

"""The office desk in the wallet view: cash top-up, correction and cash refund of a card, in
real windows on a copy of the demo festival."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from regie import clock
from regie.cards.models import Card
from regie.cards.states import block_card
from regie.db import Database
from regie.ledger.desk import balances_of, cash_topup
from regie.money import format_money as money
from regie.people.actor import set_desk_actor, sign_in
from regie.people.demo import add_demo_people
from regie.settings.convention import set_setting
from regie.ui.ledger.desk_dialogs import DeskDialog
from regie.ui.ledger.page import LedgerPage
from regie.ui.ledger.wallet_screen import WalletScreen
from tests.test_gui_ledger_support import (
    copy_of,
    demo_template,
    idle,
    message_box,
    open_page,
    press,
    shoot,
    transfer_count,
)
from tests.test_gui_ledger_wallet import richest_card

pytestmark = pytest.mark.gui


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()
    set_desk_actor(None)


def wallet_of(qtbot: QtBot, db: Database, uid: str) -> tuple[LedgerPage, WalletScreen]:
    """The ledger page on the wallet of the card whose UID was typed."""
    page = open_page(qtbot, db)
    page.show_screen(page.wallet)
    screen = page.wallet
    desk = screen.desk
    assert not any(b.isEnabled() for b in (desk.topup, desk.refund, desk.correct))  # no card yet
    qtbot.keyClicks(screen.uid_field, uid)
    qtbot.keyClick(screen.uid_field, Qt.Key.Key_Return)
    idle(qtbot, screen.model)
    assert screen.heading.text() == f"Carte {uid}"
    return page, screen


def opened(qtbot: QtBot, screen: WalletScreen, button_name: str) -> DeskDialog:
    button = screen.desk.findChild(QPushButton, button_name)
    assert button is not None and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = screen.desk.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def tile_text(screen: WalletScreen, code: str) -> str:
    tiles = [screen.tiles.itemAt(n).widget() for n in range(screen.tiles.count())]
    tile = next(t for t in tiles if t.objectName() == f"walletBalance-{code}")
    assert isinstance(tile, QLabel)
    return tile.text()


def first_encoded_card(db: Database) -> tuple[str, str]:
    """The printed number and chip UID of the demo's first encoded card."""
    with db.session() as session:
        number, uid = session.execute(
            select(Card.number, Card.uid).where(Card.uid.is_not(None)).order_by(Card.id).limit(1)
        ).one()
    return number, uid


def save(widget: object, artifacts: Path, name: str) -> None:
    assert isinstance(widget, DeskDialog | QMessageBox)
    QApplication.processEvents()
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert widget.grab().save(str(screens / f"desk-{name}.png"))


def test_a_cash_top_up_of_12_50_shows_the_new_balance_and_a_transfer_row(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    uid, balances, transfers = richest_card(festival)
    page, screen = wallet_of(qtbot, festival, uid)
    journal = page.journal  # built when the page opened, on its first tab
    idle(qtbot, journal.model)
    journal_total = journal.model.total
    dialog = opened(qtbot, screen, "deskTopUpButton")
    assert dialog.windowTitle() == "Recharge en espèces"
    qtbot.keyClicks(dialog.findChild(QLineEdit, "topUpAmount"), "12,50")
    save(dialog, artifacts, "topup")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.text() == f"Recharger 12,50\xa0€ en espèces sur la carte {uid} ?"
    save(box, artifacts, "topup-confirm")
    press(box, "Recharger")
    done = message_box(qtbot)
    new_balance = balances["EUR"] + 1250
    assert done.text() == f"Chargé sur la carte {uid} : 12,50\xa0€."
    save(done, artifacts, "topup-done")
    press(done, "Fermer")
    idle(qtbot, screen.model)
    assert screen.balances["EUR"] == new_balance
    assert f"{new_balance // 100},{new_balance % 100:02d}" in tile_text(screen, "EUR")
    assert screen.model.total == transfers + 1
    newest = screen.model.row_at(0)
    assert newest is not None
    assert (newest.op, newest.method, newest.amount, newest.credit) == (
        "topup",
        "cash",
        1250,
        f"wallet:{uid}",
    )
    assert screen.history_title.text().endswith(f"({transfers + 1})")
    shoot(page, artifacts, "wallet-after-topup")
    # The journal learns of it: shown again, it reads the new transfer.
    page.show_screen(journal)
    idle(qtbot, journal.model)
    assert journal.model.total == journal_total + 1


def test_a_printed_number_opens_the_chip_wallet_and_takes_a_top_up(
    qtbot: QtBot, festival: Database
) -> None:
    number, uid = first_encoded_card(festival)
    page = open_page(qtbot, festival)
    page.show_screen(page.wallet)
    screen = page.wallet
    qtbot.keyClicks(screen.uid_field, number.lower())
    qtbot.keyClick(screen.uid_field, Qt.Key.Key_Return)
    idle(qtbot, screen.model)
    assert screen.heading.text() == f"Carte {uid}" and screen.uid_field.text() == uid
    assert screen.balances == {} and screen.desk.topup.isEnabled()
    dialog = opened(qtbot, screen, "deskTopUpButton")
    dialog.findChild(QLineEdit, "topUpAmount").setText("5")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "Recharger")
    press(message_box(qtbot), "Fermer")
    idle(qtbot, screen.model)
    assert screen.balances == {"EUR": 500} and screen.model.total == 1


def test_a_blocked_card_takes_no_top_up_and_the_window_says_why(
    qtbot: QtBot, festival: Database
) -> None:
    number, uid = first_encoded_card(festival)
    with festival.session() as session:
        block_card(session, uid, reason="volée au bar")
        balances = balances_of(session, uid)
    _page, screen = wallet_of(qtbot, festival, uid)
    transfers = screen.model.total
    dialog = opened(qtbot, screen, "deskTopUpButton")
    dialog.findChild(QLineEdit, "topUpAmount").setText("5")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "Recharger")
    refused = message_box(qtbot)
    assert refused.text() == (
        f"la carte {number} est bloquée : les terminaux la refusent, rien n'y est chargé"
    )
    press(refused, "Fermer")
    dialog.reject()
    with festival.session() as session:
        assert balances_of(session, uid) == balances
    assert screen.model.total == transfers


def test_a_correction_without_a_reason_is_refused_and_nothing_is_written(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    uid, balances, _transfers = richest_card(festival)
    page, screen = wallet_of(qtbot, festival, uid)
    before = transfer_count(festival)
    dialog = opened(qtbot, screen, "deskCorrectButton")
    amount_field = dialog.findChild(QLineEdit, "correctionAmount")
    reason = dialog.findChild(QLineEdit, "correctionReason")
    qtbot.keyClicks(amount_field, "5")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    refused = message_box(qtbot)
    assert refused.text() == "une correction demande un motif"
    save(refused, artifacts, "correction-refused")
    press(refused, "Fermer")
    amount_field.setText("0")
    qtbot.keyClicks(reason, "badge offert par erreur")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    refused = message_box(qtbot)
    assert refused.text() == "une correction de 0 ne change rien"
    press(refused, "Fermer")
    assert transfer_count(festival) == before and dialog.isVisible()
    # A removal with its reason goes through, once confirmed.
    amount_field.setText("2,00")
    dialog.remove.setChecked(True)
    save(dialog, artifacts, "correction")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.text() == (f"Retirer 2,00\xa0€ de la carte {uid} ?\nMotif : badge offert par erreur")
    save(box, artifacts, "correction-confirm")
    press(box, "Corriger")
    press(message_box(qtbot), "Fermer")
    idle(qtbot, screen.model)
    assert transfer_count(festival) == before + 1
    assert screen.balances["EUR"] == balances["EUR"] - 200
    newest = screen.model.row_at(0)
    assert newest is not None
    assert (newest.op, newest.details, newest.debit) == (
        "correction",
        "badge offert par erreur",
        f"wallet:{uid}",
    )
    shoot(page, artifacts, "wallet-after-correction")


def test_a_refund_hands_back_the_euros_less_the_fee_and_keeps_the_gift(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    uid, _balances, _transfers = richest_card(festival)
    with festival.session() as session:
        set_setting(session, "refund_fee_cents", "1,00", clock.today() - dt.timedelta(days=1))
        cash_topup(session, uid, 750, asset="GIFT")
        held = balances_of(session, uid)
    assert held["EUR"] > 100 and held["GIFT"] >= 750
    refundable = sum(cents for code, cents in held.items() if code != "GIFT")
    cash = refundable - 100
    page, screen = wallet_of(qtbot, festival, uid)
    dialog = opened(qtbot, screen, "deskRefundButton")

    def shown(name: str) -> str:
        label = dialog.findChild(QLabel, name)
        assert label is not None
        return label.text()

    assert shown("refundFee") == "-1,00\xa0€"
    assert shown("refundCash") == money(cash)
    assert shown("refundKept") == f"{held['GIFT'] // 100},{held['GIFT'] % 100:02d}\xa0GIFT"
    assert "frais 1,00\xa0€ par carte" in shown("refundRules")
    assert not dialog.refusal.isVisible()
    save(dialog, artifacts, "refund")
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    box = message_box(qtbot)
    assert box.text().startswith(f"Rendre {money(cash)} en espèces ?")
    save(box, artifacts, "refund-confirm")
    press(box, "Rendre")
    done = message_box(qtbot)
    assert done.text() == f"Carte {uid} remboursée : rendez {money(cash)} en espèces."
    assert "Frais retenus : 1,00\xa0€." in done.informativeText()
    save(done, artifacts, "refund-done")
    press(done, "Fermer")
    idle(qtbot, screen.model)
    assert screen.balances == {"GIFT": held["GIFT"]}
    on_screen = [
        tile.objectName()
        for tile in screen.findChildren(QLabel)
        if tile.objectName().startswith("walletBalance-") and tile.isVisible()
    ]
    assert on_screen == ["walletBalance-GIFT"]  # the euro tile is gone at once
    shoot(page, artifacts, "wallet-after-refund")
    # Nothing left to hand back: the window says why and offers no refund.
    dialog = opened(qtbot, screen, "deskRefundButton")
    assert not dialog.go.isEnabled()
    assert dialog.refusal.text() == "Rien de remboursable sur cette carte."
    save(dialog, artifacts, "refund-nothing")
    dialog.reject()
    # Half a euro left, under the convention's minimum of one euro: said, and not offered.
    with festival.session() as session:
        cash_topup(session, uid, 50)
    screen.refresh()
    dialog = opened(qtbot, screen, "deskRefundButton")
    assert not dialog.go.isEnabled()
    assert dialog.refusal.text() == (
        "Sous le minimum de remboursement : 0,50\xa0€ remboursables, frais 1,00\xa0€, "
        "minimum 1,00\xa0€."
    )
    save(dialog, artifacts, "refund-below-minimum")
    dialog.reject()


def test_a_double_accept_posts_once(qtbot: QtBot, festival: Database) -> None:
    uid, balances, _transfers = richest_card(festival)
    _page, screen = wallet_of(qtbot, festival, uid)
    before = transfer_count(festival)
    dialog = opened(qtbot, screen, "deskTopUpButton")
    dialog.findChild(QLineEdit, "topUpAmount").setText("5")
    # Two clicks on « Recharger… », each answered « Recharger »: the second box was already up.
    dialog.ask()
    first = message_box(qtbot)
    dialog.ask()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not first, timeout=3000)
    second = message_box(qtbot)
    press(second, "Recharger")
    press(first, "Recharger")
    # A retry of the same window (its key and moment) replays the first posting.
    replayed = dialog.replay()
    assert replayed.uid == uid
    assert transfer_count(festival) == before + 1
    with festival.session() as session:
        assert balances_of(session, uid)["EUR"] == balances["EUR"] + 500
    press(message_box(qtbot), "Fermer")


def test_an_operator_can_top_up_but_not_refund_or_correct_and_is_told_why(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    uid, balances, _transfers = richest_card(festival)
    with festival.session() as session:
        add_demo_people(session)
    set_desk_actor(sign_in(festival, "Chloé", "3333"))
    page, screen = wallet_of(qtbot, festival, uid)
    refund = screen.desk.refund
    why = "Chloé (opérateur) ne peut pas rembourser : il faut être responsable ou administrateur."
    assert not refund.isEnabled() and refund.toolTip() == why
    correct = screen.desk.correct
    assert not correct.isEnabled() and correct.toolTip() == (
        "Chloé (opérateur) ne peut pas corriger le solde d'une carte : "
        "il faut être responsable ou administrateur."
    )
    assert screen.desk.topup.isEnabled()
    shoot(page, artifacts, "wallet-operator")
    # Even if the window were opened, the core refuses: a message, no traceback, nothing written.
    before = transfer_count(festival)
    dialog = screen.desk.open_refund()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.write()
    refused = message_box(qtbot)
    assert refused.text() == why
    press(refused, "Fermer")
    dialog.reject()
    assert transfer_count(festival) == before
    with festival.session() as session:
        assert balances_of(session, uid) == balances
    # A manager at the keyboard: the button comes back with the next card shown.
    set_desk_actor(sign_in(festival, "Bruno", "222222"))
    screen.refresh()
    assert refund.isEnabled() and refund.toolTip() == ""
    assert correct.isEnabled() and correct.toolTip() == ""


@pytest.mark.usefixtures("english")
def test_the_desk_speaks_english(qtbot: QtBot, festival: Database, artifacts: Path) -> None:
    uid, _balances, _transfers = richest_card(festival)
    page = open_page(qtbot, festival)
    page.show_screen(page.wallet)
    screen = page.wallet
    screen.uid_field.setText(uid)
    screen.show_typed()
    idle(qtbot, screen.model)
    desk = screen.desk
    assert [b.text() for b in (desk.topup, desk.refund, desk.correct)] == [
        "Cash &top-up…",
        "&Refund…",
        "C&orrect…",
    ]
    dialog = opened(qtbot, screen, "deskRefundButton")
    assert dialog.windowTitle() == "Cash refund" and dialog.go.text() == "&Refund…"
    save(dialog, artifacts, "refund-english")
    dialog.reject()
    dialog = opened(qtbot, screen, "deskCorrectButton")
    assert dialog.windowTitle() == "Balance correction"
    save(dialog, artifacts, "correction-english")
    dialog.reject()

"""Stripe from the settlement screens, against the real localstripe: the key said missing then
saved in the keyring, a synchronisation with its progress bar, mismatches resolved one by
one and all at once, leftover balances previewed and refunded with a progress bar, paused
and resumed, and a run killed in the middle resumed without refunding twice. The offline
path: Stripe's payout report (CSV), a bad file refused by line and column."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from regie import clock
from regie.db import Database
from regie.inventory.register import add_prestation
from regie.ledger.desk import balances_of
from regie.money import format_money
from regie.settlement.events import window_of
from regie.settlement.refund_plan import preview, rules_for
from regie.settlement.refunds import plan_run
from regie.settlement.stripe_sync import sync_stripe
from regie.stripe_key import set_stripe_secret_key
from regie.ui.settlement.page import SettlementPage
from regie.ui.settlement.reconcile_screen import ReconcileScreen
from regie.ui.settlement.refunds_screen import RefundsScreen
from regie.ui.settlement.stripe_screen import StripeScreen
from tests.ledger_fixtures import import_file, topup, write_lines
from tests.rig.services import LOCALSTRIPE_API_KEY, REPO_ROOT, LocalStripe
from tests.test_gui_ledger_support import message_box, press
from tests.test_gui_settlement_support import demo, file_keyring, idle, open_settlement, shoot
from tests.test_stripe_localstripe import flush, stripe_refunds

pytestmark = [pytest.mark.gui, pytest.mark.stripe]
__all__ = ["demo", "file_keyring"]
KEY = LOCALSTRIPE_API_KEY
AUTUMN = "Nuit d'automne"
CARDS = [f"04BB{n:010X}" for n in range(1, 7)]
REPORT = Path(__file__).parent / "data" / "stripe" / "payout_reconciliation_itemized.csv"


def pay(amount: int, card: str = "") -> str:
    """A top-up paid at a card reader; its metadata names the card (or not)."""
    metadata = {"card_uid": card} if card else {}
    intent = stripe.PaymentIntent.create(
        api_key=KEY,
        amount=amount,
        currency="eur",
        payment_method="pm_card_visa",
        confirm=True,
        metadata=metadata,
    )
    return str(intent.id)


@pytest.fixture
def autumn(
    demo: Database,
    localstripe: LocalStripe,
    stripe_api: None,
    file_keyring: Path,
    tmp_path: Path,
) -> Iterator[Database]:
    """The demo, and a prestation that ended two days ago: six cards topped up at the card
    readers (two of them twice), each having spent 5 €; the refund window is open."""
    flush(localstripe)
    today = clock.today()
    with demo.session() as session:
        add_prestation(
            session,
            AUTUMN,
            "Mamasound",
            today - dt.timedelta(days=4),
            today - dt.timedelta(days=2),
            "Montpellier, Rockstore",
        )
    night = today - dt.timedelta(days=3)
    lines: list[dict[str, Any]] = []
    for index, card in enumerate(CARDS):
        for amount in (2000, 1000) if index < 2 else (3000,):
            line = topup(len(lines) + 1, card, amount, pay="stripe_terminal")
            line["payment_intent"] = pay(amount, card)
            lines.append(line)
        lines.append(
            {
                **topup(len(lines) + 1, card, 500),
                "op": "sale",
                "pay": "cashless",
                "pos": "Bar Nord",
                "lines": [{"product": "Bière 25cl", "qty": 1, "unit": 500, "vat": 2000}],
            }
        )
    for seq, line in enumerate(lines, 1):
        line.update(
            terminal="SUNMI-AUTOMNE-01",
            seq=seq,
            at=f"{night.isoformat()}T{20 + seq // 60:02d}:{seq % 60:02d}:00+01:00",
        )
    import_file(demo, write_lines(tmp_path / "automne.jsonl", lines))
    yield demo


def keyed(db: Database) -> None:
    """The key in the keyring and Stripe read, as the Stripe tab leaves them."""
    set_stripe_secret_key(KEY)
    sync_stripe(db, KEY)


def test_sync_from_localstripe_then_mismatches_resolved_one_by_one_and_all_at_once(
    qtbot: QtBot, autumn: Database, file_keyring: Path, artifacts: Path
) -> None:
    stray = pay(4200, CARDS[0])  # paid at Stripe, the terminal's journal lost it
    anonymous = pay(1500)  # and one whose metadata names no card
    page = open_settlement(qtbot, autumn, AUTUMN)
    screen = page.open(StripeScreen)
    idle(qtbot, page)
    assert screen.key_status.text().startswith("Aucune clé Stripe enregistrée")
    shoot(page, artifacts, "2-stripe-no-key")
    screen.sync_button.click()
    idle(qtbot, page)
    assert screen.sync_status.text().startswith("aucune clé Stripe enregistrée")

    qtbot.keyClicks(screen.key_field, KEY)
    screen.key_save.click()
    idle(qtbot, page)
    assert (
        screen.key_status.text()
        == "Clé enregistrée : sk_test_…2345 (dans le trousseau du système)."
    )
    assert screen.key_field.text() == "" and KEY in file_keyring.read_text()
    screen.sync_button.click()
    task = screen.task
    assert task is not None and screen.cancel_button.isEnabled()
    # « Annuler la synchronisation » as if pressed while the payments are being read.
    task.progressed.connect(lambda _step, _n: task.cancel(), Qt.ConnectionType.DirectConnection)
    idle(qtbot, page)
    assert screen.sync_status.text() == "synchronisation annulée : rien n'a été enregistré"
    assert screen.last.text() == "Stripe n'a encore jamais été lu pour cette base."

    steps: list[int] = []
    screen.progress.valueChanged.connect(steps.append)
    screen.sync_button.click()
    assert screen.cancel_button.isEnabled() and not screen.sync_button.isEnabled()
    idle(qtbot, page)
    assert screen.sync_status.text().startswith("Stripe lu : 10 paiements, 10 débits")
    assert steps == sorted(steps) and steps[-1] == screen.progress.maximum()
    assert screen.progress.format() == "Terminé"
    assert screen.last.text().startswith("Dernière lecture de Stripe : ")
    shoot(page, artifacts, "2-stripe")

    reconcile = page.open(ReconcileScreen)
    idle(qtbot, page)
    found = reconcile.model.rows()
    assert {m.reference for m in found} == {stray, anonymous}
    assert reconcile.verdict.text() == (
        "2 écarts à régler : payé chez Stripe, absent du grand livre : 2."
    )
    assert reconcile.figures["matched"].text() == f"8 ({format_money(6 * 3000)})"
    shoot(page, artifacts, "1-reconcile")
    reconcile.table.selectRow(next(n for n, m in enumerate(found) if m.reference == anonymous))
    assert reconcile.card.isEnabled()
    qtbot.keyClicks(reconcile.card, CARDS[1].lower())
    reconcile.resolve_button.click()
    box = message_box(qtbot)
    assert f"recharge de 15,00\xa0€ sur la carte {CARDS[1]}" in box.text()
    press(box, "Passer l'écriture")
    idle(qtbot, page)
    assert [m.reference for m in reconcile.model.rows()] == [stray]
    with autumn.session() as session:
        assert balances_of(session, CARDS[1])["EUR"] == 3000 - 500 + 1500

    reconcile.resolve_all_button.click()
    box = message_box(qtbot)
    assert box.text().startswith("Passer 1 écriture au grand livre :")
    press(box, "Tout régler")
    idle(qtbot, page)
    assert reconcile.model.rowCount() == 0
    assert reconcile.verdict.text() == "Aucun écart : Stripe et le grand livre concordent."
    with autumn.session() as session:
        assert balances_of(session, CARDS[0])["EUR"] == 3000 - 500 + 4200
    shoot(page, artifacts, "1-reconcile-resolved")

    screen = page.open(StripeScreen)
    idle(qtbot, page)
    screen.key_clear.click()
    box = message_box(qtbot)
    assert box.defaultButton().text() == "Annuler"  # Enter keeps the key
    press(box, "Oublier la clé")
    idle(qtbot, page)
    assert screen.key_status.text().startswith("Aucune clé Stripe enregistrée")
    assert KEY not in file_keyring.read_text() and not screen.key_clear.isEnabled()


def refunds_tab(qtbot: QtBot, page: SettlementPage) -> RefundsScreen:
    screen = page.open(RefundsScreen)
    idle(qtbot, page)
    return screen


def test_leftover_balances_are_previewed_refunded_paused_and_resumed(
    qtbot: QtBot, autumn: Database, artifacts: Path
) -> None:
    keyed(autumn)
    page = open_settlement(qtbot, autumn, AUTUMN)
    screen = refunds_tab(qtbot, page)
    assert screen.rules.text().endswith(": ouverte.")
    assert screen.summary.text().startswith(
        f"Aperçu : 6 cartes, 8 remboursements Stripe, {format_money(15000)} rendus"
    )
    assert screen.model.rowCount() == 8 and not screen.resume_button.isVisible()
    shoot(page, artifacts, "3-refunds-preview")
    screen.run_button.click()
    box = message_box(qtbot)
    assert f"Envoyer 8 remboursements Stripe à 6 cartes, {format_money(15000)}" in box.text()
    press(box, "Rembourser")
    task = screen.task
    assert task is not None and screen.pause_button.isEnabled()
    # « Mettre en pause » as if pressed right after the third refund (in the worker, at once).
    task.progressed.connect(
        lambda done, _total: done == 3 and task.cancel(), Qt.ConnectionType.DirectConnection
    )
    idle(qtbot, page)
    assert screen.outcome.text().startswith("Série n°1 en pause : 3 remboursements")
    assert screen.outcome.text().endswith("0 refusé, 5 restants.")
    assert screen.banner.text().startswith(
        "Série n°1 interrompue : 3 remboursés, 0 en suspens, 5 à envoyer, 0 refusé."
    )
    assert screen.resume_button.isVisible() and screen.resume_button.text() == (
        "Repr&endre la série n°1"
    )
    assert not screen.run_button.isEnabled()  # one run at a time: resume it first
    assert len(stripe_refunds()) == 3
    shoot(page, artifacts, "3-refunds-paused")

    seen: list[int] = []
    screen.progress.valueChanged.connect(seen.append)
    screen.resume_button.click()
    idle(qtbot, page)
    assert screen.outcome.text() == (
        f"Série n°1 terminée : 8 remboursements ({format_money(15000)}, frais "
        f"{format_money(0)}), 0 refusé, 0 restant."
    )
    assert seen[-1] == screen.progress.maximum() == 8 and seen == sorted(seen)
    assert not screen.resume_button.isVisible() and screen.banner.text() == ""
    assert {row.state for row in screen.model.rows()} == {"done"}
    assert all(row.refund_id.startswith("re_") for row in screen.model.rows())
    refunds = stripe_refunds()
    assert len({r.metadata["regie_item"] for r in refunds}) == len(refunds) == 8
    assert sum(r.amount for r in refunds) == 15000
    with autumn.session() as session:
        assert all(balances_of(session, card) == {} for card in CARDS)
    shoot(page, artifacts, "3-refunds-done")


def test_a_run_killed_mid_way_is_resumed_from_the_screen_without_refunding_twice(
    qtbot: QtBot, autumn: Database, localstripe: LocalStripe, artifacts: Path
) -> None:
    keyed(autumn)
    with autumn.session() as session:
        rules = rules_for(session, AUTUMN)
        run = plan_run(session, preview(session, rules, window_of(session, AUTUMN)), AUTUMN)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.rig.services import configure_stripe; configure_stripe(sys.argv[2]);"
        "from regie.db import Database; from regie.settlement.refunds import run_refunds;"
        "run_refunds(Database(sys.argv[3]), int(sys.argv[4]), sys.argv[5])"
    )
    killed = subprocess.run(
        [sys.executable, "-c", code, str(REPO_ROOT), localstripe.url, autumn.url, str(run), KEY],
        env={**os.environ, "REGIE_CRASH_AT": "refunds:sent"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 70, killed.stderr  # killed right after Stripe refunded item 1
    assert len(stripe_refunds()) == 1
    page = open_settlement(qtbot, autumn, AUTUMN)
    screen = refunds_tab(qtbot, page)
    assert screen.banner.text().startswith(
        f"Série n°{run} interrompue : 0 remboursé, 1 en suspens, 7 à envoyer"
    )
    assert screen.model.row_at(0).state == "reserved"
    shoot(page, artifacts, "3-refunds-interrupted")
    screen.resume_button.click()
    idle(qtbot, page)
    assert screen.outcome.text().startswith(f"Série n°{run} terminée : 8 remboursements")
    refunds = stripe_refunds()
    assert sorted(r.metadata["regie_item"] for r in refunds) == [
        f"{run}-{n}" for n in range(1, 9)
    ], "a refund sent twice, or lost"
    assert sum(r.amount for r in refunds) == 15000


def test_the_payout_report_is_imported_offline_and_reconciled(
    qtbot: QtBot, demo: Database, file_keyring: Path, tmp_path: Path, artifacts: Path
) -> None:
    page = open_settlement(qtbot, demo)
    screen = page.open(StripeScreen)
    idle(qtbot, page)
    broken = tmp_path / "rapport-abime.csv"
    rows = REPORT.read_text().splitlines()
    broken.write_text("\n".join([rows[0], rows[1].replace(",20.00,", ",20.0O,"), *rows[2:]]))
    screen.import_report(broken)
    idle(qtbot, page)
    assert screen.report_status.text().startswith(f"{broken}, ligne 2, colonne gross")
    assert screen.report_status.text().endswith("Rien n'a été importé.")
    shoot(page, artifacts, "2-stripe-report-rejected")
    screen.import_report(REPORT)
    idle(qtbot, page)
    assert screen.report_status.text() == (
        f"{REPORT.name} : 4 lignes, 3 paiements, 1 remboursement, 1 virement, "
        f"frais {format_money(170)}."
    )
    assert "(rapport CSV)" in screen.last.text()
    shoot(page, artifacts, "2-stripe-report")

    reconcile = page.open(ReconcileScreen)
    idle(qtbot, page)
    kinds = reconcile.found.by_kind() if reconcile.found else {}
    assert (kinds["missing_in_ledger"], kinds["fee_unbooked"], kinds["payout_unbooked"]) == (
        3,
        3,
        1,
    )
    assert kinds["missing_in_stripe"] > 0  # the demo's top-ups were never sent to Stripe
    reconcile.resolve_all_button.click()
    press(message_box(qtbot), "Tout régler")
    idle(qtbot, page)
    kinds = reconcile.found.by_kind() if reconcile.found else {}
    assert "fee_unbooked" not in kinds and "payout_unbooked" not in kinds
    assert "missing_in_ledger" not in kinds
    assert reconcile.figures["fees"].text() == (
        f"{format_money(170)} (comptabilisés {format_money(170)})"
    )
    with demo.session() as session:
        assert balances_of(session, "04A1B2C3D4E501")["EUR"] == 2000
    shoot(page, artifacts, "1-reconcile-report")
    assert json.dumps(kinds)  # what is left is listed by kind, for the office to settle

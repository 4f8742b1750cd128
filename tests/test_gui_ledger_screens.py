"""The ledger screens on the demo festival: the closure wizard, balances, melting, the
clearing statement, exports and « Vérifier le journal »."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from regie import clock
from regie.db import Database
from regie.ledger.clearing import statement
from regie.ledger.journal_import import import_journals
from regie.ledger.melting import preview
from regie.ledger.models import Account, Balance, Closure, LedgerAsset, PointOfSale, Transfer
from regie.models import Organisation
from regie.ui.ledger.page import LedgerPage
from tests.ledger_fixtures import sale, tamper, write_lines
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
from tests.test_season_statement_pdf import pdf_text

pytestmark = pytest.mark.gui


CARD = "0400000000012A"  # 5,50 € of local euros in the demo


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def page(qtbot: QtBot, festival: Database) -> LedgerPage:
    return open_page(qtbot, festival)


def after_the_z(db: Database, tmp_path: Path) -> None:
    """Bar Nord sells on after its Z: 7,50 € in cash, 3,50 € paid by card 0400000000012A."""
    journal = write_lines(
        tmp_path / "bar-nord-dimanche.jsonl",
        [
            {**sale(1, CARD, 450), "pay": "cash"},
            {**sale(2, CARD, 300), "pay": "cash"},
            sale(3, CARD, 350),
        ],
    )
    with db.session() as session:
        import_journals(session, [journal])


def test_the_closure_wizard_closes_a_z_with_a_cash_count_and_shows_the_difference(
    qtbot: QtBot, page: LedgerPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    after_the_z(festival, tmp_path)
    page.show_screen(page.closures)
    screen = page.closures
    # the season's Z: 6 for MamAfrica 2025, 7 for MamAfrica 2026, 9 for MamaStock (tills that
    # sold, then the event's own): 22
    assert screen.model.rowCount() == 22 and screen.model.index(0, 0).data() == "22"
    shoot(page, artifacts, "closures-before")
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    wizard = screen.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    wizard.scope_page.scope.setCurrentText("Bar Nord")
    # Bar Nord comes first in each event's tills: its Z are n°1, n°7 (6 + 1), n°14 (13 + 1)
    assert wizard.scope_page.last.text().startswith("Dernier Z de cette portée : n°14 du ")
    shoot(wizard, artifacts, "closure-1-scope")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.x_page.preview is not None, timeout=10_000)
    x = wizard.x_page
    assert "Ventes nettes : 11,00\xa0€" in x.state.text()
    rows = [tuple(x.figures.index(r, c).data() for c in range(5)) for r in range(2)]
    assert rows == [
        ("Vente", "Espèces", "EUR", "2", "7,50\xa0€"),
        ("Vente", "Cashless", "EUR", "1", "3,50\xa0€"),
    ]
    shoot(wizard, artifacts, "closure-2-x")
    wizard.next()
    count = wizard.count_page
    assert "Attendu dans le tiroir : 7,50\xa0€" in count.expected.text()
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    qtbot.keyClicks(count.counted, "9,x")
    assert not commit.isEnabled()  # an unreadable count cannot close a Z
    count.counted.clear()
    qtbot.keyClicks(count.counted, "9,00")  # euros typed, cents stored
    assert count.difference.text() == "+1,50\xa0€ (excédent)"
    assert commit.isEnabled() and commit.text() == "&Clôturer (Z définitif)"
    shoot(wizard, artifacts, "closure-3-count")
    with qtbot.waitSignal(wizard.closed, timeout=10_000) as closed:
        qtbot.mouseClick(commit, Qt.MouseButton.LeftButton)
    result = closed.args[0]
    assert (result.number, result.cash_expected, result.cash_counted) == (23, 750, 900)
    text = wizard.result_page.text.text()
    assert "Z n°23</b> enregistré : Bar Nord" in text
    assert "Écart : +1,50\xa0€ (excédent)</b>" in text
    head = f"empreinte {result.chain_head[:16]}…"  # a short fingerprint, named as such
    assert f"Tête de chaîne : {head} · signé par la clé {result.key}" in text
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    shoot(wizard, artifacts, "closure-4-z")
    printer = wizard.result_page.ticket
    assert printer.isVisible() and printer.paper.currentData() == "80mm"
    with qtbot.waitSignal(printer.saved, timeout=10_000):
        printer.save(tmp_path / "z23.pdf")
    ticket = pdf_text(tmp_path / "z23.pdf")
    # Bar Nord since its Z n°14: 450 + 300 in cash, 350 cashless; the drawer: expected
    # 0 + 750 = 750, counted 900, so +150 booked as a cash difference.
    assert "TICKET Z n°23 Collectif Mamasound Bar Nord" in ticket
    assert "Vente · Espèces (2 op.) 7,50 € Vente · Cashless (1 op.) 3,50 €" in ticket
    assert "Attendu dans le tiroir 7,50 € Compté 9,00 € Écart 1,50 €" in ticket
    assert f"Signature : valide (clé {result.key})" in ticket
    with festival.session() as session:
        z = session.scalars(select(Closure).where(Closure.number == 23)).one()
        assert (z.scope, z.cash_counted, z.cash_expected) == ("pos:Bar Nord", 900, 750)
        assert session.scalar(select(Transfer.amount).where(Transfer.op == "cash_diff")) == 150
    wizard.accept()
    top = [screen.model.index(0, c).data() for c in range(11)]
    assert top[0] == "23" and top[1] == "Bar Nord" and top[-2:] == ["9,00\xa0€", "+1,50\xa0€"]
    assert not screen.ticket.button.isEnabled()  # no Z chosen yet
    screen.table.selectRow(1)  # n°22: MamaStock's own Z, an event's (no drawer)
    assert screen.ticket.button.isEnabled()
    screen.ticket.paper.setCurrentIndex(screen.ticket.paper.findData("a4"))
    with qtbot.waitSignal(screen.ticket.saved, timeout=10_000):
        screen.ticket.save(tmp_path / "z22.pdf")
    assert screen.ticket.status.text() == f"Ticket enregistré : {tmp_path / 'z22.pdf'}"
    ticket = pdf_text(tmp_path / "z22.pdf")
    assert "TICKET Z n°22" in ticket and "Attendu dans le tiroir" not in ticket
    shoot(page, artifacts, "closures")


def test_the_event_z_takes_no_cash_count(
    qtbot: QtBot, page: LedgerPage, festival: Database
) -> None:
    page.show_screen(page.closures)
    wizard = page.closures.open_wizard()
    assert wizard is not None
    wizard.scope_page.scope.setCurrentText("Tout l'événement")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.x_page.preview is not None, timeout=10_000)
    # the demo closes each event's own Z, never one of the whole ledger: it holds the season's
    # sales, 2,855.00 € (MamAfrica 2025) + 16,853.00 € (MamAfrica 2026) + 44,027.50 €
    # (MamaStock) = 63,735.50 €
    assert "Ventes nettes : 63\u202f735,50\xa0€" in wizard.x_page.state.text()
    wizard.next()
    assert not wizard.count_page.counted.isEnabled()
    assert "se fait par point de vente" in wizard.count_page.expected.text()
    wizard.reject()
    assert transfer_count(festival) == 9448  # 601 + 2,519 + 272 melted + 6,056: nothing added


def test_balances_list_every_account_and_each_asset_sums_to_zero(
    qtbot: QtBot, page: LedgerPage, artifacts: Path
) -> None:
    page.show_screen(page.balances)
    screen = page.balances
    idle(qtbot, screen)
    assert screen.totals.property("balanced") is True
    assert screen.totals.text().startswith(
        "Somme de tous les comptes par actif : EUR 0,00\xa0€ · FED 0,00\xa0FED · GIFT 0,00\xa0GIFT"
    )
    every = screen.model.rowCount()
    assert every > 900
    shoot(page, artifacts, "balances")
    screen.asset.setCurrentIndex(screen.asset.findData("GIFT"))
    idle(qtbot, screen)
    assert 0 < screen.model.rowCount() < every
    assert {row.asset for row in screen.model.rows()} == {"GIFT"}
    screen.asset.setCurrentIndex(0)
    screen.account.setCurrentIndex(screen.account.findData("pos:Bar Nord:"))
    idle(qtbot, screen)
    assert [screen.model.index(r, 0).data() for r in range(screen.model.rowCount())] == [
        "Bar Nord · CB",
        "Bar Nord · espèces",
        *["Bar Nord · ventes"] * 3,
    ]
    qtbot.keyClicks(screen.card, CARD.lower())
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    idle(qtbot, screen)
    # the card came back in July: 29.00 € left from MamAfrica 2026 (its net euros there) and
    # 5.50 € from MamaStock: 34.50 €
    assert [screen.model.index(0, c).data() for c in range(3)] == [
        f"Carte {CARD}",
        "EUR",
        "34,50\xa0€",
    ]
    # the name in the exports: on demand, in the account's tooltip, never a column of codes
    tip = screen.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"Carte {CARD} — dans les exports : wallet:{CARD}"


def test_melting_previews_the_dormant_cards_and_melts_only_once_confirmed(
    qtbot: QtBot, page: LedgerPage, festival: Database, artifacts: Path
) -> None:
    with clock.frozen(dt.datetime(2027, 1, 15, tzinfo=dt.UTC)):  # six months after MamaStock
        page.show_screen(page.melting)
        screen = page.melting
        idle(qtbot, screen)
        before = melted(festival)  # MamAfrica 2025's euros, melted by the demo in July 2026
        assert screen.model.rowCount() == 0  # 14 months by default: nothing yet
        assert "rien à fondre" in screen.summary.text()
        assert not screen.melt_button.isEnabled()
        screen.months.setValue(5)
        qtbot.mouseClick(screen.preview_button, Qt.MouseButton.LeftButton)
        idle(qtbot, screen)
        with festival.session() as session:
            dormant = preview(session, 5)
        assert screen.model.rowCount() == len(dormant) > 500
        assert screen.summary.text().startswith(f"{len(dormant)} cartes dormantes depuis 5 mois")
        shoot(page, artifacts, "melting")
        qtbot.mouseClick(screen.melt_button, Qt.MouseButton.LeftButton)
        box = message_box(qtbot)
        assert "ne s'annule pas" in box.text()
        assert box.defaultButton().text() == "Annuler"  # Enter does not destroy value
        shoot(box, artifacts, "melting-confirm")
        press(box, "Annuler")
        assert melted(festival) == before
        qtbot.mouseClick(screen.melt_button, Qt.MouseButton.LeftButton)
        press(message_box(qtbot), "Fondre")
        idle(qtbot, screen)
        press(message_box(qtbot), "Fermer")
    expected = sum(d.balances.get("EUR", 0) for d in dormant)
    assert melted(festival) - before == expected > 0
    assert screen.summary.text().startswith("Fonte faite : ")
    assert screen.model.rowCount() == 0 and not screen.melt_button.isEnabled()


def melted(db: Database) -> int:
    with db.session() as session:
        found = session.scalar(
            select(Balance.amount)
            .join(Account, Balance.account_id == Account.id)
            .join(LedgerAsset, Balance.asset_id == LedgerAsset.id)
            .where(Account.name == "melted", LedgerAsset.code == "EUR")
        )
        return int(found or 0)


def test_the_clearing_statement_shows_who_pays_whom_between_organisations(
    qtbot: QtBot, festival: Database, artifacts: Path
) -> None:
    with festival.session() as session:  # the CCC ran three bars, Mamasound the top-up desks
        ccc = session.scalars(select(Organisation.id).where(Organisation.short_name == "CCC")).one()
        session.execute(
            update(PointOfSale)
            .where(PointOfSale.name.in_(("Bar Nord", "Bar Sud", "Bar Scène")))
            .values(organisation_id=ccc)
        )
        expected = statement(session)
    assert [(p.debtor, p.creditor) for p in expected.payments] == [("Mamasound", "CCC")]
    page = open_page(qtbot, festival)
    page.show_screen(page.clearing)
    screen = page.clearing
    idle(qtbot, screen)
    assert [screen.positions.index(r, 0).data() for r in range(2)] == ["CCC", "Mamasound"]
    payment = expected.payments[0]
    assert [screen.payments.index(0, c).data() for c in range(2)] == [
        payment.debtor,
        payment.creditor,
    ]
    assert screen.summary.text().startswith(f"{payment.debtor} verse ")
    shoot(page, artifacts, "clearing")


def test_exports_and_verify_run_in_a_worker_and_verify_names_a_tampered_row(
    qtbot: QtBot, page: LedgerPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    page.show_screen(page.checks)
    screen = page.checks
    for name, file in (("csv", "journal.csv"), ("hledger", "journal.hledger"), ("fec", "FEC.txt")):
        screen.export(name, tmp_path / file)
        assert not screen.buttons["csv"].isEnabled()  # one job at a time
        idle(qtbot, screen)
        assert screen.export_status.text().endswith(str(tmp_path / file))
    with (tmp_path / "journal.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _row in csv.reader(handle)) == 9448 + 1  # the season's transfers
    assert (tmp_path / "FEC.txt").read_text().startswith("JournalCode\tJournalLib\tEcritureNum")
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    idle(qtbot, screen)
    assert screen.verdict.property("intact") is True
    assert screen.verdict.text().startswith("Journal intègre : 9448 transferts et 22 Z vérifiés")
    shoot(page, artifacts, "checks")
    with festival.session() as session:
        tamper(session, "UPDATE transfer SET amount = amount + 100 WHERE id = 4092")
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    idle(qtbot, screen)
    assert screen.verdict.property("intact") is False
    assert "JOURNAL ALTÉRÉ" in screen.verdict.text()
    assert "transfert n°4092 modifié ou inséré" in screen.verdict.text()
    shoot(page, artifacts, "checks-altered")

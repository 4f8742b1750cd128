"""Z closures and `verify`: numbered, immutable, and tampering found to the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from regie.db import Database
from regie.ledger.closures import EVENT, close_z, x_report
from regie.ledger.desk import balances_of
from regie.ledger.models import Closure, LedgerHead
from regie.ledger.verify import verify
from tests.ledger_fixtures import (
    festival_file,
    import_file,
    line,
    sale,
    tamper,
    topup,
    write_lines,
)

CARD = "04A1B2C3D4E5F6"


def small_day(db: Database, tmp_path: Path) -> None:
    journal = [
        topup(1, CARD, 3000),
        topup(2, "04000000000001", 2000, pay="card"),
        sale(3, CARD, 450),
        sale(4, "04000000000001", 300),
    ]
    for item in journal[2:]:
        item["pos"] = "Bar Nord"
    import_file(db, write_lines(tmp_path / "jour.jsonl", journal))


def test_z_closures_are_numbered_without_gaps_with_cash_count(
    ledger: Database, tmp_path: Path
) -> None:
    small_day(ledger, tmp_path)
    with ledger.session() as session:
        x = x_report(session, "pos:Caisse centrale")
        assert x.cash_in == 3000
        z1 = close_z(session, "pos:Caisse centrale", cash_counted=2950)  # 50 cents missing
    assert (z1.number, z1.cash_expected, z1.cash_difference) == (1, 3000, -50)
    assert z1.figures.totals["cash_diff/cash/EUR"] == 50  # the gap is booked and shown
    with ledger.session() as session:
        z2 = close_z(session, "pos:Bar Nord")
        z3 = close_z(session, EVENT, period="day")
        x_after = x_report(session, "pos:Bar Nord")
    assert (z2.number, z3.number) == (2, 3)
    assert z2.figures.sales_total == 750 and z2.grand_total == 750
    assert z3.grand_total == 750
    assert x_after.totals == {}  # nothing since the Z
    small_day_2 = [sale(5, CARD, 250)]
    import_file(ledger, write_lines(tmp_path / "j2.jsonl", small_day_2))
    with ledger.session() as session:
        z4 = close_z(session, "pos:Bar Nord")
        z5 = close_z(session, "pos:Caisse centrale", cash_counted=2950)
    assert z4.figures.sales_total == 250 and z4.grand_total == 1000  # running grand total
    assert (z5.cash_float, z5.cash_expected, z5.cash_difference) == (2950, 2950, 0)
    with ledger.session() as session:
        assert verify(session).ok


def test_a_z_cannot_be_changed_or_deleted(ledger: Database, tmp_path: Path) -> None:
    small_day(ledger, tmp_path)
    with ledger.session() as session:
        close_z(session, EVENT)
    for sql in (
        "UPDATE closure SET grand_total = 0",
        "DELETE FROM closure",
        "UPDATE transfer SET amount = 1",
        "DELETE FROM transfer",
    ):
        with pytest.raises(DBAPIError, match="ajout seul"), ledger.session() as session:
            session.execute(text(sql))


def test_verify_names_an_edited_row(ledger: Database, tmp_path: Path) -> None:
    import_file(ledger, festival_file(tmp_path, 800, 100))
    with ledger.session() as session:
        tamper(session, "UPDATE transfer SET amount = amount + 100 WHERE id = 321")
    with ledger.session() as session:
        report = verify(session)
    assert report.problems[0] == (
        "transfert n°321 modifié ou inséré : son empreinte ne correspond pas à son contenu "
        "et à la chaîne"
    )


def test_verify_names_a_deleted_row(ledger: Database, tmp_path: Path) -> None:
    import_file(ledger, festival_file(tmp_path, 800, 100))
    with ledger.session() as session:
        tamper(session, "DELETE FROM transfer WHERE id = 400")
    with ledger.session() as session:
        problems = verify(session).problems
    assert problems[0] == "transfert n°400 supprimé (le suivant lu est le n°401)"


def test_verify_names_a_row_added_behind_the_ledgers_back(ledger: Database, tmp_path: Path) -> None:
    import_file(ledger, festival_file(tmp_path, 300, 50))
    with ledger.session() as session:
        last = session.get_one(LedgerHead, 1).last_transfer_id
        tamper(
            session,
            "INSERT INTO transfer SELECT id + 1000, link_id + 1000, source_id, seq + 100000, leg, "
            "op, method, at, tz_minutes, debit_id, credit_id, asset_id, amount, pos_id, ref_id, "
            f"NULL, details, hash, event_id FROM transfer WHERE id = {last}",
        )
    with ledger.session() as session:
        problems = verify(session).problems
    assert problems[0] == (
        f"transfert n°{last + 1000} ajouté hors du grand livre (la tête de chaîne s'arrête au "
        f"n°{last})"
    )


def test_verify_finds_a_tampered_z_and_a_wrong_cached_balance(
    ledger: Database, tmp_path: Path
) -> None:
    small_day(ledger, tmp_path)
    with ledger.session() as session:
        close_z(session, EVENT)
        close_z(session, "pos:Bar Nord")
    with ledger.session() as session:
        tamper(session, "UPDATE closure SET grand_total = 1 WHERE number = 1")
        session.execute(text("UPDATE balance SET amount = amount + 5 WHERE amount > 0"))
    with ledger.session() as session:
        problems = verify(session).problems
        balance_now = balances_of(session, CARD)
    assert any("Z n°1 modifié" in p for p in problems)
    assert any(
        p.startswith("solde en cache faux pour wallet:04A1B2C3D4E5F6 en EUR") for p in problems
    )
    assert balance_now["EUR"] == 3000 - 450 + 5


def test_cli_verify_exit_code_and_message(ledger: Database, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import_file(ledger, festival_file(tmp_path, 300, 50))

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "regie", "ledger", "verify", "--db", ledger.url],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )

    clean = run()
    assert clean.returncode == 0 and "journal intègre" in clean.stdout
    with ledger.session() as session:
        tamper(session, "UPDATE transfer SET details = 'x' WHERE id = 17")
    broken = run()
    assert broken.returncode == 1
    assert broken.stdout.startswith("ERREUR : transfert n°17 modifié")
    with ledger.session() as session:
        assert session.scalars(select(Closure)).first() is None


def test_a_voided_split_sale_leaves_no_sales_in_the_z(ledger: Database, tmp_path: Path) -> None:
    """A sale paid from two assets, then voided: the Z's sales, VAT and grand total are 0."""
    split = sale(
        3, CARD, 450, payments=[{"asset": "GIFT", "amount": 300}, {"asset": "EUR", "amount": 150}]
    )
    journal = [
        topup(1, CARD, 3000),
        topup(2, CARD, 500, asset="GIFT", pay="offered"),
        split,
        {**line(4, "void"), "ref": 3},
    ]
    import_file(ledger, write_lines(tmp_path / "annulation.jsonl", journal))
    with ledger.session() as session:
        x = x_report(session, "pos:Bar Nord")
        z = close_z(session, "pos:Bar Nord")
    assert x.totals == {
        "sale/cashless/GIFT": 300,
        "sale/cashless/EUR": 150,
        "void/cashless/GIFT": 300,
        "void/cashless/EUR": 150,
    }
    assert (z.figures.sales_total, z.grand_total) == (0, 0)
    assert z.figures.vat == {"2000": 0}
    with ledger.session() as session:
        assert verify(session).ok

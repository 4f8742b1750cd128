"""Exports read back: hledger agrees with Régie on every balance; the FEC is well formed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from regie import clock
from regie.db import Database
from regie.ledger.closures import close_z
from regie.ledger.desk import correction
from regie.ledger.exports import FEC_COLUMNS, export_csv, export_fec, export_hledger
from regie.ledger.melting import sweep
from regie.ledger.reports import balances
from tests.ledger_fixtures import festival_file, import_file


def hledger_balances(journal: Path) -> dict[tuple[str, str], int]:
    output = subprocess.run(
        [
            *("hledger", "-f", str(journal), "balance", "--flat", "--layout=bare"),
            *("-O", "csv", "-N", "--empty"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    result = {}
    for row in list(csv.reader(io.StringIO(output)))[1:]:
        account, commodity, amount = row[0], row[1], row[2]
        cents = int(Decimal(amount.replace(",", "")) * 100)
        if cents:
            result[(account, commodity)] = cents
    return result


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hledger_balances_equal_regies_on_a_100k_festival(ledger: Database, tmp_path: Path) -> None:
    result = import_file(ledger, festival_file(tmp_path, 100_000, 5000))
    assert result.imported > 99_000  # type: ignore[attr-defined]
    with ledger.session() as session:  # the other kinds of operations, on top
        close_z(session, "pos:Caisse centrale", cash_counted=1234)
        correction(session, "04000000000001", 150, "geste commercial")
    with clock.frozen(dt.datetime(2028, 1, 1, tzinfo=dt.UTC)), ledger.session() as session:
        assert sweep(session, 14)
    journal = tmp_path / "festival.journal"
    with ledger.session() as session:
        export_hledger(session, journal)
        ours = {(row.account, row.asset): row.amount for row in balances(session)}
    theirs = hledger_balances(journal)
    assert len(ours) > 40
    assert theirs == ours


def test_fec_has_18_columns_and_balances(ledger: Database, tmp_path: Path) -> None:
    import_file(ledger, festival_file(tmp_path, 500, 80))
    fec, transfers_csv = tmp_path / "FEC.txt", tmp_path / "transferts.csv"
    with ledger.session() as session:
        count = export_fec(session, fec)
        assert export_csv(session, transfers_csv) == count
    lines = fec.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == list(FEC_COLUMNS)
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == 2 * count
    assert {len(row) for row in rows} == {18}
    debit = sum(Decimal(row[11].replace(",", ".")) for row in rows)
    credit = sum(Decimal(row[12].replace(",", ".")) for row in rows)
    assert debit == credit > 0
    assert all(len(row[3]) == 8 and row[3].startswith("2026") for row in rows)  # AAAAMMJJ
    assert {row[4] for row in rows} >= {"4191", "707", "530"}

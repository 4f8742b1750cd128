"""Two laptops posting to one PostgreSQL database: no lost update, no negative wallet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from regie.db import Database
from regie.ledger.desk import balances_of
from regie.ledger.reports import totals_by_asset
from regie.ledger.verify import verify

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_processes_posting_100k_transfers_on_the_same_wallets(ledger: Database) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ledger_worker", ledger.url, str(seed), "50000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for seed in (1, 2)
    ]
    summaries = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err.decode()
        summaries.append(orjson.loads(out))
    assert sum(s["posted"] + s["refused"] for s in summaries) == 100_000
    assert all(s["refused"] > 0 for s in summaries)  # they really competed for the money
    expected: dict[str, int] = {}
    for summary in summaries:
        for card, amount in summary["net"].items():
            expected[card] = expected.get(card, 0) + amount
    with ledger.session() as session:
        for card, amount in expected.items():
            assert balances_of(session, card).get("EUR", 0) == amount  # no update lost
        assert set(totals_by_asset(session).values()) == {0}
        report = verify(session)  # chain intact, caches equal the journal, none negative
    assert report.ok, report.problems
    assert report.transfers == sum(s["posted"] for s in summaries)

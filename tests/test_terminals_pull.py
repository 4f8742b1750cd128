"""Journal pull from a real agent into the ledger: exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from regie.db import Database
from regie.ledger.journal_mapper import MAPPER_ENV
from regie.ledger.models import LedgerHead, Source, Transfer
from regie.ledger.reports import balances
from regie.terminals.pairing import pair_terminal
from regie.terminals.pull import pull_terminal
from regie.terminals.registry import journal_pulls, list_terminals
from tests.test_terminals_rig import Cable, agent_on, fleet_db, serial_of
from tests.test_terminals_rig import cable as cable  # the fixture

T = "SUNMI-V2S-001"
SERIAL = ("--serial", serial_of(1))  # what the inventory records: the terminal can be paired


@pytest.fixture
def fleet(db_url: str) -> Iterator[Database]:
    db = fleet_db(db_url, terminals=1)
    yield db
    db.dispose()


def ledger_state(db: Database) -> tuple[int, int, list[tuple[str, str, int]]]:
    with db.session() as session:
        head = session.get_one(LedgerHead, 1).last_transfer_id
        lines = session.scalar(
            select(func.count(func.distinct(Transfer.seq)))
            .join(Source, Source.id == Transfer.source_id)
            .where(Source.name == T)
        )
        money = [(b.account, b.asset, b.amount) for b in balances(session)]
    return head, lines or 0, money


@pytest.mark.parametrize("reader", ["inline", "process"])
def test_a_journal_of_10000_pulled_twice_is_in_the_ledger_once(
    fleet: Database,
    cable: Cable,
    tmp_path: Path,
    reader: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A big journal is read by a second process started as the lines come: both ways count.
    monkeypatch.setenv(MAPPER_ENV, reader)
    caplog.set_level(logging.INFO, logger="regie.ledger.journal_mapper")
    archive = tmp_path / "journaux"
    state = tmp_path / "state"
    with agent_on(cable.b, state, "--name", T, *SERIAL, "--simulate-sales", "10000") as agent:
        pair_terminal(fleet, T, cable.a)
        first = pull_terminal(fleet, T, cable.a, archive=archive)
        assert first.ok, first.message
        assert (first.received, first.imported, first.already) == (10_000, 10_000, 0)
        assert first.message == (
            f"{T} : 10000 opérations reçues, 10000 importées au grand livre "
            "(journal relevé jusqu'au n°10000)"
        )
        assert agent.acked() == 10_000  # the terminal knows Régie holds it all
        helped = "journal lu et posté par un second processus" in caplog.text
        assert helped == (reader == "process"), caplog.text
        after_first = ledger_state(fleet)
        assert after_first[1] == 10_000

        second = pull_terminal(fleet, T, cable.a, archive=archive)
        assert second.ok and second.received == 0 and "rien de nouveau" in second.message
        again = pull_terminal(fleet, T, cable.a, since=0, archive=archive)  # everything again
        assert again.ok and (again.received, again.imported, again.already) == (10_000, 0, 10_000)
    assert ledger_state(fleet) == after_first  # not one transfer, not one cent more
    with fleet.session() as session:
        assert list_terminals(session)[0].last_seq == 10_000
        runs = journal_pulls(session, T)
    assert [(r.first_seq, r.last_seq, r.lines, r.imported) for r in runs] == [
        (1, 10_000, 10_000, 10_000)
    ]
    kept = Path(runs[0].archive)
    assert kept.parent == archive / T and kept.read_bytes().count(b"\n") == 10_000


def test_a_line_the_ledger_refuses_imports_nothing_and_the_terminal_keeps_it(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with agent_on(cable.b, state, "--name", T, *SERIAL, "--simulate-sales", "50"):
        pair_terminal(fleet, T, cable.a)
    journal = state / "journal.jsonl"
    lines = journal.read_bytes().splitlines()
    sale = next(i for i, raw in enumerate(lines) if orjson.loads(raw)["op"] == "sale")
    broken = orjson.loads(lines[sale])
    broken["amount"] += 1  # the total no longer matches the articles
    lines[sale] = orjson.dumps(broken)
    journal.write_bytes(b"\n".join(lines) + b"\n")
    with agent_on(cable.b, state) as agent:
        result = pull_terminal(fleet, T, cable.a, archive=tmp_path / "journaux")
        assert not result.ok
        assert f"ligne {sale + 1}, champ amount" in result.message
        assert "Rien n'a été importé." in result.message
        assert agent.acked() == 0
    assert ledger_state(fleet)[1] == 0
    with fleet.session() as session:
        assert list_terminals(session)[0].last_seq == 0


def test_a_terminal_whose_journal_changed_after_a_pull_is_a_conflict_not_a_double(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with agent_on(cable.b, state, "--name", T, *SERIAL, "--simulate-sales", "200"):
        pair_terminal(fleet, T, cable.a)
        assert pull_terminal(fleet, T, cable.a, archive=tmp_path / "j").ok
    before = ledger_state(fleet)
    # The terminal was reset and recorded other sales under the same numbers.
    (state / "journal.jsonl").unlink()
    (state / "journal-acked.json").unlink()
    with agent_on(cable.b, state, "--simulate-sales", "200", "--seed", "99"):
        result = pull_terminal(fleet, T, cable.a, since=0, archive=tmp_path / "j")
    assert not result.ok
    assert "existe déjà avec un autre contenu (conflit)" in result.message
    assert ledger_state(fleet) == before

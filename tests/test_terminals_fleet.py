"""A fleet push: five agents on five pty pairs, pushed at once; a pulled cable fails alone and
its retry resumes."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from regie.db import Database
from regie.errors import UserError
from regie.terminals.push import PushJob, push_fleet
from regie.terminals.registry import link_events, list_terminals
from tests.test_terminals_rig import Agent, Cable, fleet_db

NAMES = [f"SUNMI-V2S-{n:03d}" for n in range(1, 6)]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[Database, list[Cable], list[Agent]]]:
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=5, big=True)
    with contextlib.ExitStack() as stack:
        cables = [Cable(tmp_path / f"cable{n}") for n in range(5)]
        for line in cables:
            stack.callback(line.close)
        agents = [Agent(line.b, tmp_path / f"state{n}") for n, line in enumerate(cables)]
        for agent in agents:
            stack.callback(agent.stop)
        yield db, cables, agents
    db.dispose()


def test_a_fleet_is_pushed_at_once_and_a_pulled_cable_fails_alone_then_resumes(
    rig: tuple[Database, list[Cable], list[Agent]],
) -> None:
    db, cables, agents = rig
    jobs = [PushJob(name, line.a) for name, line in zip(NAMES, cables, strict=True)]
    events: list[tuple[float, str, str, int, int]] = []
    lock = threading.Lock()

    def progress(terminal: str, stage: str, done: int, total: int) -> None:
        with lock:
            events.append((time.monotonic(), terminal, stage, done, total))
        pair = cables[2].pair
        if terminal == NAMES[2] and stage == "envoi" and done > total // 4 and pair and pair.alive:
            cables[2].pull()  # someone trips over the third cable

    results = push_fleet(db, jobs, progress=progress, timeout=1)
    assert [r.terminal for r in results] == NAMES
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert "liaison coupée" in results[2].message and "reprendra à" in results[2].message
    threads = {e[1] for e in events}
    assert threads == set(NAMES)
    # The pushes ran at the same time: every one had started sending before any had finished.
    started = max(min(e[0] for e in events if e[1] == n and e[2] == "envoi") for n in NAMES)
    finished = min(e[0] for e in events if e[2] in ("validée", "échec"))
    assert started < finished
    for agent, result in zip(agents, results, strict=True):
        assert (agent.active().get("version") == 1) is result.ok

    cables[2].plug()
    retry = push_fleet(db, [jobs[2]], timeout=2)
    assert retry[0].ok and retry[0].resumed_from > 0, retry[0].message
    assert agents[2].active()["version"] == 1
    with db.session() as session:
        assert {t.name: t.config_version for t in list_terminals(session)} == dict.fromkeys(
            NAMES, 1
        )


def test_one_port_for_two_terminals_is_refused_before_anything_starts(tmp_path: Path) -> None:
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=2)
    with pytest.raises(UserError, match="est donné pour SUNMI-V2S-001 et SUNMI-V2S-002"):
        push_fleet(db, [PushJob(NAMES[0], "/dev/ttyACM0"), PushJob(NAMES[1], "/dev/ttyACM0")])
    with db.session() as session:
        assert link_events(session) == []
    db.dispose()

"""Faults on the real link: the cable pulled mid-transfer, the terminal losing power or
crashing while it commits, noise and damaged frames on the line, a silent terminal, an agent
speaking an older protocol. Each time the terminal keeps its previous configuration, Régie
says what happened, nothing is half-applied, and the next attempt resumes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from regie.db import Database
from regie.ledger.models import Source, Transfer
from regie.terminals.frames import Kind
from regie.terminals.pairing import pair_terminal
from regie.terminals.pull import pull_terminal
from regie.terminals.push import push_terminal
from regie.terminals.registry import list_terminals, set_menu_item
from tests.test_terminals_rig import Agent, Cable, Relay, agent_on, fleet_db, serial_of
from tests.test_terminals_rig import cable as cable  # the fixture

T = "SUNMI-V2S-001"


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Database]:
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=1, big=True)
    yield db
    db.dispose()


def running_version(db: Database) -> int | None:
    with db.session() as session:
        return list_terminals(session)[0].config_version


def beer_price(agent: Agent) -> int:
    return int(next(p for p in agent.config()["products"] if p["name"] == "Bière 25cl")["price"])


def change_menu(db: Database, price: int = 350) -> None:
    with db.session() as session:
        set_menu_item(session, "Bar Nord", "Bière 25cl", price, 2000, "Bar")


def test_a_cable_pulled_mid_transfer_keeps_the_old_config_and_the_retry_resumes(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    with agent_on(cable.b, tmp_path / "state") as agent:
        assert push_terminal(fleet, T, cable.a).ok  # v1: 17,000 lost cards, 500 products
        change_menu(fleet)  # v2, as big

        def pull_at_a_third(stage: str, done: int, total: int) -> None:
            if stage == "envoi" and done > total // 3 and cable.pair and cable.pair.alive:
                cable.pull()

        cut = push_terminal(fleet, T, cable.a, progress=pull_at_a_third, timeout=1)
        assert not cut.ok
        assert "liaison coupée" in cut.message
        assert "Le terminal garde la configuration v1" in cut.message
        assert "l'envoi reprendra à" in cut.message
        assert agent.active()["version"] == 1 and beer_price(agent) == 300
        assert running_version(fleet) == 1
        staged = agent.staged()
        assert cut.size // 3 <= staged < cut.size
        assert cut.staged == staged  # what the faces read to promise a resumed transfer

        cable.plug()  # the same paths: the agent finds its port again
        retry = push_terminal(fleet, T, cable.a, timeout=2)
        assert retry.ok, retry.message
        assert retry.resumed_from == staged and retry.sent == retry.size - staged
        assert f"reprise à {staged // 1024} Ko" in retry.message
        assert agent.active()["version"] == 2 and beer_price(agent) == 350
        assert len(agent.config()["blocked"]) == 17_000 and running_version(fleet) == 2


def test_a_terminal_losing_power_mid_transfer_resumes_after_restart(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    agent = Agent(cable.b, tmp_path / "state")
    try:

        def power_cut(stage: str, done: int, total: int) -> None:
            if stage == "envoi" and done > total // 2 and agent.alive:
                agent.power_cut()

        started = time.monotonic()
        cut = push_terminal(fleet, T, cable.a, progress=power_cut, timeout=0.5)
        assert not cut.ok and time.monotonic() - started < 6
        assert "ne répond plus" in cut.message or "ne lit plus" in cut.message
        assert "sa configuration d'usine (aucune reçue)" in cut.message
        assert agent.active() == {} and agent.staged() > 0
        agent.start()
        retry = push_terminal(fleet, T, cable.a, timeout=2)
        assert retry.ok and retry.resumed_from > 0, retry.message
        assert len(agent.config()["blocked"]) == 17_000
    finally:
        agent.stop()


def test_a_crash_while_committing_leaves_the_previous_config_in_force(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with agent_on(cable.b, state):
        assert push_terminal(fleet, T, cable.a).ok
    change_menu(fleet)
    crashing = Agent(cable.b, state, env={"REGIE_CRASH_AT": "agent-commit"})
    failed = push_terminal(fleet, T, cable.a, timeout=0.5)
    crashing.proc.wait(5)  # type: ignore[union-attr]
    assert crashing.proc.returncode == 70  # type: ignore[union-attr]
    assert not failed.ok and "Le terminal garde la configuration v1" in failed.message
    assert crashing.active()["version"] == 1  # the switch was never made
    assert beer_price(crashing) == 300
    with agent_on(cable.b, state) as agent:
        retry = push_terminal(fleet, T, cable.a, timeout=2)
        assert retry.ok, retry.message
        assert agent.active()["version"] == 2 and agent.active()["previous"]["version"] == 1


@pytest.fixture
def noisy(tmp_path: Path) -> Iterator[tuple[Cable, Relay, Cable]]:
    """Régie on ``left.a``, the relay between ``left.b`` and ``right.a``, the agent on
    ``right.b``."""
    left, right = Cable(tmp_path / "left"), Cable(tmp_path / "right")
    relay = Relay(left.b, right.a)
    yield left, relay, right
    relay.stop()
    left.close()
    right.close()


def test_garbage_bytes_on_the_line_are_skipped(
    fleet: Database, noisy: tuple[Cable, Relay, Cable], tmp_path: Path
) -> None:
    left, relay, right = noisy
    relay.inject(True, b"\x00\xff\xa5\x52garbage from a motor starting\r\n")
    relay.inject(False, b"\xa5\xa5\xa5 noise back \xa5\x52\x91\x00")

    def more_noise(stage: str, done: int, total: int) -> None:
        if stage == "envoi" and done:
            relay.inject(True, bytes(range(256)))
            relay.inject(False, b"\xa5\x52" * 8)

    with agent_on(right.b, tmp_path / "state") as agent:
        result = push_terminal(fleet, T, left.a, progress=more_noise, timeout=1)
        assert result.ok, result.message
        assert len(agent.config()["blocked"]) == 17_000
    assert result.stats.noise > 0


def test_a_frame_with_a_bad_checksum_is_sent_again(
    fleet: Database, noisy: tuple[Cable, Relay, Cable], tmp_path: Path
) -> None:
    left, relay, right = noisy
    relay.damage(True, Kind.CHUNK)  # a chunk reaches the agent damaged: it answers NAK
    relay.damage(False, Kind.CHUNK.reply)  # and one of its replies reaches Régie damaged
    with agent_on(right.b, tmp_path / "state") as agent:
        result = push_terminal(fleet, T, left.a, timeout=1)
        assert result.ok, result.message
        assert result.stats.resent == 2
        assert "trame abîmée" in agent.log()
        assert len(agent.config()["blocked"]) == 17_000


def test_a_line_that_damages_every_frame_fails_cleanly(
    fleet: Database, noisy: tuple[Cable, Relay, Cable], tmp_path: Path
) -> None:
    left, relay, right = noisy
    with agent_on(right.b, tmp_path / "state") as agent:
        assert push_terminal(fleet, T, left.a).ok
        change_menu(fleet)
        relay.damage(True, Kind.CHUNK, frames=1000)
        result = push_terminal(fleet, T, left.a, timeout=1)
        assert not result.ok
        assert "abîme les trames : 4 envois sur 4 refusés (mauvaise somme de contrôle)" in (
            result.message
        )
        assert "Le terminal garde la configuration v1" in result.message
        assert agent.active()["version"] == 1 and agent.staged() == 0
        assert running_version(fleet) == 1


def test_a_silent_terminal_is_reported_within_the_timeout(fleet: Database, cable: Cable) -> None:
    started = time.monotonic()
    result = push_terminal(fleet, T, cable.a, timeout=0.5)
    assert time.monotonic() - started < 2
    assert not result.ok
    assert f"aucun terminal ne répond sur {cable.a} (rien reçu en 0.5 s)" in result.message
    with fleet.session() as session:
        assert list_terminals(session)[0].last_seen is None


def test_a_terminal_falling_silent_mid_transfer_is_reported_and_the_retry_resumes(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    with agent_on(cable.b, tmp_path / "state") as agent:

        def freeze(stage: str, done: int, total: int) -> None:
            if stage == "envoi" and done > total // 2 and not frozen:
                frozen.append(True)
                agent.freeze()

        frozen: list[bool] = []
        result = push_terminal(fleet, T, cable.a, progress=freeze, timeout=0.5)
        agent.thaw()
        assert not result.ok
        assert "ne répond plus" in result.message or "ne lit plus" in result.message
        assert agent.active() == {}
        retry = push_terminal(fleet, T, cable.a, timeout=2)
        assert retry.ok and retry.resumed_from > 0, retry.message


def test_an_agent_speaking_an_older_protocol_is_refused_before_anything_is_sent(
    fleet: Database, cable: Cable, tmp_path: Path
) -> None:
    with agent_on(cable.b, tmp_path / "state", "--protocol", "0") as agent:
        result = push_terminal(fleet, T, cable.a, timeout=1)
        assert not result.ok
        assert "parle le protocole 0 (trop ancien : Régie" in result.message
        assert "mettez à jour regie-agent. Rien n'a été envoyé." in result.message
        assert agent.staged() == 0 and agent.active() == {}
        assert "annoncée" not in agent.log()  # no OFFER ever reached it
    with fleet.session() as session:
        info = list_terminals(session)[0]
    assert info.protocol == 0 and info.config_version is None


def test_a_pull_cut_mid_way_imports_what_came_and_the_next_one_resumes_there(
    fleet: Database, cable: Cable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    state = tmp_path / "state"
    serial = ("--serial", serial_of(1))
    with agent_on(cable.b, state, "--name", T, *serial, "--simulate-sales", "3000") as agent:
        pair_terminal(fleet, T, cable.a)

        def pull_after_first_batch(stage: str, done: int, total: int) -> None:
            if stage == "relevé" and cable.pair and cable.pair.alive:
                cable.pull()

        cut = pull_terminal(fleet, T, cable.a, progress=pull_after_first_batch, timeout=1)
        assert not cut.ok and 0 < cut.received < 3000
        assert cut.imported == cut.received and cut.last_seq == cut.received
        assert "liaison coupée" in cut.message
        assert f"le prochain relevé reprendra au n°{cut.received + 1}" in cut.message
        assert agent.acked() == 0  # the terminal was never told: it keeps everything
        cable.plug()
        rest = pull_terminal(fleet, T, cable.a, timeout=2)
        assert rest.ok, rest.message
        assert rest.since == cut.received and rest.received == 3000 - cut.received
        assert rest.last_seq == 3000 and agent.acked() == 3000
    with fleet.session() as session:
        source = session.scalars(select(Source.id).where(Source.name == T)).one()
        seqs = session.scalar(
            select(func.count(func.distinct(Transfer.seq))).where(Transfer.source_id == source)
        )
    assert seqs == 3000  # every line exactly once

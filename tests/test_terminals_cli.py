"""``regie terminals …`` and ``regie-agent`` as a user runs them, against a real agent."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from regie.cli import main
from tests.test_terminals_rig import AGENT, Cable, agent_on, fleet_db, serial_of
from tests.test_terminals_rig import cable as cable  # the fixture

REGIE = Path(sys.executable).with_name("regie")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def regie(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Run]:
    """``regie terminals ARGS --db …`` as the console script runs it (``regie.cli.main``), in
    this process: a fresh interpreter would cost a second or two of imports per command."""
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))

    def run(*args: str) -> Run:
        argv = ["terminals", *args, "--db", f"sqlite:///{tmp_path / 'fleet.sqlite3'}"]
        code = main(argv)
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


def test_menu_config_push_status_pull_from_the_command_line(
    regie: Callable[..., Run], cable: Cable, tmp_path: Path
) -> None:
    fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=2).dispose()
    menu = regie(
        "menu",
        "Bar Nord",
        "--set",
        "Bière 25cl",
        "3,50",
        "20",
        "Bar",
        "--set",
        "Limonade",
        "2,80",
        "5,5",
        "Soft",
    )
    assert menu.returncode == 0, menu.stderr
    assert "Limonade" in menu.stdout and "2,80\xa0€  TVA   5,5 %  Soft" in menu.stdout

    out = tmp_path / "sunmi-1.json"
    config = regie("config", "SUNMI-V2S-001", "--out", str(out))
    assert config.returncode == 0, config.stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"configuration v1 (nouvelle version), {out.stat().st_size} o, SHA-256 {digest}" in (
        config.stdout
    )
    assert "première configuration de ce terminal : Bar Nord, 13 produits" in config.stdout

    mapping = tmp_path / "ports.txt"
    mapping.write_text(f"# terminal port\nSUNMI-V2S-001 {cable.a}\nSUNMI-V2S-002 {cable.a}x\n")
    with agent_on(
        cable.b,
        tmp_path / "state",
        *("--name", "SUNMI-V2S-001", "--serial", serial_of(1), "--simulate-sales", "300"),
    ) as agent:
        push = regie(
            "push",
            "SUNMI-V2S-001",
            "SUNMI-V2S-002",
            "--ports",
            str(mapping),
            "--timeout",
            "1",
        )
        assert push.returncode == 1  # one of the two failed
        assert "OK    SUNMI-V2S-001 : configuration v1 en service" in push.stdout
        assert f"ÉCHEC SUNMI-V2S-002 : le port {cable.a}x ne s'ouvre pas (introuvable)" in (
            push.stdout
        )
        assert "relancez « regie terminals push SUNMI-V2S-002 »" in push.stdout
        assert agent.active()["hash"] == digest

        status = subprocess.run(  # once through the real console script
            [
                str(REGIE),
                "terminals",
                "status",
                "--port",
                cable.a,
                "--db",
                f"sqlite:///{tmp_path / 'fleet.sqlite3'}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "REGIE_DATA_DIR": str(tmp_path / "data")},
        )
        assert status.returncode == 0, status.stderr
        assert "Terminal : SUNMI-V2S-001" in status.stdout
        assert "Journal : 300 opérations, 300 pas encore relevées par Régie" in status.stdout

        pull = regie("pull", "SUNMI-V2S-001")  # the port that worked last time
        assert pull.returncode == 0, pull.stderr
        assert "300 opérations reçues, 300 importées au grand livre" in pull.stdout
        assert (tmp_path / "data" / "journaux" / "SUNMI-V2S-001").is_dir()

    listing = regie("list")
    line = next(x for x in listing.stdout.splitlines() if x.startswith("SUNMI-V2S-001"))
    assert "config   v1 (prête   v1)" in line and "journal n°300" in line and cable.a in line
    log = regie("log", "SUNMI-V2S-001")
    assert [x.split()[3] for x in log.stdout.splitlines()] == ["push", "status", "pull"]


def test_mistakes_are_said_in_french_without_a_traceback(
    regie: Callable[..., Run], tmp_path: Path
) -> None:
    fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=1).dispose()
    unknown = regie("push", "SUNMI-NOPE", "--port", "/dev/null")
    assert unknown.returncode == 2
    assert (
        unknown.stderr.strip()
        == "regie : terminal inconnu : SUNMI-NOPE (regie terminals list les montre)"
    )
    ports = regie("push", "SUNMI-V2S-001", "--port", "/a", "--port", "/b")
    assert ports.returncode == 2 and "1 terminal mais 2 ports :" in ports.stderr
    silent = regie("status", "--port", "loop://", "--timeout", "0.5")
    assert silent.returncode == 2 and "renvoie ce que Régie envoie" in silent.stderr
    vat = regie("menu", "Bar Nord", "--set", "Soda", "2,50", "vingt")
    assert vat.returncode == 2 and "taux de TVA illisible : « vingt »" in vat.stderr
    for result in (unknown, ports, silent, vat):
        assert "Traceback" not in result.stderr


def test_the_agent_says_what_it_needs(tmp_path: Path) -> None:
    helped = subprocess.run([str(AGENT), "--help"], capture_output=True, text=True, check=True)
    assert "--simulate-sales N" in helped.stdout and "--state" in helped.stdout
    nameless = subprocess.run(
        [
            str(AGENT),
            "--port",
            "/dev/null",
            "--state",
            str(tmp_path / "s"),
            "--simulate-sales",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert nameless.returncode != 0 and "donnez --name" in nameless.stderr


def test_a_port_that_never_opened_does_not_promise_a_resumed_transfer(
    regie: Callable[..., Run], tmp_path: Path
) -> None:
    fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=1).dispose()
    push = regie("push", "SUNMI-V2S-001", "--port", str(tmp_path / "no-such-port"))
    assert push.returncode == 1
    assert "1 échec : relancez « regie terminals push SUNMI-V2S-001 »" in push.stdout
    assert "reprend" not in push.stdout, push.stdout  # nothing was sent: nothing to resume

"""``regie`` speaks the chosen language: errors, output and help in English once English is
chosen, and the same commands still in French by default."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regie import cli
from regie.i18n import LANGUAGE_ENV, set_language

Speak = Callable[[str], None]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def speak(monkeypatch: pytest.MonkeyPatch) -> Iterator[Speak]:
    """``speak("en")``: the language of the commands run next (environment and process)."""

    def choose(code: str) -> None:
        monkeypatch.setenv(LANGUAGE_ENV, code)
        set_language(code)

    yield choose
    set_language("fr")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as done:  # --help
        code = int(done.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'festival.db'}"


def test_an_unknown_tag_is_refused_in_english(
    speak: Speak, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    speak("en")
    code, _out, err = run(capsys, "inventory", "show", "NOPE-001", "--db", db_url)
    assert code == 2
    assert err.strip() == "regie: unknown tag: “NOPE-001”"
    assert "étiquette" not in err


def test_the_same_refusal_stays_french_by_default(
    speak: Speak, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    speak("fr")
    code, _out, err = run(capsys, "inventory", "show", "NOPE-001", "--db", sqlite_url)
    assert code == 2
    assert err.strip() == "regie : étiquette inconnue : « NOPE-001 »"


def test_card_and_ledger_errors_in_english(
    speak: Speak, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    speak("en")
    code, _out, err = run(capsys, "cards", "show", "ZZ999999", "--db", sqlite_url)
    assert code == 2
    assert err.strip() == "regie: no card has the number or UID ZZ999999"
    code, _out, err = run(
        capsys, "ledger", "close", "--pos", "Nowhere", "--kind", "X", "--db", sqlite_url
    )
    assert code == 2
    assert err.strip() == "regie: unknown point of sale: “Nowhere”"


def test_command_output_in_english_then_in_french(
    speak: Speak, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    speak("en")
    assert run(capsys, "db", "upgrade", "--db", sqlite_url)[0] == 0
    code, out, _err = run(capsys, "db", "status", "--db", sqlite_url)
    assert code == 0
    assert ", latest " in out and out.rstrip().endswith("— up to date")
    speak("fr")
    code, out, _err = run(capsys, "db", "status", "--db", sqlite_url)
    assert code == 0
    assert ", dernier " in out and out.rstrip().endswith("— à jour")


def test_help_texts_follow_the_language(speak: Speak, capsys: pytest.CaptureFixture[str]) -> None:
    speak("en")
    code, out, _err = run(capsys, "--help")
    assert code == 0
    assert "shared equipment: loans, returns, audits" in out
    assert "NFC cards: batches, encoding, states, lost cards" in out
    assert "matériel partagé" not in out
    code, out, _err = run(capsys, "ledger", "close", "--help")
    assert code == 0
    assert "X closure (reading) or Z closure (final)" in out
    assert "every point of sale" in out

    speak("fr")
    code, out, _err = run(capsys, "--help")
    assert code == 0
    assert "matériel partagé : prêts, retours, inventaires" in out
    assert "shared equipment" not in out


def test_doctor_lines_in_english(speak: Speak) -> None:
    from regie.doctor import check_database

    speak("en")
    line = check_database("sqlite:////nowhere/festival.db").line()
    assert line.startswith("FAIL  Database: ")
    assert "does not exist yet" in line and "— to do: run “regie”" in line


def regie(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    """The ``regie`` command in a process of its own, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != LANGUAGE_ENV}
    env["PYTHONPATH"] = str(REPO)
    if lang:
        env[LANGUAGE_ENV] = lang
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_real_regie_process_speaks_english_when_asked(sqlite_url: str) -> None:
    refused = regie("inventory", "show", "NOPE-001", "--db", sqlite_url, lang="en")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "regie: unknown tag: “NOPE-001”"
    by_option = regie("--lang", "en", "cards", "show", "ZZ999999", "--db", sqlite_url)
    assert by_option.stderr.strip() == "regie: no card has the number or UID ZZ999999"
    helped = regie("inventory", "checkout", "--help", lang="en")
    assert "check equipment out to a borrower" in helped.stdout
    assert "--lot NAME=QTY" in helped.stdout
    assert "expected return date" in helped.stdout

    french = regie("inventory", "show", "NOPE-001", "--db", sqlite_url)
    assert french.stderr.strip() == "regie : étiquette inconnue : « NOPE-001 »"

"""Killing Régie during a journal import loses nothing: a real ``regie ledger import`` killed
with SIGKILL half-way, then reopened: the ledger verifies, what was imported before is whole,
and the same import done again lands once, without duplicates."""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
from pathlib import Path

from regie.i18n import format_number
from regie.ledger.simulate import Festival, write_journal
from tests.test_backup import REPO, regie, transfers_at

# The simulator's journals come from no paired terminal: imported as a manager would.
UNSIGNED = ("--unsigned", "journaux simulés du test")


def journal(tmp_path: Path, transactions: int, seed: int) -> Path:
    path = tmp_path / f"journal-{seed}.jsonl"
    write_journal(Festival(transactions=transactions, cards=500, seed=seed), str(path))
    path.write_bytes(path.read_bytes().replace(b'"SUNMI-', f'"T{seed}-'.encode()))
    return path


def import_killed_half_way(url: str, path: Path) -> int:
    """Run the import with its progress on a terminal; SIGKILL it once it shows 20 % or more."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "regie", "ledger", "import", str(path), *UNSIGNED, "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=slave,  # a terminal: the import prints "import : N %" as it goes
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    os.close(slave)
    shown = b""
    try:
        while True:
            shown += os.read(master, 1024)
            percents = [int(p) for p in re.findall(rb"import : (\d+) %", shown)]
            if percents and percents[-1] >= 20:
                process.send_signal(signal.SIGKILL)
                break
    finally:
        process.wait(timeout=60)
        os.close(master)
    assert percents[-1] < 100, "the import ended before it could be killed"
    return percents[-1]


def test_an_import_killed_half_way_leaves_a_verifiable_ledger_and_can_be_redone(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'regie.sqlite3'}"
    assert regie("db", "upgrade", "--db", url).returncode == 0
    earlier = journal(tmp_path, 2000, seed=1)
    assert regie("ledger", "import", str(earlier), *UNSIGNED, "--db", url).returncode == 0
    before = transfers_at(url)

    big = journal(tmp_path, 20_000, seed=2)
    import_killed_half_way(url, big)

    verified = regie("ledger", "verify", "--db", url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert transfers_at(url) == before  # the killed import left nothing half-way

    redone = regie("ledger", "import", str(big), *UNSIGNED, "--db", url)
    assert redone.returncode == 0, redone.stderr
    lines = format_number(len(big.read_bytes().splitlines()))  # « 19 995 »
    assert f"{lines} lignes lues : {lines} importées (" in redone.stdout
    again = regie("ledger", "import", str(big), *UNSIGNED, "--db", url)
    assert ": 0 importée (0 transfert), " in again.stdout
    assert f"{lines} déjà connues." in again.stdout
    assert regie("ledger", "verify", "--db", url).returncode == 0

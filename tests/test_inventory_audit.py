"""Audits with a scanner find the missing, the unknown and the misplaced."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from regie.db import Database
from regie.errors import Conflict
from regie.inventory.audits import Verdict, close_audit, resume_audit, scan, start_audit
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout

REPO = Path(__file__).resolve().parents[1]
DUE = dt.date.today() + dt.timedelta(days=5)


@pytest.fixture
def festival_out(demo: Database) -> Database:
    with demo.session() as session:
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-001", "CCC-V2S-002", "CCC-V2S-003")),
            due_on=DUE,
            prestation_name="MamaStock 2026",
        )
    return demo


def test_an_audit_finds_missing_unknown_and_misplaced_tags(festival_out: Database) -> None:
    db = festival_out
    with db.session() as session:
        state = start_audit(session, prestation_name="MamaStock 2026")
    assert state.expected.keys() == {"CCC-V2S-001", "CCC-V2S-002", "CCC-V2S-003"}
    verdicts = []
    for tag in ("ccc-v2s-001 ", "CCC-V2S-002", "XYZ-404", "CCC-AP-001", "CCC-V2S-001"):
        with db.session() as session:
            verdicts.append(scan(session, state, tag))
    assert [v for v, _ in verdicts] == [
        Verdict.PRESENT,
        Verdict.PRESENT,
        Verdict.UNKNOWN,
        Verdict.MISPLACED,
        Verdict.REPEATED,
    ]
    assert verdicts[3][1] == "CCC-AP-001 : mal placé (au lieu Dépôt CCC)"
    assert state.missing == ["CCC-V2S-003"]  # live, before the audit is saved
    with db.session() as session:
        result = close_audit(session, state)
    assert result.present == ["CCC-V2S-001", "CCC-V2S-002"]
    assert result.missing == ["CCC-V2S-003"]
    assert result.unknown == ["XYZ-404"]
    assert result.misplaced == [("CCC-AP-001", "au lieu Dépôt CCC")]


def test_an_audit_of_a_location_expects_what_is_on_its_shelves(festival_out: Database) -> None:
    with festival_out.session() as session:
        state = start_audit(session, location_name="Dépôt CCC")
        assert "CCC-V2S-004" in state.expected
        assert "CCC-V2S-001" not in state.expected  # out for MamaStock
        assert "CCC-TPE-006" not in state.expected  # lost
        verdict, message = scan(session, state, "CCC-V2S-001")
    assert verdict is Verdict.MISPLACED
    assert message == "CCC-V2S-001 : mal placé (sorti pour MamaStock 2026)"


def test_a_second_audit_while_one_is_open_is_refused(festival_out: Database) -> None:
    with festival_out.session() as session:
        state = start_audit(session, prestation_name="MamaStock 2026")
        scan(session, state, "CCC-V2S-002")
    refused = pytest.raises(Conflict, match=r"l'audit n°\d+ est encore ouvert")
    with refused, festival_out.session() as session:
        start_audit(session, location_name="Dépôt CCC")
    with festival_out.session() as session:  # after a restart, the scans are still there
        resumed = resume_audit(session)
    assert resumed is not None and resumed.present == ["CCC-V2S-002"]
    with festival_out.session() as session:
        scan(session, resumed, "CCC-AP-002")
    with festival_out.session() as session:  # where a misplaced item belongs survives a restart
        again = resume_audit(session)
    assert again is not None and again.misplaced == [("CCC-AP-002", "au lieu Dépôt CCC")]


def test_cli_audit_reads_tags_from_stdin(festival_out: Database) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regie",
            "inventory",
            "audit",
            "--prestation",
            "MamaStock 2026",
            "--db",
            festival_out.url,
        ],
        input="CCC-V2S-001\n\nCCC-V2S-002\nINCONNU-1\nCCC-D3M-002\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "présents (2) : CCC-V2S-001 CCC-V2S-002"
    assert lines[2] == "manquants (1) : CCC-V2S-003"
    assert lines[3] == "inconnus (1) : INCONNU-1"
    assert lines[4] == "mal placés (1) : CCC-D3M-002 [au lieu Dépôt CCC]"


def test_an_nfc_tagged_asset_on_the_reader_counts_as_a_scan(festival_out: Database) -> None:
    from regie.inventory.audits import attach_nfc, scan_uid

    with festival_out.session() as session:
        attach_nfc(session, "CCC-V2S-003", bytes.fromhex("04112233445566"))
    with festival_out.session() as session:
        state = start_audit(session, prestation_name="MamaStock 2026")
        verdict, message = scan_uid(session, state, bytes.fromhex("04112233445566"))
        assert (verdict, message) == (Verdict.PRESENT, "CCC-V2S-003 : présent")
        verdict, message = scan_uid(session, state, bytes.fromhex("04A90000000001"))
        assert message == "CCC-AP-001 : mal placé (au lieu Dépôt CCC)"  # the demo's sticker
        verdict, _ = scan_uid(session, state, bytes.fromhex("0499"))
        assert verdict is Verdict.UNKNOWN
    refused = pytest.raises(Conflict, match="déjà attachée à CCC-V2S-003")
    with refused, festival_out.session() as session:
        attach_nfc(session, "CCC-V2S-004", bytes.fromhex("04112233445566"))

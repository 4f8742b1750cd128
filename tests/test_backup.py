"""Backups of the SQLite database and restoring them: what the production office relies on
when the laptop's disk, a wrong manipulation or a tampered file threatens the festival's data."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from regie.backups.copies import BackupRefused, back_up, backups
from regie.backups.restore import RestoreRefused, apply_restore, prepare_restore
from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.models import Transfer
from regie.ledger.simulate import Festival, write_journal
from regie.ledger.verify import verify

REPO = Path(__file__).resolve().parents[1]


def regie(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        timeout=600,
    )


def festival_db(tmp_path: Path, transactions: int = 400, seed: int = 2026) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    db.upgrade()
    import_festival(db, tmp_path, transactions, seed)
    return db


def import_festival(db: Database, tmp_path: Path, transactions: int, seed: int) -> None:
    path = tmp_path / f"journal-{seed}.jsonl"
    write_journal(Festival(transactions=transactions, cards=80, seed=seed), str(path))
    # Terminals of their own: another journal of the same festival, not a replay of the first.
    path.write_bytes(path.read_bytes().replace(b'"SUNMI-', f'"T{seed}-'.encode()))
    with db.session() as session:
        import_journals(session, [path])


def transfers(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transfer)) or 0


def transfers_at(url: str) -> int:
    """Counted and closed again: a restore needs nobody else holding the file."""
    db = Database(url)
    try:
        return transfers(db)
    finally:
        db.dispose()


def test_restoring_a_backup_brings_back_its_ledger_and_can_itself_be_undone(
    tmp_path: Path,
) -> None:
    db = festival_db(tmp_path)
    before = transfers(db)
    folder = tmp_path / "sauvegardes"
    backup = back_up(db.url, folder)
    import_festival(db, tmp_path, 300, seed=7)  # the festival goes on after the backup
    after = transfers(db)
    assert after > before
    db.dispose()

    plan = prepare_restore(db.url, backup.path)
    assert plan.contents.transfers == before
    assert any(f"{before}" in line.replace("\u202f", "") for line in plan.contents.lines())
    assert plan.contents.lines()[-1] == "0 carte, 0 matériel, 0 prêt."  # a ledger-only database
    safety = apply_restore(plan, db.url, folder)
    assert transfers(db) == before
    with db.session() as session:
        assert verify(session).ok
    db.dispose()

    assert safety is not None and safety.path.parent == folder
    apply_restore(prepare_restore(db.url, safety.path), db.url, folder)
    assert transfers(db) == after  # the restore was undone from the backup it made first
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".partial"] == []


def test_the_rotation_keeps_the_newest_backups_and_clears_an_interrupted_copy(
    tmp_path: Path,
) -> None:
    db = festival_db(tmp_path, 50)
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    stale = folder / ".regie-abandoned.partial"
    stale.write_bytes(b"half a copy")
    an_hour_and_a_bit_ago = time.time() - 4000
    os.utime(stale, (an_hour_and_a_bit_ago, an_hour_and_a_bit_ago))
    start = dt.datetime(2026, 7, 10, 16, 0)
    for hour in range(5):
        back_up(db.url, folder, keep=3, now=start + dt.timedelta(hours=hour))
    again = back_up(db.url, folder, keep=3, now=start + dt.timedelta(hours=4))
    names = [backup.name for backup in backups(folder)]
    assert names == [
        "regie-2026-07-10T19-00-00.sqlite3",
        "regie-2026-07-10T20-00-00.sqlite3",
        "regie-2026-07-10T20-00-00-2.sqlite3",  # same second: a second name, kept last
    ]
    assert again.name == names[-1] and not stale.exists()
    copy = sqlite3.connect(backups(folder)[0].path)
    try:  # one self-contained file, readable on its own
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM transfer").fetchone()[0] == transfers(db)
    finally:
        copy.close()


def test_a_damaged_backup_is_refused_and_the_database_is_left_alone(tmp_path: Path) -> None:
    db = festival_db(tmp_path)
    before = transfers(db)
    backup = back_up(db.url, tmp_path / "sauvegardes")
    damaged = tmp_path / "abimee.sqlite3"
    data = bytearray(backup.path.read_bytes())
    page = 4096
    data[2 * page : len(data) - page] = bytes(len(data) - 3 * page)  # a disk that lost pages
    damaged.write_bytes(bytes(data))
    db.dispose()

    with pytest.raises(RestoreRefused, match="endommagée") as refused:
        prepare_restore(db.url, damaged)
    assert str(damaged) in str(refused.value)
    assert transfers(db) == before
    assert [p for p in tmp_path.iterdir() if p.suffix == ".partial"] == []


def test_a_backup_whose_ledger_was_edited_is_refused_naming_the_transfer(tmp_path: Path) -> None:
    db = festival_db(tmp_path)
    backup = back_up(db.url, tmp_path / "sauvegardes")
    edited = sqlite3.connect(backup.path)
    edited.execute("DROP TRIGGER IF EXISTS transfer_no_update")
    edited.execute("UPDATE transfer SET amount = amount + 1000 WHERE id = 12")
    edited.commit()
    edited.close()
    db.dispose()

    with pytest.raises(RestoreRefused, match="ne se vérifie pas") as refused:
        prepare_restore(db.url, backup.path)
    assert "transfert n°12" in str(refused.value)


def test_a_file_that_is_not_a_regie_backup_or_comes_from_a_newer_regie_is_refused(
    tmp_path: Path,
) -> None:
    db = festival_db(tmp_path, 20)
    url = db.url
    text = tmp_path / "notes.txt"
    text.write_text("pas une base")
    with pytest.raises(RestoreRefused, match="ce n'est pas une base SQLite"):
        prepare_restore(url, text)
    other = tmp_path / "autre.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(RestoreRefused, match="pas de schéma Régie"):
        prepare_restore(url, other)
    newer = back_up(url, tmp_path / "sauvegardes").path
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
    connection.commit()
    connection.close()
    with pytest.raises(RestoreRefused, match="version plus récente de Régie"):
        prepare_restore(url, newer)
    with pytest.raises(RestoreRefused, match="introuvable"):
        prepare_restore(url, tmp_path / "absente.sqlite3")


def test_restore_refuses_while_another_program_has_the_database_open(tmp_path: Path) -> None:
    db = festival_db(tmp_path, 50)
    backup = back_up(db.url, tmp_path / "sauvegardes")
    before = transfers(db)  # the engine keeps its connection open, as a running Régie does
    plan = prepare_restore(db.url, backup.path)
    try:
        with pytest.raises(BackupRefused, match="ouverte par un autre programme"):
            apply_restore(plan, db.url, tmp_path / "sauvegardes")
    finally:
        plan.discard()
    assert transfers(db) == before


def test_cli_backup_and_restore_ask_before_replacing_and_say_what_they_did(
    tmp_path: Path,
) -> None:
    db = festival_db(tmp_path, 200)
    url, before = db.url, transfers(db)
    db.dispose()
    env = {"REGIE_DATA_DIR": str(tmp_path / "data")}
    made = regie("backup", "--db", url, **env)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "data" / "sauvegardes"
    (backup,) = backups(folder)
    assert f"Sauvegarde écrite : {backup.path}" in made.stdout
    out = regie("backup", "--out", str(tmp_path / "clé-usb.sqlite3"), "--db", url, **env)
    assert out.returncode == 0 and (tmp_path / "clé-usb.sqlite3").is_file()

    later = Database(url)
    import_festival(later, tmp_path, 100, seed=9)
    later.dispose()
    refused = regie("restore", str(backup.path), "--db", url, stdin="n\n", **env)
    assert refused.returncode == 1 and "rien n'a changé" in refused.stdout
    assert "grand livre vérifié" in refused.stdout and "[o/N]" in refused.stdout
    assert transfers_at(url) > before

    done = regie("restore", str(backup.path), "--db", url, stdin="o\n", **env)
    assert done.returncode == 0, done.stderr
    assert "Base restaurée" in done.stdout and "regie restore" in done.stdout
    assert transfers_at(url) == before
    verified = regie("ledger", "verify", "--db", url, **env)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    server = regie("backup", "--db", "postgresql://regie@serveur/festival", **env)
    assert server.returncode == 2 and "pg_dump" in server.stderr
    assert "Traceback" not in server.stderr


def test_a_backup_killed_mid_copy_leaves_no_file_under_a_backup_name(tmp_path: Path) -> None:
    db = festival_db(tmp_path, 50)
    url = db.url
    db.dispose()
    folder = tmp_path / "sauvegardes"
    killed = regie("backup", "--db", url, "--folder", str(folder), REGIE_CRASH_AT="backup:copied")
    assert killed.returncode == 70
    assert backups(folder) == [] and len(list(folder.glob(".regie-*.partial"))) == 1
    assert regie("backup", "--db", url, "--folder", str(folder)).returncode == 0
    assert len(backups(folder)) == 1

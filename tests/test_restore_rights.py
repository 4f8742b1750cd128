"""Who may restore: an administrator of the base being replaced; for a base that cannot be read,
the backup's own administrator (the rescue), written to the log and the audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from regie.backups.copies import Backup, back_up
from regie.cli import build_parser, run_command
from regie.db import Database
from regie.people.actor import set_desk_actor
from regie.people.demo import add_demo_people
from regie.people.models import AuditEntry, Person

PARSER = build_parser()


@pytest.fixture(autouse=True)
def nobody_at_the_desk() -> Iterator[None]:
    yield
    set_desk_actor(None)


@pytest.fixture
def copy_with_people(tmp_path: Path) -> Backup:
    """A backup of a base with the demo people (Alice the admin, Bruno the manager)."""
    db = Database(f"sqlite:///{tmp_path / 'avant.sqlite3'}")
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
    db.dispose()
    return back_up(db.url, tmp_path / "copies", out=tmp_path / "copie.sqlite3")


def restore(url: str, backup: Backup, *user: str) -> int:
    argv = ["restore", str(backup.path), "--yes", "--db", url, *user]
    return run_command(PARSER.parse_args(argv))


def trail(url: str) -> list[tuple[str, str, str]]:
    db = Database(url)
    try:
        with db.session() as session:
            rows = session.execute(select(AuditEntry.actor, AuditEntry.role, AuditEntry.action))
            return [tuple(row) for row in rows if row.action.startswith("backup.")]
    finally:
        db.dispose()


def test_restore_needs_an_admin_of_the_base_it_replaces_and_is_recorded_in_it(
    tmp_path: Path,
    copy_with_people: Backup,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'regie.sqlite3'}"
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
        session.add(
            Person(
                name="Zoé",
                role="operator",
                pin_salt=b"s" * 16,
                pin_hash=b"h" * 32,
                active=True,
                created_at=session.scalar(select(Person.created_at)),
            )
        )
    db.dispose()
    assert restore(url, copy_with_people) == 2
    assert "identifiez-vous (administrateur)" in capsys.readouterr().err
    monkeypatch.setenv("REGIE_PIN", "222222")
    assert restore(url, copy_with_people, "--user", "Bruno") == 2
    assert "Bruno (responsable) ne peut pas restaurer une sauvegarde" in capsys.readouterr().err
    assert (tmp_path / "regie.sqlite3").read_bytes()  # still the base with Zoé
    monkeypatch.setenv("REGIE_PIN", "111111")
    assert restore(url, copy_with_people, "--user", "Alice") == 0, capsys.readouterr().err
    db = Database(url)
    with db.session() as session:
        assert session.scalar(select(Person.id).where(Person.name == "Zoé")) is None
    db.dispose()
    assert trail(url) == [("Alice", "admin", "backup.restore")]


def test_a_base_that_cannot_be_read_is_rescued_only_by_an_admin_of_the_backup(
    tmp_path: Path,
    copy_with_people: Backup,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    broken = tmp_path / "regie.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # a header, then garbage
    url = f"sqlite:///{broken}"
    assert restore(url, copy_with_people) == 2
    assert "administrateur de la sauvegarde" in capsys.readouterr().err
    monkeypatch.setenv("REGIE_PIN", "222222")
    assert restore(url, copy_with_people, "--user", "Bruno") == 2
    assert "Bruno n'est pas administrateur dans cette sauvegarde" in capsys.readouterr().err
    monkeypatch.setenv("REGIE_PIN", "000000")
    assert restore(url, copy_with_people, "--user", "Alice") == 2
    assert "nom ou code PIN incorrect" in capsys.readouterr().err
    assert broken.read_bytes().endswith(b"\xff" * 16)  # untouched by all three
    monkeypatch.setenv("REGIE_PIN", "111111")
    with caplog.at_level(logging.WARNING, logger="regie.backups.rights"):
        assert restore(url, copy_with_people, "--user", "Alice") == 0, capsys.readouterr().err
    assert "secours" in capsys.readouterr().out
    assert any("rescue restore" in record.getMessage() for record in caplog.records)
    (aside,) = tmp_path.glob("regie.sqlite3.illisible-*")
    assert aside.read_bytes().endswith(b"\xff" * 16)  # the broken base is kept, set aside
    assert trail(url) == [("Alice", "admin", "backup.rescue")]


def test_with_no_base_at_all_there_is_nothing_to_protect(
    tmp_path: Path, copy_with_people: Backup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'neuve.sqlite3'}"
    assert restore(url, copy_with_people) == 0
    assert [action for _who, _role, action in trail(url)] == ["backup.restore"]

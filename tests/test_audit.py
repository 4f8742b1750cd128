"""The composition roots install the audit trail, not the database: each case runs in a fresh
interpreter, where nothing but the code under test can have installed it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from regie.db import Database
from regie.people.models import AuditEntry

ADD_ALICE = (
    "from regie.people.directory import add_person\n"
    "with db.session() as session:\n"
    "    add_person(session, 'Alice', 'admin', '111111')\n"
)


def python(code: str, **env: str) -> None:
    environment = {**os.environ, "REGIE_LANG": "fr", "QT_QPA_PLATFORM": "offscreen", **env}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0, done.stderr


def trail(url: str) -> list[tuple[str, str]]:
    db = Database(url)
    try:
        with db.session() as session:
            return [(row.action, row.subject) for row in session.scalars(select(AuditEntry))]
    finally:
        db.dispose()


def test_a_change_made_through_the_cli_is_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/regie.sqlite3"
    python(
        "from regie.cli import main\n"
        f"raise SystemExit(main(['users', 'add', 'Alice', '--role', 'admin', '--db', {url!r}]))\n",
        REGIE_NEW_PIN="111111",
    )
    assert trail(url) == [("person.add", "Alice")]


def test_a_change_made_in_the_window_s_database_is_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/regie.sqlite3"
    python(f"from regie.ui.app import open_database\ndb = open_database({url!r})\n" + ADD_ALICE)
    assert trail(url) == [("person.add", "Alice")]


def test_a_database_opened_alone_records_nothing(tmp_path: Path) -> None:
    """What gives the two tests above their meaning: the database no longer installs it."""
    url = f"sqlite:///{tmp_path}/regie.sqlite3"
    python(f"from regie.db import Database\ndb = Database({url!r})\ndb.upgrade()\n" + ADD_ALICE)
    assert trail(url) == []

"""Every door of the command line: each command that changes the base or reads a secret is
refused, before it runs, without a person, to an operator when it is a manager's, and with a
wrong PIN — and the base is left exactly as it was. One shared base per backend."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

import regie.schema  # noqa: F401  (every table, for the fingerprint)
from regie import clock
from regie.cli import build_parser, run_command
from regie.commands import Needs, check_door, doors
from regie.db import Database
from regie.errors import UserError
from regie.models import Base
from regie.people.actor import acting_as, set_desk_actor, sign_in
from regie.people.models import AuditEntry
from regie.people.roles import PERMISSIONS, Permission, Role, role_label, roles_allowed
from tests.people_fixtures import BACKENDS, PINS, base_with_people

ROLES_MD = Path(__file__).resolve().parent.parent / "docs" / "roles.md"
# Each guarded command with arguments argparse accepts; allowed, most would change the base.
ARGS: dict[str, list[str]] = {
    "regie demo": [],
    "regie inventory import": ["assets.csv"],
    "regie inventory book": ["CCC-V2S-001", "--prestation", "Fête"],
    "regie inventory unbook": ["1"],
    "regie inventory checkout": ["CCC-V2S-001", "--to", "Mamasound", "--due", "2031-07-20"],
    "regie inventory checkin": ["CCC-V2S-001"],
    "regie inventory audit": ["--location", "Hangar"],
    "regie inventory incident": ["write-off", "1"],
    "regie inventory add organisation": ["Mamasound"],
    "regie inventory add location": ["Hangar"],
    "regie inventory add prestation": [
        "Fête",
        "--client",
        "Mamasound",
        "--from",
        "2031-07-01",
        "--to",
        "2031-07-03",
    ],
    "regie inventory add model": ["V2s", "--category", "terminal"],
    "regie inventory add lot": [
        "Câbles",
        "--model",
        "V2s",
        "--owner",
        "Coop",
        "--quantity",
        "3",
        "--unit-cost",
        "2",
    ],
    "regie inventory kit create": ["KIT-1"],
    "regie inventory kit put": ["KIT-1", "CCC-V2S-001"],
    "regie inventory kit remove": ["KIT-1", "CCC-V2S-001"],
    "regie inventory maintenance": ["CCC-V2S-001", "nettoyage"],
    "regie cards import": ["cards.csv", "--owner", "Coop"],
    "regie cards export": ["cards.csv"],
    "regie cards generate": ["3", "--base-url", "https://x.example/", "--out", "cards.pdf"],
    "regie cards encode": [],
    "regie cards block": ["04A1B2C3D4E5F6", "--reason", "perdue"],
    "regie cards replace": ["04A1B2C3D4E5F6", "04A1B2C3D4E5F7"],
    "regie ledger import": ["journal.jsonl"],
    "regie ledger close": ["--event", "--kind", "Z"],
    "regie ledger melt": ["--apply"],
    "regie ledger topup": ["04A1B2C3D4E5F6", "2000"],
    "regie ledger refund": ["04A1B2C3D4E5F6"],
    "regie ledger correct": ["04A1B2C3D4E5F6", "5000", "--reason", "geste"],
    "regie terminals add": ["CCC-V2S-001"],
    "regie terminals assign": ["T1", "Bar"],
    "regie terminals settings": ["--wifi-password", "secret"],
    "regie terminals menu": ["Bar"],
    "regie terminals config": ["T1"],
    "regie terminals push": ["T1", "--port", "/dev/null"],
    "regie terminals pull": ["T1", "--port", "/dev/null"],
    "regie terminals pair": ["T1", "--port", "/dev/null"],
    "regie terminals refunds": ["Caisse centrale", "--allow"],
    "regie stripe key set": ["--stdin"],
    "regie stripe key clear": [],
    "regie stripe key status": [],
    "regie stripe sync": [],
    "regie stripe import-report": ["report.csv"],
    "regie stripe reconcile": [],
    "regie refunds run": [],
    "regie settle": ["Fête", "--record"],
    "regie invoice create": ["--client", "Mamasound", "--line", "Location;1;100;20"],
    "regie invoice credit": ["F-2031-0001"],
    "regie convention set": ["flat_rate_bp", "25 %", "--from", "2031-01-01"],
    "regie convention kind": ["Fête", "own"],
    "regie users add": ["Denis", "--role", "admin"],
    "regie users role": ["Chloé", "admin"],
    "regie users pin": ["Alice"],
    "regie users disable": ["Alice"],
    "regie users enable": ["Alice"],
    "regie users demo": [],
    "regie audit": [],
    "regie settings set": ["organisation.name", "Mallory SARL"],
    "regie backup": ["--out", "copy.sqlite3"],
    "regie restore": ["copy.sqlite3", "--yes"],
}
PEOPLE = {Role.ADMIN: "Alice", Role.MANAGER: "Bruno", Role.OPERATOR: "Chloé"}
# What the refusal says: the door's words, not some later error of the command.
NOBODY = "identifiez-vous"
# Régie copies and restores SQLite files only: on a server these say so before asking anyone.
FILES_ONLY = {"regie backup": "pg_dump", "regie restore": "pg_restore"}
WRONG_PIN = "nom ou code PIN incorrect"


def strictest(needs: Permission | Needs) -> Permission:
    return needs.strictest if isinstance(needs, Needs) else needs


def guarded(db: Database | None = None) -> list[tuple[str, Permission]]:
    """The guarded commands (on a server base, those Régie runs there)."""
    server = db is not None and db.engine.dialect.name != "sqlite"
    return [
        (door.command, strictest(door.needs))
        for door in doors(build_parser())
        if door.needs is not None and not (server and door.command in FILES_ONLY)
    ]


@pytest.fixture(scope="module", params=BACKENDS)
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A base with the three demo people, and nothing else to lose."""
    db = base_with_people(request, tmp_path_factory, "doors")
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def nobody_at_the_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nobody signed in after a test, and any file a command would write lands in tmp_path
    (where the tests check that none did)."""
    monkeypatch.chdir(tmp_path)
    yield
    set_desk_actor(None)


def fingerprint(db: Database, *, leave_out: frozenset[str] = frozenset()) -> str:
    """Every row of every table (but ``leave_out``), in one digest."""
    digest = hashlib.sha256()
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in leave_out:
                continue
            rows = session.execute(select(table)).all()
            digest.update(table.name.encode())
            digest.update(repr(sorted(repr(tuple(row)) for row in rows)).encode())
    return digest.hexdigest()


PARSER = build_parser()  # one for the module: building it is most of a command's start


def refused(
    db: Database, command: str, capsys: pytest.CaptureFixture[str], *user: str
) -> tuple[int, str]:
    """Run the command as ``regie.cli.main`` does once it has parsed it: behind its door."""
    code = run_command(
        PARSER.parse_args([*command.split()[1:], *ARGS[command], "--db", db.url, *user])
    )
    return code, capsys.readouterr().err


def test_every_command_declares_what_it_needs_and_each_guarded_one_is_tried_here() -> None:
    for door in doors(build_parser()):
        assert door.needs is None or isinstance(door.needs, Permission | Needs), door.command
    assert sorted(command for command, _ in guarded()) == sorted(ARGS)


def test_the_roles_page_shows_each_command_and_what_it_needs() -> None:
    from regie.audit.doors_table import doors_table

    page = ROLES_MD.read_text(encoding="utf-8")
    found = re.search(r"<!-- doors -->\n(.*?)<!-- /doors -->", page, re.S)
    assert found is not None, "docs/roles.md lost its table of commands"
    assert found.group(1) == doors_table(doors(build_parser())), (
        "docs/roles.md is behind the commands: paste "
        "`python -m tests.test_doors` between the markers"
    )


def test_without_a_person_every_guarded_command_is_refused_and_the_base_is_unchanged(
    office: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGIE_PIN", raising=False)
    before = fingerprint(office)
    for command, _permission in guarded(office):
        code, err = refused(office, command, capsys)
        assert code == 2 and NOBODY in err, (command, err)
    if office.engine.dialect.name != "sqlite":
        for command, word in FILES_ONLY.items():
            code, err = refused(office, command, capsys)
            assert code == 2 and word in err, (command, err)
    assert fingerprint(office) == before
    assert not list(Path.cwd().iterdir())  # no file written either (backup, export, PDF)


def test_an_operator_or_a_manager_is_refused_every_door_above_their_role(
    office: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(office)
    tried = 0
    for role, name in ((Role.OPERATOR, "Chloé"), (Role.MANAGER, "Bruno")):
        # signed in as the window or --user would (the real --user is the next test's)
        actor = sign_in(office, name, PINS[name])
        for command, permission in guarded(office):
            if permission in PERMISSIONS[role]:
                continue
            with acting_as(actor):
                code, err = refused(office, command, capsys)
            assert code == 2 and f"{name} ({role_label(role)}) ne peut pas" in err, (command, err)
            tried += 1
    assert tried > 30
    assert fingerprint(office) == before
    assert not list(Path.cwd().iterdir())


def test_a_wrong_pin_opens_no_door_locks_the_name_and_each_try_is_in_the_audit_trail(
    office: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIE_PIN", "000000")
    # the refused tries are in the trail, sealed in the register, and lock the name
    trail_and_locks = frozenset({"audit_trail", "seal_record", "seal_head", "sign_in_lock"})
    before = fingerprint(office, leave_out=trail_and_locks)
    with office.session() as session:
        first = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    start = dt.datetime(2031, 7, 1, tzinfo=dt.UTC)
    commands = [command for command, _ in guarded(office)]
    with clock.frozen(start):
        for step, command in enumerate(commands):
            code, err = refused(office, command, capsys, "--user", "Alice")
            # five wrong PINs, then the name is locked: even these tries are refused
            expected = (
                WRONG_PIN if step < 5 else "trop d'essais pour « Alice » : réessayez dans 30 s"
            )
            assert code == 2 and expected in err, (command, err)
    assert fingerprint(office, leave_out=trail_and_locks) == before
    with office.session() as session:
        tries = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject)
            .where(AuditEntry.id > first)
            .order_by(AuditEntry.id)
        ).all()
    assert tries == [("Alice", "signin.failed", "cli")] * 5 + [
        ("Alice", "signin.locked", "cli")
    ] * (len(commands) - 5)
    with clock.frozen(start + dt.timedelta(seconds=30)):
        sign_in(office, "Alice", PINS["Alice"])  # the lock is over; the right PIN clears it
    with office.session() as session:
        assert session.execute(text("SELECT count(*) FROM sign_in_lock")).scalar() == 0


def test_each_door_opens_to_the_least_role_allowed(
    office: Database,
) -> None:
    """What gives the refusals above their meaning: the same arguments pass the door for the
    least role that has the permission (the command itself is not run)."""
    actors = {role: sign_in(office, name, PINS[name]) for role, name in PEOPLE.items()}
    for command, permission in guarded(office):
        args = PARSER.parse_args([*command.split()[1:], *ARGS[command], "--db", office.url])
        with acting_as(actors[roles_allowed(permission)[0]]):
            check_door(args)


def test_the_core_refuses_an_operator_whatever_face_calls_it(office: Database) -> None:
    """The window calls these operations directly: they check the permission themselves."""
    from regie.settings.office import set_office
    from regie.settlement.invoices import create_invoice, credit_invoice, parse_line

    chloe = sign_in(office, "Chloé", PINS["Chloé"])
    before = fingerprint(office)
    attempts = {
        "facturer": lambda s: create_invoice(
            s, client="Mamasound", lines=[parse_line("Location;1;100;20")]
        ),
        "avoir": lambda s: credit_invoice(s, "F-2031-0001"),
        "organisation": lambda s: set_office(s, "organisation.name", "Mallory SARL"),
    }
    for what, attempt in attempts.items():
        refused = pytest.raises(UserError, match=r"Chloé \(opérateur\) ne peut pas")
        with acting_as(chloe), refused, office.session() as session:
            attempt(session)
        assert fingerprint(office) == before, what


if __name__ == "__main__":  # the table for docs/roles.md
    from regie.audit.doors_table import doors_table

    print(doors_table(doors(build_parser())), end="")

"""Roles, PINs and the audit trail, on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from regie.audit.trail import TrailFilter, count, page
from regie.db import Database
from regie.errors import UserError
from regie.inventory import incidents
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.inventory.models import IncidentKind
from regie.ledger.closures import EVENT, close_z
from regie.ledger.desk import RefundRules, cash_refund, cash_topup, correction
from regie.ledger.melting import sweep
from regie.people.actor import Actor, acting_as, set_desk_actor, sign_in
from regie.people.demo import add_demo_people
from regie.people.directory import add_person
from regie.people.models import AuditEntry, Person
from regie.settings.convention import set_setting
from tests.ledger_fixtures import festival_file, import_file

CARD = "04A1B2C3D4E5F6"


@pytest.fixture(autouse=True)
def nobody_at_the_desk() -> Iterator[None]:
    yield
    set_desk_actor(None)


@pytest.fixture
def office(demo: Database) -> Iterator[Database]:
    """The demo festival with its three demo people (admin Alice, manager Bruno, operator
    Chloé); the demo is copied from the session's template (tests/inventory_fixtures.py)."""
    with demo.session() as session:
        add_demo_people(session)
    yield demo


def person(db: Database, name: str, pin: str) -> Actor:
    return sign_in(db, name, pin)


def restricted_actions(db: Database) -> dict[str, object]:
    """Each restricted action, run in its own transaction; what it raised (or None)."""
    with db.session() as session:
        cash_topup(session, CARD, 2000)
        number = incidents.report(session, "CCC-V2S-017", IncidentKind.BREAKAGE).id
    actions = {
        "Z": lambda s: close_z(s, EVENT),
        "refund": lambda s: cash_refund(s, CARD, RefundRules()),
        "write-off": lambda s: incidents.write_off(s, number),
        "convention": lambda s: set_setting(s, "flat_rate_bp", "25 %", dt.date(2026, 1, 1)),
        "correction": lambda s: correction(s, CARD, 5000, "geste commercial"),
        "melt": lambda s: sweep(s, months=0),
    }
    outcome: dict[str, object] = {}
    for name, run in actions.items():
        try:
            with db.session() as session:
                run(session)
            outcome[name] = None
        except UserError as error:
            outcome[name] = str(error)
    return outcome


def test_an_operator_is_refused_each_restricted_action_with_who_and_what_is_needed(
    office: Database,
) -> None:
    with acting_as(person(office, "Chloé", "3333")):
        refused = restricted_actions(office)
    assert refused == {
        "Z": "Chloé (opérateur) ne peut pas clôturer un Z : "
        "il faut être responsable ou administrateur.",
        "refund": "Chloé (opérateur) ne peut pas rembourser : "
        "il faut être responsable ou administrateur.",
        "write-off": "Chloé (opérateur) ne peut pas sortir du matériel de l'inventaire : "
        "il faut être responsable ou administrateur.",
        "convention": "Chloé (opérateur) ne peut pas modifier la convention : "
        "il faut être responsable ou administrateur.",
        "correction": "Chloé (opérateur) ne peut pas corriger le solde d'une carte : "
        "il faut être responsable ou administrateur.",
        "melt": "Chloé (opérateur) ne peut pas faire fondre les soldes dormants : "
        "il faut être responsable ou administrateur.",
    }
    with office.session() as session:  # her top-up and incident report; nothing refused
        done = {line.action for line in page(session, TrailFilter(actor="Chloé"))}
    assert done == {"ledger.post", "incident.open"}


def test_a_manager_may_close_refund_write_off_and_change_the_convention(
    office: Database,
) -> None:
    with acting_as(person(office, "Bruno", "222222")):
        assert restricted_actions(office) == dict.fromkeys(
            ("Z", "refund", "write-off", "convention", "correction", "melt")
        )


def test_nobody_identified_is_told_how_to_identify_once_people_exist(office: Database) -> None:
    needed = r"pour clôturer un Z, identifiez-vous .*Changer d'utilisateur \(Ctrl\+U\)"
    with pytest.raises(UserError, match=needed) as told, office.session() as session:
        close_z(session, EVENT)
    assert "ajoutez --user NOM à la commande" in told.value.on_command_line()


def test_pins_are_stored_salted_and_hashed_and_a_wrong_pin_is_refused(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        add_person(session, "Alice", "admin", "482913")
    with acting_as(person(db, "Alice", "482913")), db.session() as session:
        add_person(session, "Bruno", "manager", "482913")
    with db.session() as session:
        rows = list(session.scalars(select(Person).order_by(Person.name)))
        stored = session.execute(text("SELECT * FROM person")).all()
    assert all(b"482913" not in bytes(row.pin_hash) for row in rows)
    assert not any("482913" in str(value) for row in stored for value in row)
    assert rows[0].pin_hash != rows[1].pin_hash  # same PIN, different salts
    with pytest.raises(UserError, match="nom ou code PIN incorrect"):
        person(db, "Alice", "000000")
    with pytest.raises(UserError, match="nom ou code PIN incorrect"):
        person(db, "Personne", "482913")
    assert person(db, "Alice", "482913").role == "admin"
    db.dispose()


def test_the_first_person_must_be_an_admin_and_only_an_admin_adds_people(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    first = "la première personne doit être administrateur"
    with pytest.raises(UserError, match=first), db.session() as session:
        add_person(session, "Chloé", "operator", "3333")
    with db.session() as session:
        add_demo_people(session)
    refused = r"Bruno \(responsable\) ne peut pas gérer"
    bruno = person(db, "Bruno", "222222")
    with acting_as(bruno), pytest.raises(UserError, match=refused), db.session() as session:
        add_person(session, "Denis", "operator", "4444")
    db.dispose()


def trail_of(db: Database, action: str) -> list[tuple[str, str, str]]:
    with db.session() as session:
        return [
            (line.actor, line.role, line.text) for line in page(session, TrailFilter(action=action))
        ]


def test_a_loan_a_write_off_a_closure_and_a_refund_are_recorded_with_who_and_when(
    office: Database,
) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with acting_as(person(office, "Bruno", "222222")):
        with office.session() as session:
            checkout(
                session,
                "Mamasound",
                Items(("CCC-V2S-001", "CCC-AP-001")),
                due_on=dt.date(2031, 7, 20),
            )
        restricted_actions(office)
    assert trail_of(office, "loan.items")[0][:2] == ("Bruno", "manager")
    assert "CCC-V2S-001" in trail_of(office, "loan.items")[0][2]
    assert "CCC-AP-001" in trail_of(office, "loan.items")[0][2]  # one line for the loan
    assert trail_of(office, "loan.out")[0][:2] == ("Bruno", "manager")
    assert trail_of(office, "incident.write_off") == [
        ("Bruno", "manager", trail_of(office, "incident.write_off")[0][2])
    ]
    assert "CCC-V2S-017 sorti de l'inventaire" in trail_of(office, "incident.write_off")[0][2]
    assert trail_of(office, "closure.z")[0][:2] == ("Bruno", "manager")
    # Bruno's refund only: the demo's setup also wrote a line of this kind (its prior-season
    # journal, 601 transfers with 3 refunds among them, written by the system account)
    refunds = [line for line in trail_of(office, "ledger.refund") if line[0] == "Bruno"]
    assert len(refunds) == 1 and "20,00" in refunds[0][2] and CARD in refunds[0][2]
    assert "forfait simple : 25 %" in trail_of(office, "convention.change")[0][2]
    with office.session() as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert newest is not None and newest.at.replace(tzinfo=newest.at.tzinfo or dt.UTC) >= before


def test_a_rolled_back_change_leaves_no_audit_line(office: Database) -> None:
    with office.session() as session:
        lines = count(session)
    with pytest.raises(RuntimeError), office.session() as session:
        checkout(session, "Mamasound", Items(("CCC-V2S-002",)), due_on=dt.date(2031, 7, 20))
        raise RuntimeError("the office lost power")
    with office.session() as session:
        assert count(session) == lines


def test_audit_lines_cannot_be_changed_or_deleted(office: Database) -> None:
    with office.session() as session:
        assert count(session) > 0
    for sql in ("UPDATE audit_trail SET actor = 'personne'", "DELETE FROM audit_trail"):
        with pytest.raises(DBAPIError, match="ajout seul"), office.engine.begin() as connection:
            connection.execute(text(sql))


def test_a_journal_import_is_one_audit_line_whatever_its_size(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    db.upgrade()
    import_file(db, festival_file(tmp_path, transactions=3000, cards=200))
    with db.session() as session:
        lines = page(session, TrailFilter(action="ledger"))
    assert len(lines) == 1
    assert "transferts" in lines[0].text
    db.dispose()


def regie(*args: str, pin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGIE_PIN": pin, "REGIE_LANG": "fr"}
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_operator_refused_a_z_manager_closes_it_and_the_audit_names_him(
    office: Database,
) -> None:
    url = office.url
    refused = regie(
        "ledger", "close", "--event", "--kind", "Z", "--db", url, "--user", "Chloé", pin="3333"
    )
    assert refused.returncode == 2
    assert "Chloé (opérateur) ne peut pas clôturer un Z" in refused.stderr
    wrong = regie(
        "ledger", "close", "--event", "--kind", "Z", "--db", url, "--user", "Bruno", pin="9999"
    )
    assert wrong.returncode == 2 and "nom ou code PIN incorrect" in wrong.stderr
    closed = regie(
        "ledger", "close", "--event", "--kind", "Z", "--db", url, "--user", "Bruno", pin="222222"
    )
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.splitlines()[0].endswith(" — Tout l'événement")  # words, not codes
    assert "pos:" not in closed.stdout and " topup " not in closed.stdout
    shown = regie("audit", "--action", "closure", "--db", url, "--user", "Alice", pin="111111")
    assert shown.returncode == 0, shown.stderr
    assert "Bruno (responsable)" in shown.stdout and "Clôture Z n°1" in shown.stdout
    # a non-restricted command still works without --user
    assert regie("ledger", "balance", "--db", url).returncode == 0

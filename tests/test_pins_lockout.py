"""PINs long enough for the role that holds them, a lock that grows after repeated failures
and survives a restart, each refused sign-in in the audit trail, and demo people only where
nobody is registered yet. One base per backend; time moves with ``clock.frozen``, never sleeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from regie import clock
from regie.audit.trail import TrailFilter, page
from regie.cli import build_parser, run_command
from regie.db import Database
from regie.errors import Conflict, UserError
from regie.ledger.closures import EVENT, close_z
from regie.people.actor import acting_as, require, set_desk_actor, sign_in
from regie.people.demo import add_demo_people
from regie.people.directory import add_person, set_pin
from regie.people.lockout import delay_after
from regie.people.models import Person
from regie.people.roles import Permission
from tests.people_fixtures import BACKENDS, add_with_old_pin, base_with_people

T0 = dt.datetime(2031, 7, 14, 20, 0, tzinfo=dt.UTC)
PARSER = build_parser()


@pytest.fixture(scope="module", params=BACKENDS)
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The demo people, and Denis: a manager whose 4-digit PIN predates the six-digit rule."""
    db = base_with_people(request, tmp_path_factory, "pins")
    with db.session() as session:
        add_with_old_pin(session, "Denis", "manager", "4444")
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def nobody_at_the_desk() -> Iterator[None]:
    yield
    set_desk_actor(None)


def cli(db: Database, *argv: str) -> int:
    return run_command(PARSER.parse_args([*argv, "--db", db.url]))


def test_a_manager_s_or_admin_s_pin_has_six_digits_an_operator_s_may_have_four(
    office: Database,
) -> None:
    alice = sign_in(office, "Alice", "111111")
    with acting_as(alice):
        for role in ("manager", "admin"):
            with pytest.raises(UserError, match="de 6 à 12"), office.session() as s:
                add_person(s, f"Court {role}", role, "1234")
        with office.session() as session:
            add_person(session, "Émile", "operator", "5678")
        with pytest.raises(UserError, match="de 6 à 12 chiffres"), office.session() as s:
            set_pin(s, "Bruno", "12345")
    assert sign_in(office, "Émile", "5678").role == "operator"


def test_a_manager_whose_short_pin_predates_the_rule_must_change_it_before_anything_else(
    office: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    denis = sign_in(office, "Denis", "4444")
    assert denis.must_change_pin
    refused = pytest.raises(UserError, match="Fichier › Changer d'utilisateur")
    with acting_as(denis), refused as told, office.session() as session:
        require(session, Permission.CLOSE_Z)
    assert "regie --user Denis users pin Denis" in told.value.on_command_line()
    # On the command line: every door refuses, saying how; his own PIN he may change.
    monkeypatch.setenv("REGIE_PIN", "4444")
    assert cli(office, "ledger", "close", "--event", "--kind", "Z", "--user", "Denis") == 2
    said = capsys.readouterr().err
    assert "au moins 6 chiffres" in said and "regie --user Denis users pin Denis" in said
    monkeypatch.setenv("REGIE_NEW_PIN", "4321")
    assert cli(office, "users", "pin", "Denis", "--user", "Denis") == 2
    assert "de 6 à 12 chiffres" in capsys.readouterr().err  # too short again: refused
    monkeypatch.setenv("REGIE_NEW_PIN", "864209")
    assert cli(office, "users", "pin", "Denis", "--user", "Denis") == 0, capsys.readouterr()
    assert not sign_in(office, "Denis", "864209").must_change_pin
    with pytest.raises(UserError, match="incorrect"):
        sign_in(office, "Denis", "4444")
    # one's own PIN only: an operator does not change a colleague's
    chloe = sign_in(office, "Chloé", "3333")
    refused = pytest.raises(UserError, match="ne peut pas gérer")
    with acting_as(chloe), refused, office.session() as session:
        set_pin(session, "Bruno", "999999")


def test_five_failures_lock_the_name_30_s_each_further_one_doubles_and_a_restart_keeps_it(
    office: Database,
) -> None:
    assert [delay_after(n).total_seconds() for n in (4, 5, 6, 7)] == [0, 30, 60, 120]
    assert delay_after(10_000) == dt.timedelta(days=1)
    with clock.frozen(T0):
        for _ in range(5):
            with pytest.raises(UserError, match="incorrect"):
                sign_in(office, "Bruno", "000000")
    with clock.frozen(T0 + dt.timedelta(seconds=10)), pytest.raises(UserError) as locked:
        sign_in(office, "Bruno", "222222")  # the right PIN, but too soon
    assert "réessayez dans 20 s" in str(locked.value)
    restarted = Database(office.url)  # another process, the next morning's Régie: same lock
    try:
        with clock.frozen(T0 + dt.timedelta(seconds=30)), pytest.raises(UserError):
            sign_in(restarted, "Bruno", "000001")  # sixth failure: 60 s now
        with clock.frozen(T0 + dt.timedelta(seconds=89)), pytest.raises(UserError, match="1 s"):
            sign_in(restarted, "Bruno", "222222")
        with clock.frozen(T0 + dt.timedelta(seconds=90)):
            assert sign_in(restarted, "Bruno", "222222").name == "Bruno"
            assert sign_in(restarted, "Bruno", "222222").name == "Bruno"  # cleared: no wait
    finally:
        restarted.dispose()


def test_each_refused_sign_in_is_in_the_audit_trail_with_the_name_tried_and_where(
    office: Database,
) -> None:
    with office.session() as session:
        known = len(page(session, TrailFilter(action="signin"), limit=1000))
    for place in ("window", "cli"):
        with pytest.raises(UserError):
            sign_in(office, "Mallory", "123456", place=place)
    with office.session() as session:
        lines = page(session, TrailFilter(action="signin"), limit=1000)
    assert len(lines) == known + 2
    texts = {line.text for line in lines if line.actor == "Mallory"}
    assert texts == {
        "Connexion refusée à Mallory (fenêtre) : nom ou code PIN incorrect",
        "Connexion refusée à Mallory (ligne de commande) : nom ou code PIN incorrect",
    }


def test_users_demo_refuses_a_base_that_has_people(
    office: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(Conflict, match="déjà des utilisateurs"), office.session() as session:
        add_demo_people(session)
    monkeypatch.setenv("REGIE_PIN", "111111")
    with office.session() as session:
        before = session.scalars(select(Person.name).order_by(Person.name)).all()
    assert cli(office, "users", "demo") == 2  # nobody: the door
    assert "identifiez-vous" in capsys.readouterr().err
    assert cli(office, "users", "demo", "--user", "Alice") == 2  # even an admin: public PINs
    assert "déjà des utilisateurs" in capsys.readouterr().err
    with office.session() as session:
        assert session.scalars(select(Person.name).order_by(Person.name)).all() == before


def test_a_closure_is_still_refused_to_a_manager_until_his_pin_is_long_enough(
    office: Database,
) -> None:
    """The core's own check (not only the CLI's door) holds the must-change rule."""
    with office.session() as session:
        add_with_old_pin(session, "Fanny", "admin", "5555")
    fanny = sign_in(office, "Fanny", "5555")
    refused = pytest.raises(UserError, match="changez le vôtre")
    with acting_as(fanny), refused, office.session() as session:
        close_z(session, EVENT)

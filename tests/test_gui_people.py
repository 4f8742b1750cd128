"""Login, the audit trail screen and the users screen: real windows, real databases."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from regie.audit.changes import Line
from regie.audit.recorder import record
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.ledger.closures import EVENT, close_z
from regie.people.actor import acting_as, current_actor, set_desk_actor, sign_in
from regie.people.demo import add_demo_people
from regie.ui.app import build_window
from regie.ui.people.login_dialog import LoginDialog
from regie.ui.people.page import PeoplePage
from regie.ui.people.trail_model import PAGE

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def nobody_at_the_desk() -> Iterator[None]:
    yield
    set_desk_actor(None)


@pytest.fixture
def office(demo: Database) -> Iterator[Database]:
    db = demo  # the demo copied from the session's template (tests/inventory_fixtures.py)
    with db.session() as session:
        add_demo_people(session)
    bruno = sign_in(db, "Bruno", "222222")
    with acting_as(bruno):
        with db.session() as session:
            checkout(session, "Mamasound", Items(("CCC-V2S-001",)), due_on=dt.date(2031, 7, 20))
        with db.session() as session:
            close_z(session, EVENT)
    yield db
    db.dispose()


def log_in(db: Database, name: str, pin: str) -> None:
    set_desk_actor(sign_in(db, name, pin))


def test_login_refuses_a_wrong_pin_then_signs_the_person_in(
    qtbot: QtBot, office: Database, artifacts: Path
) -> None:
    dialog = LoginDialog(office)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "Alice (administrateur) : 111111" in dialog.findChild(QLabel, "loginHint").text()
    dialog.name.setCurrentText("Bruno")
    dialog.pin.setText("9999")
    dialog.try_sign_in()
    assert dialog.error.text() == "nom ou code PIN incorrect"
    assert dialog.isVisible() and current_actor() is None
    dialog.grab().save(str(artifacts / "people-login.png"))
    dialog.pin.setText("222222")
    dialog.try_sign_in()
    assert not dialog.isVisible()
    actor = current_actor()
    assert actor is not None and (actor.name, actor.role) == ("Bruno", "manager")


def test_audit_screen_shows_and_filters_by_person_action_and_day(
    qtbot: QtBot, office: Database, artifacts: Path
) -> None:
    log_in(office, "Alice", "111111")
    page = PeoplePage(office)
    qtbot.addWidget(page)
    page.resize(1200, 650)
    page.show()
    qtbot.waitExposed(page)
    trail = page.trail
    assert trail is not None and page.users is not None
    everything = trail.model.total
    assert everything > 2
    trail.person.setCurrentIndex(trail.person.findData("Bruno"))
    rows = trail.model.rows
    assert rows and all(row[1] == "Bruno (responsable)" for row in rows)
    assert {row[2] for row in rows} >= {"Prêt", "Matériel prêté", "Clôture Z"}
    trail.action.setCurrentIndex(trail.action.findData("closure.z"))
    assert len(trail.model.rows) == 1 and "Clôture Z n°" in trail.model.rows[0][4]
    assert trail.summary.text() == "1 ligne"
    page.grab().save(str(artifacts / "people-audit.png"))
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    trail.since.setDate(trail.since.date().fromString(tomorrow.isoformat(), "yyyy-MM-dd"))
    assert trail.model.rows == []
    trail.clear_filters()
    assert trail.model.total == everything


def test_the_trail_is_read_page_by_page(qtbot: QtBot, office: Database) -> None:
    with office.session() as session:
        for number in range(3 * PAGE):
            record(
                session,
                Line(
                    "asset.change",
                    f"T{number}",
                    "Matériel {tag} modifié : {fields}",
                    {"tag": f"T{number}", "fields": "notes"},
                ),
            )
    log_in(office, "Alice", "111111")
    page = PeoplePage(office)
    qtbot.addWidget(page)
    model = page.trail.model if page.trail else None
    assert model is not None and model.total > 3 * PAGE
    assert model.rowCount() == PAGE  # only the newest page is read
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    assert model.rows[0][3] == f"T{3 * PAGE - 1}"  # newest first


def test_an_operator_sees_his_name_and_no_audit_until_a_manager_logs_in(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, office: Database, artifacts: Path
) -> None:
    log_in(office, "Chloé", "3333")
    window = build_window(office, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_section("people")
    assert window.people.label is not None
    assert window.people.label.text() == "Connecté : Chloé (opérateur)"
    page = window.pages.currentWidget()
    assert isinstance(page, PeoplePage) and page.trail is None and page.users is None
    assert "réservé aux responsables" in page.closed.text()
    window.grab().save(str(artifacts / "people-operator.png"))
    dialog = window.people.switch_user()
    dialog.name.setCurrentText("Alice")
    dialog.pin.setText("111111")
    dialog.try_sign_in()
    assert window.people.label.text() == "Connecté : Alice (administrateur)"
    window.show_section("people")
    page = window.pages.currentWidget()
    assert isinstance(page, PeoplePage) and page.trail is not None and page.users is not None
    page.tabs.setCurrentWidget(page.users)
    users = page.users
    qtbot.waitUntil(lambda: users.isVisible() and users.table.rowCount() == 3)
    window.grab().save(str(artifacts / "people-users.png"))
    window.devices.stop()


def test_a_manager_with_a_pin_from_before_the_rule_chooses_a_new_one_at_login(
    qtbot: QtBot, tmp_path: Path, artifacts: Path
) -> None:
    from tests.people_fixtures import add_with_old_pin

    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
        add_with_old_pin(session, "Denis", "manager", "4444")
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.new_pin.isVisible()
    dialog.name.setCurrentText("Denis")
    dialog.pin.setText("4444")
    dialog.try_sign_in()
    assert dialog.isVisible() and current_actor() is None  # not in yet
    assert dialog.new_pin.isVisible() and "au moins 6 chiffres" in dialog.error.text()
    dialog.grab().save(str(artifacts / "people-login-new-pin.png"))
    dialog.new_pin.setText("4321")
    dialog.again.setText("4321")
    dialog.try_sign_in()
    assert "de 6 à 12 chiffres" in dialog.error.text() and current_actor() is None
    dialog.new_pin.setText("864209")
    dialog.again.setText("864210")
    dialog.try_sign_in()
    assert "diffèrent" in dialog.error.text() and current_actor() is None
    dialog.new_pin.setText("864209")
    dialog.again.setText("864209")
    dialog.try_sign_in()
    assert not dialog.isVisible()
    actor = current_actor()
    assert actor is not None and actor.name == "Denis" and not actor.must_change_pin
    assert not sign_in(db, "Denis", "864209").must_change_pin
    db.dispose()


def test_a_refused_login_in_the_window_is_in_the_audit_trail(qtbot: QtBot, tmp_path: Path) -> None:
    from regie.audit.trail import TrailFilter, page

    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
    dialog = LoginDialog(db)
    qtbot.addWidget(dialog)
    dialog.name.setCurrentText("Bruno")
    dialog.pin.setText("999999")
    dialog.try_sign_in()
    with db.session() as session:
        (line,) = page(session, TrailFilter(action="signin"))
    assert (line.actor, line.subject) == ("Bruno", "window")
    assert line.text == "Connexion refusée à Bruno (fenêtre) : nom ou code PIN incorrect"
    db.dispose()

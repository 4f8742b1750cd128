"""Shared by the tests of people and doors: one base per backend and module with the demo
people, and a person whose PIN was stored before the six-digit rule."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from regie.db import Database
from regie.people.demo import add_demo_people
from regie.people.models import Person
from regie.people.pins import hash_pin

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
PINS = {"Alice": "111111", "Bruno": "222222", "Chloé": "3333"}


def base_with_people(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Database:
    """A new base on the backend of ``request.param``, with Alice, Bruno and Chloé."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(name)}/regie.sqlite3"
    else:
        url = request.getfixturevalue("postgres").create_database()
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        add_demo_people(session)
    return db


def add_with_old_pin(session: Session, name: str, role: str, pin: str) -> None:
    """``name`` with ``pin`` as Régie stored it before managers and admins needed six digits."""
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    session.add(Person.with_pin(name=name, role=role, salted=hash_pin(pin), at=since))

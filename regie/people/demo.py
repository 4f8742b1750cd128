"""Three demo people, one per role, with PINs printed in the docs and the login hint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.people.models import Person
from regie.people.pins import hash_pin, pin_matches

DEMO_PEOPLE = (
    ("Alice", "admin", "1111"),
    ("Bruno", "manager", "2222"),
    ("Chloé", "operator", "3333"),
)


def add_demo_people(session: Session) -> int:
    """Add the demo people not there yet (no permission check: it is the demo's setup)."""
    added = 0
    for name, role, pin in DEMO_PEOPLE:
        if session.scalar(select(Person.id).where(Person.name == name)) is None:
            salt, digest = hash_pin(pin)
            session.add(
                Person(
                    name=name,
                    role=role,
                    pin_salt=salt,
                    pin_hash=digest,
                    active=True,
                    created_at=clock.now(),
                )
            )
            added += 1
    session.flush()
    return added


def demo_hint(session: Session) -> list[tuple[str, str, str]]:
    """The demo people whose PIN is still the demo one (a real office changes them)."""
    people = {p.name: p for p in session.scalars(select(Person).where(Person.active))}
    return [
        (name, role, pin)
        for name, role, pin in DEMO_PEOPLE
        if name in people and pin_matches(pin, people[name].pin_salt, people[name].pin_hash)
    ]

"""Three demo people, one per role, with PINs printed in the docs and the login hint.

Their PINs are public: they go only into a base that has nobody yet (a demo or a try-out),
never next to real people.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict
from regie.i18n import _
from regie.people.actor import has_people
from regie.people.models import Person
from regie.people.pins import hash_pin, pin_matches

DEMO_PEOPLE = (
    ("Alice", "admin", "111111"),
    ("Bruno", "manager", "222222"),
    ("Chloé", "operator", "3333"),
)


def add_demo_people(session: Session) -> int:
    """Add the demo people to a base that has nobody yet (the demo's setup: no permission
    check, since nobody could be asked); refuse a base that has people."""
    if has_people(session):
        raise Conflict(
            _(
                "cette base a déjà des utilisateurs : les personnes de démonstration (codes "
                "publics) n'y sont pas ajoutées. Ajoutez les vraies personnes dans Utilisateurs "
                "et audit › Utilisateurs"
            ),
            command=_(
                "cette base a déjà des utilisateurs : les personnes de démonstration (codes "
                "publics) n'y sont pas ajoutées. Ajoutez les vraies personnes avec "
                "« regie users add »"
            ),
        )
    added = 0
    for name, role, pin in DEMO_PEOPLE:
        if session.scalar(select(Person.id).where(Person.name == name)) is None:
            salted = hash_pin(pin, role)
            session.add(Person.with_pin(name=name, role=role, salted=salted, at=clock.now()))
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

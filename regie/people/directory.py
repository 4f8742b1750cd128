"""The people of the office: add, list, change a role or a PIN, deactivate.

The first person must be an administrator (it ends single-user mode); after that only an
administrator manages people, and the last active administrator cannot be removed. Anyone
signed in may change their own PIN.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, NotFound, UserError
from regie.i18n import _
from regie.people.actor import current_actor, has_people, require
from regie.people.models import Person
from regie.people.pins import hash_pin
from regie.people.roles import Permission, Role, parse_role

MAX_NAME = 80


@dataclass(frozen=True)
class PersonRow:
    name: str
    role: str
    active: bool


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise UserError(_("un nom a de 1 à {most} caractères").format(most=MAX_NAME))
    return name


def get_person(session: Session, name: str) -> Person:
    person = session.scalar(select(Person).where(Person.name == name.strip()))
    if person is None:
        raise NotFound(_("personne inconnue : « {name} »").format(name=name))
    return person


def add_person(session: Session, name: str, role: str, pin: str) -> PersonRow:
    """A new person; the very first one must be an administrator."""
    name, parsed = _clean_name(name), parse_role(role)
    if has_people(session):
        require(session, Permission.MANAGE_PEOPLE)
    elif parsed is not Role.ADMIN:
        raise UserError(
            _(
                "la première personne doit être administrateur (rôle « Administrateur ») : "
                "elle pourra ensuite ajouter les autres"
            ),
            command=_(
                "la première personne doit être administrateur (--role admin) : elle pourra "
                "ensuite ajouter les autres"
            ),
        )
    if session.scalar(select(Person.id).where(Person.name == name)) is not None:
        raise Conflict(_("« {name} » existe déjà").format(name=name))
    salted = hash_pin(pin, parsed.value)
    session.add(Person.with_pin(name=name, role=parsed.value, salted=salted, at=clock.now()))
    session.flush()
    return PersonRow(name, parsed.value, True)


def _admins_left(session: Session, without: Person) -> int:
    return int(
        session.scalar(
            select(func.count(Person.id)).where(
                Person.role == Role.ADMIN.value, Person.active, Person.id != without.id
            )
        )
        or 0
    )


def set_role(session: Session, name: str, role: str) -> PersonRow:
    require(session, Permission.MANAGE_PEOPLE)
    person, parsed = get_person(session, name), parse_role(role)
    if (
        person.role == Role.ADMIN.value
        and parsed is not Role.ADMIN
        and not _admins_left(session, person)
    ):
        raise Conflict(
            _("{name} est le dernier administrateur : nommez-en un autre d'abord").format(
                name=person.name
            )
        )
    person.role = parsed.value
    session.flush()
    return PersonRow(person.name, person.role, person.active)


def set_pin(session: Session, name: str, pin: str) -> None:
    """A new PIN: one's own (signed in with the current one), or anyone's for an admin."""
    actor = current_actor()
    person = get_person(session, name)
    own = actor is not None and actor.person_id == person.id
    require(session, Permission.OWN_PIN if own else Permission.MANAGE_PEOPLE)
    person.pin_salt, person.pin_hash = hash_pin(pin, person.role)
    session.flush()


def set_active(session: Session, name: str, active: bool) -> PersonRow:
    require(session, Permission.MANAGE_PEOPLE)
    person = get_person(session, name)
    if not active and person.role == Role.ADMIN.value and not _admins_left(session, person):
        raise Conflict(
            _("{name} est le dernier administrateur : nommez-en un autre d'abord").format(
                name=person.name
            )
        )
    person.active = active
    session.flush()
    return PersonRow(person.name, person.role, person.active)


def list_people(session: Session) -> list[PersonRow]:
    return [
        PersonRow(p.name, p.role, p.active)
        for p in session.scalars(select(Person).order_by(Person.name))
    ]

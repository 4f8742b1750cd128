"""Who is acting now, and the one check every guarded operation makes: :func:`require`.

The actor is a contextvar (``acting_as`` in tests and scoped work) over a process-wide
"person at the desk" set by the GUI login or the CLI's ``--user``: executor threads do not
inherit contextvars, and the laptop has one person at its keyboard at a time.

Single-user mode: while the database holds no active person, everything is allowed and the
audit trail names the operating-system account, so a fresh install works at once.
"""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import _
from regie.people.models import Person
from regie.people.pins import pin_matches
from regie.people.roles import PERMISSION_LABELS, Permission, allows, role_label, roles_allowed


@dataclass(frozen=True)
class Actor:
    name: str
    role: str  # empty: not identified
    person_id: int | None = None

    @property
    def identified(self) -> bool:
        return self.person_id is not None


_scoped: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("regie_actor", default=None)
_desk: Actor | None = None


def system_account() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers, services)
        return "?"


def current_actor() -> Actor | None:
    """The identified person acting now, or None."""
    return _scoped.get() or _desk


def audit_actor() -> Actor:
    """Who the audit trail names: the person acting, else the operating-system account."""
    return current_actor() or Actor(system_account(), "")


def set_desk_actor(actor: Actor | None) -> None:
    """The person at the keyboard (GUI login, CLI ``--user``); None: nobody logged in."""
    global _desk
    _desk = actor


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    token = _scoped.set(actor)
    try:
        yield
    finally:
        _scoped.reset(token)


def has_people(session: Session) -> bool:
    return session.scalar(select(Person.id).where(Person.active).limit(1)) is not None


def sign_in(session: Session, name: str, pin: str) -> Actor:
    """The person if name and PIN match; the same message either way (no name probing)."""
    person = session.scalar(select(Person).where(Person.name == name.strip(), Person.active))
    if person is None or not pin_matches(pin, person.pin_salt, person.pin_hash):
        raise UserError(_("nom ou code PIN incorrect"))
    return Actor(person.name, person.role, person.id)


def may(session: Session, permission: Permission) -> bool:
    """Whether the current actor may do it (always, in single-user mode)."""
    actor = current_actor()
    if actor is not None and actor.identified:
        return allows(actor.role, permission)
    return not has_people(session)


def require(session: Session, permission: Permission) -> None:
    """Refuse, with a message naming the person, their role and what is needed."""
    if may(session, permission):
        return
    needed = _(" ou ").join(role_label(role) for role in roles_allowed(permission))
    action = _(PERMISSION_LABELS[permission])
    actor = current_actor()
    if actor is None or not actor.identified:
        raise UserError(
            _(
                "pour {action}, identifiez-vous ({needed}) : connectez-vous dans la fenêtre, "
                "ou ajoutez --user NOM à la commande (code PIN dans REGIE_PIN ou demandé)"
            ).format(action=action, needed=needed)
        )
    raise UserError(
        _("{name} ({role}) ne peut pas {action} : il faut être {needed}.").format(
            name=actor.name, role=role_label(actor.role), action=action, needed=needed
        )
    )

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
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import _
from regie.people.lockout import locked_for, note_failure, note_success, wait_text
from regie.people.models import Person
from regie.people.pins import min_digits, pin_matches, too_short_for
from regie.people.roles import PERMISSION_LABELS, Permission, allows, role_label, roles_allowed

if TYPE_CHECKING:
    from regie.db import Database


@dataclass(frozen=True)
class Actor:
    name: str
    role: str  # empty: not identified
    person_id: int | None = None
    # Signed in with a PIN shorter than the role needs (set before the rule): this person may
    # only change it (the window asks at once; the command line says how).
    must_change_pin: bool = False

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


def sign_in(db: Database, name: str, pin: str, *, place: str = "cli") -> Actor:
    """The person if name and PIN match; the same message either way (no name probing).

    A failure is recorded (the audit trail names who was tried and from where: ``cli`` or
    ``window``) and counted: after five in a row the name waits, longer each time.
    """
    with db.session() as session:
        outcome = _attempt(session, name, pin, place)
    if isinstance(outcome, UserError):
        raise outcome
    return outcome


def _attempt(session: Session, name: str, pin: str, place: str) -> Actor | UserError:
    wait = locked_for(session, name)
    if wait:
        note_failure(session, name, place, locked=True)
        return UserError(
            _(
                "trop d'essais pour « {name} » : réessayez dans {wait} (chaque nouvel échec "
                "double l'attente ; un administrateur peut changer le code dans Utilisateurs et "
                "audit › Utilisateurs)"
            ).format(name=name.strip(), wait=wait_text(wait)),
            command=_(
                "trop d'essais pour « {name} » : réessayez dans {wait} (chaque nouvel échec "
                "double l'attente ; un administrateur peut changer le code avec « regie users "
                "pin »)"
            ).format(name=name.strip(), wait=wait_text(wait)),
        )
    person = session.scalar(select(Person).where(Person.name == name.strip(), Person.active))
    if person is None or not pin_matches(pin, person.pin_salt, person.pin_hash):
        note_failure(session, name, place)
        return UserError(_("nom ou code PIN incorrect"))
    note_success(session, name)
    return Actor(
        name=person.name,
        role=person.role,
        person_id=person.id,
        must_change_pin=too_short_for(pin, person.role),
    )


def may(session: Session, permission: Permission) -> bool:
    """Whether the current actor may do it (always, in single-user mode)."""
    actor = current_actor()
    if actor is not None and actor.identified:
        if actor.must_change_pin:
            return permission is Permission.OWN_PIN
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
                "pour {action}, identifiez-vous ({needed}) : Fichier › Changer d'utilisateur "
                "(Ctrl+U)"
            ).format(action=action, needed=needed),
            command=_(
                "pour {action}, identifiez-vous ({needed}) : connectez-vous dans la fenêtre, "
                "ou ajoutez --user NOM à la commande (code PIN dans REGIE_PIN ou demandé)"
            ).format(action=action, needed=needed),
        )
    if actor.must_change_pin:
        raise pin_too_short(actor)
    raise UserError(
        _("{name} ({role}) ne peut pas {action} : il faut être {needed}.").format(
            name=actor.name, role=role_label(actor.role), action=action, needed=needed
        )
    )


def pin_too_short(actor: Actor) -> UserError:
    """What a manager or administrator with a PIN set before the six-digit rule reads."""
    values = {"name": actor.name, "role": role_label(actor.role), "digits": min_digits(actor.role)}
    return UserError(
        _(
            "{name} : le code PIN d'un {role} a maintenant au moins {digits} chiffres ; changez "
            "le vôtre avant de continuer (Fichier › Changer d'utilisateur : la fenêtre le "
            "demande à la connexion)"
        ).format(**values),
        command=_(
            "{name} : le code PIN d'un {role} a maintenant au moins {digits} chiffres ; changez "
            "le vôtre avant de continuer : dans la fenêtre (elle le demande à la connexion), ou "
            "avec « regie --user {name} users pin {name} » (code actuel dans REGIE_PIN, nouveau "
            "dans REGIE_NEW_PIN ou demandé)"
        ).format(**values),
    )

"""What every ``regie`` sub-command shares: ``--db``, opening the database, user errors.

Each domain (inventory, cards, ledger…) declares its commands in ``<domain>/commands.py``
with a ``register(commands, common)`` function that :mod:`regie.cli` calls.

The door: each command declares, next to it, what it needs (``set_defaults(needs=…)``): a
:class:`~regie.people.roles.Permission`, ``None`` for a reading, or a :class:`Needs` when it
depends on the arguments (an X reads, a Z closes). :func:`check_door` checks it once, before the
command runs, against the person signed in with ``--user`` (always allowed while nobody is
registered). ``docs/roles.md`` shows the table :func:`doors` draws from the same declarations.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from regie.errors import UserError
from regie.i18n import N_, _
from regie.people.roles import Permission

__all__ = [
    "Door",
    "Needs",
    "Permission",
    "UserError",
    "ask_pin",
    "check_door",
    "common_options",
    "database_url",
    "doors",
    "open_database",
    "person_may",
    "when_opened",
]

PIN_ENV = "REGIE_PIN"

if TYPE_CHECKING:
    from regie.db import Database

DB_HELP = N_(
    "adresse SQLAlchemy de la base (ex. postgresql://régie@serveur/festival) ; "
    "sinon REGIE_DATABASE_URL, sinon la base SQLite du dossier utilisateur"
)


USER_HELP = N_(
    "la personne qui agit (code PIN dans REGIE_PIN, sinon demandé) : nécessaire, dès que des "
    "utilisateurs existent, pour toute commande qui change la base ou lit un secret "
    "(voir docs/roles.md)"
)


# What the composition root (regie.cli) has done to every database a command opens: it installs
# the audit trail, which reads every area and so sits above the commands that open databases.
_when_opened: list[Callable[[Database], None]] = []


def when_opened(step: Callable[[Database], None]) -> None:
    """Have ``step`` run on each database a command opens from now on (idempotent)."""
    if step not in _when_opened:
        _when_opened.append(step)


class SubCommands(Protocol):
    choices: Any  # name -> parser, as argparse keeps them

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def actions_of(commands: SubCommands, name: str) -> SubCommands:
    """The actions of ``regie NAME``, for a higher area that adds its own there (the desk's
    money on a card sits with the cards but reads ``regie ledger topup``)."""
    parser: argparse.ArgumentParser = commands.choices[name]
    for action in parser._actions:  # argparse offers no public way back to them
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"regie {name} has no actions")


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets --db stand before or after the sub-command without one erasing the other.
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=_(DB_HELP))
    common.add_argument("--user", metavar=_("NOM"), default=argparse.SUPPRESS, help=_(USER_HELP))
    return common


def database_url(args: argparse.Namespace) -> str:
    from regie.paths import resolve_database_url

    return resolve_database_url(getattr(args, "db", None))


def open_database(args: argparse.Namespace, *, migrate: bool = True) -> Database:
    """The database the command works on, migrated to the newest schema."""
    from regie.db import Database

    db = Database(database_url(args))
    for step in _when_opened:
        step(db)
    if migrate:
        db.upgrade()
        # once per command: the door has signed the person in before the command opens it
        if getattr(args, "user", None) and not getattr(args, "signed_in", False):
            sign_in_from_cli(db, args.user)
            args.signed_in = True
    return db


def ask_pin(prompt: str, env: str) -> str:
    """A PIN from the environment (scripts) or typed without echo."""
    pin = os.environ.get(env)
    if pin is not None:
        return pin
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UserError(_("code PIN attendu (ou dans {env})").format(env=env)) from None


def sign_in_from_cli(db: Database, name: str) -> None:
    """``--user NAME``: the PIN from REGIE_PIN or typed; the person acts for this command."""
    from regie.people.actor import set_desk_actor, sign_in

    pin = ask_pin(_("Code PIN de {name} : ").format(name=name), PIN_ENV)
    set_desk_actor(sign_in(db, name, pin, place="cli"))


@dataclass(frozen=True, kw_only=True)
class Needs:
    """A permission that depends on the command's arguments; ``text`` (marked with ``N_``)
    says which, for the table of docs/roles.md."""

    choose: Callable[[argparse.Namespace], Permission | None]
    text: str
    strictest: Permission  # what the table-driven test tries to get past


def needs_of(args: argparse.Namespace) -> Permission | None:
    needs = getattr(args, "needs", None)
    return needs.choose(args) if isinstance(needs, Needs) else needs


def check_door(args: argparse.Namespace) -> None:
    """Refuse the command, before it runs, unless the person may do what it declares.

    A command with its own door (``set_defaults(door=…)``: the restore of a base that cannot be
    opened) checks there instead.
    """
    if "needs" not in args:
        raise LookupError("this command declares no needs= (see regie.commands)")
    permission = needs_of(args)
    if permission is None:
        return
    own_door: Callable[[argparse.Namespace, Permission], None] | None = getattr(args, "door", None)
    (own_door or person_may)(args, permission)


def person_may(args: argparse.Namespace, permission: Permission) -> None:
    """The usual door: the person signed in with ``--user`` on the command's base may."""
    from regie.people.actor import require

    db = open_database(args)
    try:
        with db.session() as session:
            require(session, permission)
    finally:
        db.dispose()


@dataclass(frozen=True, kw_only=True)
class Door:
    """One command and what it needs, as docs/roles.md shows them."""

    command: str
    needs: Permission | Needs | None
    own_door: bool
    note: str = ""  # set_defaults(needs_note=N_(…)): a word for the table


def doors(parser: argparse.ArgumentParser, prefix: str = "regie") -> Iterator[Door]:
    """Every command of ``parser`` (the leaves of its tree) and what it declares."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from doors(sub, f"{prefix} {name}")
            return
    yield Door(
        command=prefix,
        needs=parser.get_default("needs"),
        own_door=parser.get_default("door") is not None,
        note=parser.get_default("needs_note") or "",
    )

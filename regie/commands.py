"""What every ``regie`` sub-command shares: ``--db``, opening the database, user errors.

Each domain (inventory, cards, ledger…) declares its commands in ``<domain>/commands.py``
with a ``register(commands, common)`` function that :mod:`regie.cli` calls.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from regie.errors import UserError
from regie.i18n import N_, _

__all__ = [
    "UserError",
    "ask_pin",
    "common_options",
    "database_url",
    "open_database",
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
    "la personne qui agit (code PIN dans REGIE_PIN, sinon demandé) : nécessaire pour les "
    "actions réservées (Z, remboursements, sorties d'inventaire, convention) dès que des "
    "utilisateurs existent"
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
        if getattr(args, "user", None):
            sign_in_from_cli(db, args.user)
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
    with db.session() as session:
        set_desk_actor(sign_in(session, name, pin))

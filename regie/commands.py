"""What every ``regie`` sub-command shares: ``--db``, opening the database, user errors.

Each domain (inventory, cards, ledger…) declares its commands in ``<domain>/commands.py``
with a ``register(commands, common)`` function that :mod:`regie.cli` calls.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Protocol

from regie.errors import UserError
from regie.i18n import N_, _

__all__ = ["UserError", "common_options", "database_url", "open_database"]

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


class SubCommands(Protocol):
    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


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
    if migrate:
        db.upgrade()
        if getattr(args, "user", None):
            from regie.people.commands import sign_in_from_cli

            sign_in_from_cli(db, args.user)
    return db

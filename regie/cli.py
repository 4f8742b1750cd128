"""``regie``: the headless face of every job, and the launcher of the main window."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from regie.cli_words import speak, version_help
from regie.commands import (
    Permission,
    UserError,
    check_door,
    common_options,
    database_url,
    open_database,
    when_opened,
)
from regie.i18n import N_, _
from regie.version import __version__

if TYPE_CHECKING:
    from regie.db import Database

log = logging.getLogger("regie")

# Each domain registers its own sub-commands (see regie.commands).
DOMAIN_COMMANDS: tuple[str, ...] = (
    "regie.inventory.commands",
    "regie.cards.commands",
    "regie.ledger.commands",
    "regie.cards.desk_commands",  # adds the desk's actions to `regie ledger`
    "regie.terminals.commands",
    "regie.settlement.commands",
    "regie.audit.commands",
    "regie.audit.verify_commands",  # `regie verify`: the whole base against its seal
    "regie.settings.commands",
    "regie.backups.commands",
)


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="regie",
        description=_(
            "Régie : inventaire, cartes NFC, terminaux, grand livre et règlement "
            "d'un festival cashless. Sans commande, ouvre la fenêtre principale."
        ),
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"Régie {__version__}", help=version_help()
    )
    from regie.settings.language import language_option

    language_option(parser)
    parser.add_argument(
        "--simulate-reader",
        action="store_true",
        help=_("ajoute un lecteur de cartes simulé (machine sans lecteur, démonstration)"),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMANDE"))

    gui = commands.add_parser("gui", parents=[common], help=_("ouvre la fenêtre principale"))
    gui.add_argument("--simulate-reader", action="store_true", default=argparse.SUPPRESS)
    gui.set_defaults(
        func=cmd_gui, needs=None, needs_note=N_("la fenêtre demande qui est là, puis chaque écran")
    )

    doctor = commands.add_parser(
        "doctor", parents=[common], help=_("vérifie lecteurs, ports, base et clé Stripe")
    )
    doctor.set_defaults(func=cmd_doctor, needs=None)

    demo = commands.add_parser(
        "demo", parents=[common], help=_("remplit la base avec le festival de démonstration")
    )
    demo.set_defaults(func=cmd_demo, needs=Permission.DEMO)

    db = commands.add_parser("db", parents=[common], help=_("schéma de la base"))
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", parents=[common], help=_("applique les migrations"))
    upgrade.set_defaults(
        func=cmd_db_upgrade, needs=None, needs_note=N_("le schéma : chaque commande le met à jour")
    )
    status = db_commands.add_parser("status", parents=[common], help=_("version du schéma"))
    status.set_defaults(func=cmd_db_status, needs=None)

    for module_name in DOMAIN_COMMANDS:
        importlib.import_module(module_name).register(commands, common)
    return parser


def record_audit(_db: Database) -> None:
    """Changes to money and equipment are recorded with who and when (imported only once a
    command opens a database: commands of the laptop alone start without it)."""
    from regie.audit.recorder import install_audit

    install_audit()


def read_zone_of(db: Database) -> None:
    """Moments are printed on the clock of the base's events (the office's time zone)."""
    from regie.settings.event_zone import read_zone_of as read

    read(db)


def know_the_fleet(_db: Database) -> None:
    """A journal file is imported against the fleet: its paired terminals and their points of
    sale (the ledger sits below the terminals, so it is told how to read them)."""
    from regie.terminals.trust import install

    install()


def _database(args: argparse.Namespace) -> Database:
    return open_database(args, migrate=False)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from regie.ui.app import run
    except ImportError as error:
        raise UserError(
            _(
                "l'interface graphique ne peut pas démarrer ({error}) : "
                "installez les bibliothèques Qt (voir le README)"
            ).format(error=error)
        ) from error
    return run(
        database_url(args),
        simulate_reader=bool(getattr(args, "simulate_reader", False)),
    )


def cmd_doctor(args: argparse.Namespace) -> int:
    from regie.doctor import run_checks

    checks = run_checks(database_url(args))
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from regie.demo import fill_demo

    db = _database(args)
    db.upgrade()
    summary = fill_demo(db)
    if not summary.created:
        print(
            _(
                "{display_name} contient déjà le festival de démonstration : rien n'a changé."
            ).format(display_name=db.display_name)
        )
    else:
        print(
            _("Festival de démonstration créé dans {display_name}.").format(
                display_name=db.display_name
            )
        )
    cards = f"{summary.cards:,}".replace(",", "\u202f")
    print(
        _(
            "{organisations} organisations, {assets} matériels suivis, "
            "{card_lots} lots de cartes ({cards} cartes), {prestations} "
            "prestations."
        ).format(
            organisations=summary.organisations,
            assets=summary.assets,
            card_lots=summary.card_lots,
            cards=cards,
            prestations=summary.prestations,
        )
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db = _database(args)
    before = db.schema_state()
    db.upgrade()
    after = db.schema_state()
    if before.current == after.current:
        print(
            _("{display_name} est à jour (schéma {current}).").format(
                display_name=db.display_name, current=after.current
            )
        )
    else:
        print(
            _("{display_name} : schéma {current} → {current2}.").format(
                display_name=db.display_name,
                current=before.current or _("vide"),
                current2=after.current,
            )
        )
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    db = _database(args)
    state = db.schema_state()
    verdict = _("à jour") if state.up_to_date else _("à mettre à jour (regie db upgrade)")
    print(
        _("{display_name} : schéma {current}, dernier {head} — {verdict}").format(
            display_name=db.display_name,
            current=state.current or _("vide"),
            head=state.head,
            verdict=verdict,
        )
    )
    return 0 if state.up_to_date else 1


def main(argv: Sequence[str] | None = None) -> int:
    from regie.logs import setup_logging
    from regie.settings.language import apply_startup_language, split_language

    asked, argv = split_language(sys.argv[1:] if argv is None else argv)
    apply_startup_language(asked)  # before the parser: its help texts are translated as built
    speak()  # and argparse's own words (usage, errors) with them
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command behind its door; a user error is one line, not a traceback."""
    when_opened(record_audit)  # the CLI is a composition root: it installs the audit trail
    when_opened(know_the_fleet)
    when_opened(read_zone_of)  # every moment printed on the office's clock
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    from regie.people.actor import set_desk_actor

    set_desk_actor(None)  # nobody is signed in but who this command's --user names
    try:
        if func is not cmd_gui:
            check_door(args)  # what the command declares it needs, before it runs
        return func(args)
    except UserError as error:
        print(_("regie : {error}").format(error=error.on_command_line()), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `regie … | head`: the reader left, nothing to say
        sys.stderr.close()
        return 141
    except KeyboardInterrupt:
        print(_("regie : interrompu."), file=sys.stderr)
        return 130
    except Exception as error:
        from regie.logs import describe_failure

        log.exception("command failed")
        print(_("regie : {error}").format(error=describe_failure(error)), file=sys.stderr)
        return 2
    finally:
        set_desk_actor(None)


if __name__ == "__main__":
    sys.exit(main())

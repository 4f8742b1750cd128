"""``regie settings list|get|set``: the settings registry from the command line."""

from __future__ import annotations

import argparse
import sys

from regie.commands import Needs, Permission, SubCommands, open_database
from regie.i18n import N_, _
from regie.settings.laptop import LaptopSettings
from regie.settings.registry import SETTINGS, Setting, Value, setting


def _office_needs(args: argparse.Namespace) -> Permission | None:
    return Permission.CHANGE_SETTINGS if setting(args.key).scope == "office" else None


# The office's settings (organisation.*, …) live in the base, shared by everyone: a manager's.
# This laptop's own (its language, its backup folder) change nothing of the base.
SET_NEEDS = Needs(
    choose=_office_needs,
    text=N_("réglage du bureau (organisation.*…) : responsable ; de cet ordinateur : personne"),
    strictest=Permission.CHANGE_SETTINGS,
)


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add ``regie settings`` to ``regie``."""
    parser = commands.add_parser(
        "settings", parents=[common], help=_("réglages : cet ordinateur et le bureau")
    )
    actions = parser.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    p = actions.add_parser("list", parents=[common], help=_("chaque réglage et sa valeur"))
    p.add_argument(
        "--scope",
        choices=["laptop", "office"],
        help=_("laptop : cet ordinateur (fichier) ; office : le bureau (base)"),
    )
    p.set_defaults(func=cmd_list, needs=None)
    p = actions.add_parser("get", parents=[common], help=_("la valeur d'un réglage"))
    p.add_argument("key", metavar=_("CLÉ"))
    p.set_defaults(func=cmd_get, needs=None)
    p = actions.add_parser("set", parents=[common], help=_("change un réglage"))
    p.add_argument("key", metavar=_("CLÉ"))
    p.add_argument("value", metavar=_("VALEUR"))
    p.set_defaults(func=cmd_set, needs=SET_NEEDS)


def _values(args: argparse.Namespace, scope: str | None) -> dict[str, Value]:
    values: dict[str, Value] = {}
    if scope in (None, "laptop"):
        laptop = LaptopSettings.load()
        for problem in laptop.problems:
            print(_("regie : {problem}").format(problem=problem), file=sys.stderr)
        values.update({s.key: laptop.get(s.key) for s in SETTINGS if s.scope == "laptop"})
    if scope in (None, "office"):
        from regie.settings.office import office_values

        with open_database(args).session() as session:
            values.update(office_values(session))
    return values


def _line(item: Setting, value: Value) -> str:
    shown = item.show(value) if value != "" else "—"
    return f"{item.key} = {shown}    # {_(item.label)}"


def cmd_list(args: argparse.Namespace) -> int:
    values = _values(args, args.scope)
    for item in SETTINGS:
        if item.key in values and item.shown:
            print(_line(item, values[item.key]))
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    item = setting(args.key)
    value = _values(args, item.scope)[item.key]
    print(item.show(value))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    item = setting(args.key)
    value = item.parse(args.value)
    if item.scope == "laptop":
        LaptopSettings.load().set(item.key, value)
    else:
        from regie.settings.office import set_office

        with open_database(args).session() as session:
            set_office(session, item.key, value)
    print(_line(item, value))
    return 0

"""``regie users …`` (people and their roles) and ``regie audit`` (who changed what, when).

The office's administration face: it sits with the audit, above the areas, because the CLI
kit it uses (:mod:`regie.commands`, which signs ``--user`` in) sits below them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os

from regie.commands import Permission, SubCommands, UserError, ask_pin, open_database
from regie.i18n import N_, _, format_number, ngettext

NEW_PIN_ENV = "REGIE_NEW_PIN"


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    users = commands.add_parser("users", parents=[common], help=_("personnes, rôles et codes PIN"))
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    def action(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=text, description=text)

    p = action("add", _("ajoute une personne (la première : administrateur)"))
    p.add_argument("name", metavar="NOM")
    p.add_argument("--role", required=True, help="operator, manager, admin")
    p.set_defaults(func=cmd_add, needs=Permission.MANAGE_PEOPLE)
    p = action("list", _("liste les personnes et leur rôle"))
    p.set_defaults(func=cmd_list, needs=None)
    p = action("role", _("change le rôle d'une personne"))
    p.add_argument("name", metavar="NOM")
    p.add_argument("role", metavar="ROLE", help="operator, manager, admin")
    p.set_defaults(func=cmd_role, needs=Permission.MANAGE_PEOPLE)
    p = action("pin", _("change le code PIN d'une personne"))
    p.add_argument("name", metavar="NOM")
    p.set_defaults(
        func=cmd_pin,
        needs=Permission.OWN_PIN,
        needs_note=N_("le sien ; celui d'un autre : administrateur"),
    )
    for name, text, active in (
        ("disable", _("désactive une personne (elle ne peut plus se connecter)"), False),
        ("enable", _("réactive une personne"), True),
    ):
        p = action(name, text)
        p.add_argument("name", metavar="NOM")
        p.set_defaults(func=cmd_active, active=active, needs=Permission.MANAGE_PEOPLE)
    p = action("demo", _("ajoute les trois personnes de démonstration (codes dans la doc)"))
    p.set_defaults(
        func=cmd_demo,
        needs=Permission.MANAGE_PEOPLE,
        needs_note=N_("refusé dès que la base a des utilisateurs"),
    )

    audit = commands.add_parser(
        "audit", parents=[common], help=_("journal d'audit : qui a changé quoi, et quand")
    )
    audit.add_argument("--person", default="", help=_("une personne"))
    audit.add_argument("--action", default="", help=_("une action (ex. loan, closure.z)"))
    audit.add_argument("--since", type=_day, default=None, metavar="AAAA-MM-JJ")
    audit.add_argument("--until", type=_day, default=None, metavar="AAAA-MM-JJ")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(func=cmd_audit, needs=Permission.VIEW_AUDIT)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("date illisible « {text} » (AAAA-MM-JJ)").format(text=text)
        ) from None


def _new_pin() -> str:
    if NEW_PIN_ENV in os.environ:
        return os.environ[NEW_PIN_ENV]
    first = ask_pin(_("Nouveau code PIN : "), NEW_PIN_ENV)
    if ask_pin(_("Encore une fois : "), NEW_PIN_ENV) != first:
        raise UserError(_("les deux codes PIN diffèrent : rien n'a changé"))
    return first


def cmd_add(args: argparse.Namespace) -> int:
    from regie.people.directory import add_person
    from regie.people.roles import role_label

    db = open_database(args)
    pin = _new_pin()
    with db.session() as session:
        row = add_person(session, args.name, args.role, pin)
    print(_("{name} ajouté : {role}.").format(name=row.name, role=role_label(row.role)))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from regie.people.directory import list_people
    from regie.people.roles import role_label

    with open_database(args).session() as session:
        people = list_people(session)
    if not people:
        print(_("Personne n'est enregistré : Régie fonctionne sans identification."))
    for row in people:
        state = "" if row.active else _(" (désactivé)")
        print(f"{row.name:<24} {role_label(row.role)}{state}")
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    from regie.people.directory import set_role
    from regie.people.roles import role_label

    with open_database(args).session() as session:
        row = set_role(session, args.name, args.role)
    print(_("{name} est maintenant {role}.").format(name=row.name, role=role_label(row.role)))
    return 0


def cmd_pin(args: argparse.Namespace) -> int:
    from regie.people.directory import set_pin

    db = open_database(args)
    pin = _new_pin()
    with db.session() as session:
        set_pin(session, args.name, pin)
    print(_("Code PIN de {name} changé.").format(name=args.name))
    return 0


def cmd_active(args: argparse.Namespace) -> int:
    from regie.people.directory import set_active

    with open_database(args).session() as session:
        row = set_active(session, args.name, args.active)
    text = _("{name} peut se connecter.") if row.active else _("{name} ne peut plus se connecter.")
    print(text.format(name=row.name))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from regie.people.demo import DEMO_PEOPLE, add_demo_people
    from regie.people.roles import role_label

    with open_database(args).session() as session:
        add_demo_people(session)
    for name, role, pin in DEMO_PEOPLE:
        print(_("{name} ({role}) : code {pin}").format(name=name, role=role_label(role), pin=pin))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from regie.audit.trail import TrailFilter, action_label, count, page, when
    from regie.people.actor import require
    from regie.people.roles import Permission

    where = TrailFilter(args.person, args.action, args.since, args.until)
    with open_database(args).session() as session:
        require(session, Permission.VIEW_AUDIT)
        lines = page(session, where, limit=max(args.limit, 1))
        total = count(session, where)
    for line in lines:
        print(f"{when(line)}  {line.who:<28} {action_label(line.action):<26} {line.text}")
    shown = ngettext("{shown} ligne sur {total}.", "{shown} lignes sur {total}.", len(lines))
    print(shown.format(shown=format_number(len(lines)), total=format_number(total)))
    return 0

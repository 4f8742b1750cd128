"""``regie terminals pair`` and ``regie terminals refunds``: what makes a terminal's journal
believable (docs/terminal-protocol.md, « Appairage »)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from regie.commands import Needs, Permission, open_database
from regie.i18n import N_, _

Action = Callable[[str, str], argparse.ArgumentParser]
# Which desks may refund is the office's setting; the list is a reading.
REFUNDS_NEEDS = Needs(
    choose=lambda args: Permission.CHANGE_SETTINGS if args.allow or args.forbid else None,
    text=N_("--allow / --forbid : responsable ; la liste : personne"),
    strictest=Permission.CHANGE_SETTINGS,
)


def add_trust_actions(
    action: Action, link_options: Callable[[argparse.ArgumentParser], None]
) -> None:
    p = action(
        "pair",
        _("appaire un terminal par le câble : il signera ses journaux (un envoi le fait aussi)"),
    )
    p.add_argument("terminal")
    p.add_argument("--port", help=_("son port (sinon le dernier qui a marché)"))
    link_options(p)
    p.set_defaults(func=cmd_pair, needs=Permission.OPERATE)

    p = action("refunds", _("les points de vente où un terminal peut rembourser (les caisses)"))
    p.add_argument("pos", nargs="*", metavar=_("POINT_DE_VENTE"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--allow", action="store_true", help=_("y autorise les remboursements"))
    which.add_argument("--forbid", action="store_true", help=_("les y interdit"))
    p.set_defaults(func=cmd_refunds, needs=REFUNDS_NEEDS)


def cmd_pair(args: argparse.Namespace) -> int:
    from regie.errors import UserError
    from regie.terminals.pairing import pair_terminal
    from regie.terminals.registry import find_terminal

    db = open_database(args)
    with db.session() as session:
        port = args.port or find_terminal(session, args.terminal).port
    if not port:
        raise UserError(_("quel port pour {name} ? (--port)").format(name=args.terminal))
    print(pair_terminal(db, args.terminal, port, timeout=args.timeout))
    return 0


def cmd_refunds(args: argparse.Namespace) -> int:
    from regie.errors import UserError
    from regie.terminals.trust import allow_refunds, refund_points

    if (args.allow or args.forbid) and not args.pos:
        raise UserError(_("quel point de vente ? (regie terminals refunds « Caisse » --allow)"))
    db = open_database(args)
    with db.session() as session:
        for pos in args.pos if args.allow or args.forbid else ():
            allow_refunds(session, pos, allowed=args.allow)
        places = refund_points(session)
    if not places:
        print(_("Aucun point de vente ne rembourse : un remboursement de terminal sera refusé."))
    for place in places:
        print(_("{pos} : remboursements autorisés").format(pos=place))
    if args.allow or args.forbid:
        print(_("Poussez la configuration de ses terminaux pour qu'ils le sachent."))
    return 0

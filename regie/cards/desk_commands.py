"""``regie ledger topup|refund|correct``: money on a card at the office desk.

The office names a card as it knows it (a printed number, a UID, a QR address): these commands
ask the cards which wallet that is, so they sit with the cards, above the ledger, and add
themselves to ``regie ledger`` (registered after it, see :data:`regie.cli.DOMAIN_COMMANDS`).
"""

from __future__ import annotations

import argparse

from regie.cards.lookup import loadable_uid, wallet_uid
from regie.commands import Permission, SubCommands, actions_of, open_database
from regie.i18n import _
from regie.ledger.commands import EVENT_HELP, money_text


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    actions = actions_of(commands, "ledger")

    def ledger_action(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=help_text, description=help_text)

    p = ledger_action("topup", _("recharge en espèces au bureau"))
    p.add_argument("card")
    p.add_argument("amount", type=int, metavar=_("CENTIMES"))
    p.add_argument("--asset", default="EUR")
    p.add_argument("--key", default=None, help=_("clé d'idempotence"))
    p.add_argument("--event", default="", help=_(EVENT_HELP))
    p.set_defaults(func=cmd_topup, needs=Permission.OPERATE)

    p = ledger_action("refund", _("rembourse en espèces le solde remboursable d'une carte"))
    p.add_argument("card")
    p.add_argument("--fee", type=int, default=0, metavar=_("CENTIMES"))
    p.add_argument("--minimum", type=int, default=0, metavar=_("CENTIMES"))
    p.add_argument("--key", default=None)
    p.add_argument("--event", default="", help=_(EVENT_HELP))
    p.set_defaults(func=cmd_refund, needs=Permission.REFUND)

    p = ledger_action("correct", _("corrige le solde d'une carte (motif obligatoire)"))
    p.add_argument("card")
    p.add_argument("amount", type=int, metavar=_("CENTIMES"), help=_("positif pour ajouter"))
    p.add_argument("--reason", required=True)
    p.add_argument("--asset", default="EUR")
    p.add_argument("--event", default="", help=_(EVENT_HELP))
    p.set_defaults(func=cmd_correct, needs=Permission.CORRECT_BALANCE)


def cmd_topup(args: argparse.Namespace) -> int:
    from regie.ledger.desk import balances_of, cash_topup

    db = open_database(args)
    with db.session() as session:
        uid = loadable_uid(session, args.card)
        posted = cash_topup(
            session, uid, args.amount, asset=args.asset, key=args.key, event=args.event
        )
        balance = balances_of(session, uid)
    state = _("déjà enregistrée (rejouée)") if posted.replayed else _("enregistrée")
    print(
        _("Recharge {state}. Solde : ").format(state=state)
        + ", ".join(f"{money_text(a, c)}" for c, a in balance.items())
    )
    return 0


def cmd_refund(args: argparse.Namespace) -> int:
    from regie.ledger.desk import RefundRules, cash_refund

    db = open_database(args)
    with db.session() as session:
        rules = RefundRules(fee_cents=args.fee, minimum_cents=args.minimum)
        result = cash_refund(
            session, wallet_uid(session, args.card), rules, key=args.key, event=args.event
        )
    paid = sum(result.paid.values()) - result.fee
    if result.posted.replayed:  # the same key again: nothing more to hand back
        print(
            _(
                "Remboursement déjà enregistré avec cette clé : {paid} déjà rendus, rien de plus."
            ).format(paid=money_text(paid))
        )
        return 0
    print(
        _("À rendre en espèces : {paid} (frais {fee}).").format(
            paid=money_text(paid), fee=money_text(result.fee)
        )
    )
    for code, amount in result.kept.items():
        print(
            _("Reste sur la carte, non remboursable : {amount}").format(
                amount=money_text(amount, code)
            )
        )
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    from regie.ledger.desk import balances_of, correction

    db = open_database(args)
    with db.session() as session:
        uid = wallet_uid(session, args.card)
        correction(session, uid, args.amount, args.reason, asset=args.asset, event=args.event)
        balance = balances_of(session, uid)
    print(
        _("Correction enregistrée. Solde : ")
        + ", ".join(f"{money_text(a, c)}" for c, a in balance.items())
    )
    return 0

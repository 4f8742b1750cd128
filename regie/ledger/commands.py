"""``regie ledger …``: the headless face of the ledger operations. Amounts are in cents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regie.commands import Needs, Permission, SubCommands, UserError, open_database
from regie.i18n import N_, _, format_moment, ngettext
from regie.money import format_money

# The desk's operations belong to the event they name, else to the one whose days hold today.
EVENT_HELP = N_("la prestation de l'opération (sinon : celle dont les jours tiennent aujourd'hui)")


# An X is a reading; a Z closes for good.
CLOSE_NEEDS = Needs(
    choose=lambda args: Permission.CLOSE_Z if args.kind == "Z" else None,
    text=N_("--kind Z : responsable ; --kind X (lecture) : personne"),
    strictest=Permission.CLOSE_Z,
)
# Without --apply the melting is only a preview.
MELT_NEEDS = Needs(
    choose=lambda args: Permission.MELT if args.apply else None,
    text=N_("--apply : responsable ; l'aperçu : personne"),
    strictest=Permission.MELT,
)


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    ledger = commands.add_parser(
        "ledger", parents=[common], help=_("grand livre : journaux, soldes, clôtures, exports")
    )
    actions = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=help_text, description=help_text)

    p = action("import", _("importe des journaux de terminaux (JSON Lines)"))
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument(
        "--unsigned",
        metavar=_("RAISON"),
        help=_(
            "importe des lignes qu'aucun terminal appairé n'a signées (responsable ; la "
            "raison est notée au journal d'audit)"
        ),
    )
    p.set_defaults(func=cmd_import, needs=Permission.OPERATE)

    p = action("journal", _("les transferts du journal, d'une prestation ou hors prestation"))
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--event",
        default="",
        metavar=_("PRESTATION"),
        help=_("les transferts attribués à cette prestation"),
    )
    which.add_argument(
        "--hors-prestation",
        dest="outside",
        action="store_true",
        help=_("les transferts d'aucune prestation"),
    )
    p.add_argument("--pos", default="", help=_("un point de vente"))
    p.add_argument("--card", default="", help=_("l'UID d'une carte"))
    p.add_argument("--limit", type=int, default=50, help=_("combien en montrer (0 : tous)"))
    p.set_defaults(func=cmd_journal, needs=None)

    p = action("balance", _("soldes par compte et par actif"))
    p.add_argument("--account", default="", help=_("début du nom de compte (ex. wallet:, pos:Bar)"))
    p.add_argument("--asset", default="")
    p.set_defaults(func=cmd_balance, needs=None)

    p = action("close", _("clôture X (lecture) ou Z (définitive)"))
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--pos", help=_("un point de vente"))
    scope.add_argument("--all", action="store_true", help=_("chaque point de vente"))
    scope.add_argument(
        "--event",
        nargs="?",
        const=True,
        metavar=_("PRESTATION"),
        help=_("les transferts d'une prestation (sans nom : tout le grand livre, comme avant)"),
    )
    p.add_argument("--kind", choices=["X", "Z"], required=True)
    p.add_argument("--period", choices=["session", "day", "event"], default="session")
    p.add_argument("--cash-count", type=int, default=None, metavar=_("CENTIMES"))
    p.set_defaults(func=cmd_close, needs=CLOSE_NEEDS)

    p = action("ticket", _("le ticket d'un Z, ou l'X d'une portée, en PDF (80 mm ou A4)"))
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--z", type=int, metavar=_("NUMÉRO"), help=_("le Z de ce numéro"))
    which.add_argument("--pos", help=_("l'X de ce point de vente (lecture, rien n'est clos)"))
    which.add_argument(
        "--event", metavar=_("PRESTATION"), help=_("l'X de cette prestation (lecture)")
    )
    p.add_argument(
        "--paper",
        choices=["80mm", "a4"],
        default="80mm",
        help=_("80mm : rouleau d'imprimante thermique (défaut) ; a4 : feuille pour le classeur"),
    )
    p.add_argument(
        "--out", type=Path, required=True, metavar=_("FICHIER"), help=_("le fichier PDF à écrire")
    )
    p.set_defaults(func=cmd_ticket, needs=None)

    p = action("verify", _("vérifie la chaîne d'empreintes, les Z et les soldes"))
    p.set_defaults(func=cmd_verify, needs=None)

    p = action("melt", _("monnaie fondante : aperçu, ou fonte avec --apply"))
    p.add_argument(
        "--months",
        type=int,
        default=None,
        help=_("sinon : le réglage melting_months de la convention (regie convention set)"),
    )
    p.add_argument("--apply", action="store_true")
    p.set_defaults(func=cmd_melt, needs=MELT_NEEDS)

    p = action("clearing", _("compensation entre organisations (euro fédéré)"))
    p.set_defaults(func=cmd_clearing, needs=None)

    p = action("export", _("exporte le journal"))
    p.add_argument("--format", choices=["fec", "csv", "hledger"], required=True)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_export, needs=None)

    p = action("report", _("rapport des ventes et recharges"))
    p.add_argument(
        "--event", default="", help=_("une prestation (ses transferts seulement), ou un titre")
    )
    p.set_defaults(func=cmd_report, needs=None)


def money_text(cents: int, asset: str = "EUR") -> str:
    """An amount of an asset: euros as euros, any other asset with its code."""
    text = format_money(cents)
    return text if asset == "EUR" else text.replace("€", asset)


def cmd_import(args: argparse.Namespace) -> int:
    from regie.ledger.journal_import import import_journals
    from regie.ledger.journal_trust import fleet_trust

    db = open_database(args)
    shown = [-1]

    def progress(done: int, total: int) -> bool:
        percent = done * 100 // total
        if percent != shown[0] and sys.stderr.isatty():
            print(
                "\r" + _("import : {percent} %").format(percent=percent),
                end="",
                file=sys.stderr,
                flush=True,
            )
        shown[0] = percent
        return True

    with db.session() as session:
        trust = fleet_trust(session, unsigned=args.unsigned)  # signed by paired terminals
        result = import_journals(session, args.files, progress, trust=trust)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    from regie.ledger.browse import (
        OUTSIDE_EVENTS,
        JournalFilter,
        event_names,
        journal_index,
        journal_page,
    )
    from regie.ledger.labels import amount

    if args.limit < 0:
        raise UserError(_("--limit : un nombre positif (0 : tous)"))
    db = open_database(args)
    with db.session() as session:
        if args.event and args.event not in event_names(session):
            known = ", ".join(event_names(session)) or _("aucune")
            raise UserError(
                _("prestation inconnue : « {name} » (connues : {known}) ; corrigez --event").format(
                    name=args.event, known=known
                )
            )
        where = JournalFilter(
            card=args.card, pos=args.pos, event=OUTSIDE_EVENTS if args.outside else args.event
        )
        index = journal_index(session, where, page_size=args.limit or 1_000_000)
        rows = journal_page(session, where, index, 0) if index.total else []
    print(ngettext("{n} transfert", "{n} transferts", index.total).format(n=index.total))
    for row in rows:
        print(
            f"  {row.id:>8}  {format_moment(row.at)}  {row.source:<16} "
            f"{row.op:<10} {row.method:<10} {row.debit} → {row.credit}  "
            f"{amount(row.amount, row.asset):>12}  {row.pos}"
        )
    if index.total > len(rows):
        more = index.total - len(rows)
        print(ngettext("  … et {n} autre", "  … et {n} autres", more).format(n=more))
    return 0


def cmd_balance(args: argparse.Namespace) -> int:
    from regie.ledger.reports import balances, totals_by_asset

    db = open_database(args)
    with db.session() as session:
        rows = balances(session, account=args.account, asset=args.asset)
        totals = totals_by_asset(session)
    for row in rows:
        print(f"{row.account:<44} {row.asset:<5} {money_text(row.amount, row.asset):>16}")
    sums = ", ".join(f"{code} {amount}" for code, amount in sorted(totals.items()))
    print(
        ngettext(
            "{n} solde. Somme par actif : {sums}", "{n} soldes. Somme par actif : {sums}", len(rows)
        ).format(n=len(rows), sums=sums)
    )
    return 0


def _print_figures(title: str, figures: object) -> None:
    from regie.ledger.closures import Figures
    from regie.ledger.labels import method_label, op_label

    assert isinstance(figures, Figures)
    print(title)
    for key, amount in sorted(figures.totals.items()):
        op, method, asset = key.split("/")
        count = figures.counts.get(key, 0)
        print(
            f"  {op_label(op):<16} {method_label(method):<16} {asset:<5} {count:>7} "
            + _("op.")
            + f" {money_text(amount, asset):>16}"
        )
    for rate, amount in sorted(figures.vat.items(), key=lambda item: int(item[0])):
        print(
            _("  ventes TVA {rate:g} % : {amount} TTC").format(
                rate=int(rate) / 100, amount=money_text(amount)
            )
        )
    print(_("  ventes nettes : {amount}").format(amount=money_text(figures.sales_total)))


def cmd_close(args: argparse.Namespace) -> int:
    from regie.ledger.closures import EVENT, close_z, event_scope, x_report
    from regie.ledger.labels import scope_label
    from regie.ledger.models import PointOfSale

    db = open_database(args)
    with db.session() as session:
        if isinstance(args.event, str):
            scopes = [event_scope(args.event)]
        elif args.event:
            scopes = [EVENT]
        elif args.all:
            from sqlalchemy import select

            scopes = [f"pos:{name}" for name in session.scalars(select(PointOfSale.name))]
        else:
            scopes = [f"pos:{args.pos}"]
        if args.cash_count is not None and len(scopes) != 1:
            raise UserError(_("le comptage de caisse se donne pour un seul point de vente"))
        for scope in scopes:
            if args.kind == "X":
                _print_figures(
                    _("X — {scope} (lecture, rien n'est clos)").format(scope=scope_label(scope)),
                    x_report(session, scope),
                )
                continue
            z = close_z(session, scope, period=args.period, cash_counted=args.cash_count)
            _print_figures(
                _("Z n°{number} — {scope}").format(number=z.number, scope=scope_label(scope)),
                z.figures,
            )
            print(_("  grand total : {amount}").format(amount=money_text(z.grand_total)))
            print(_("  tête de chaîne : {head}").format(head=z.chain_head))
            print(_("  signé par la clé {key}").format(key=z.key))
            if z.cash_counted is not None:
                print(
                    _(
                        "  caisse : fond {cash_float}, attendu {cash_expected}, "
                        "compté {cash_counted}, écart {cash_difference}"
                    ).format(
                        cash_float=money_text(z.cash_float),
                        cash_expected=money_text(z.cash_expected),
                        cash_counted=money_text(z.cash_counted),
                        cash_difference=money_text(z.cash_difference or 0),
                    )
                )
    return 0


def cmd_ticket(args: argparse.Namespace) -> int:
    from regie.ledger.closures import event_scope
    from regie.ledger.ticket_pdf import write_ticket
    from regie.ledger.tickets import x_ticket, z_ticket

    db = open_database(args)
    with db.session() as session:
        if args.z is not None:
            ticket = z_ticket(session, args.z)
        else:
            scope = f"pos:{args.pos}" if args.pos else event_scope(args.event)
            ticket = x_ticket(session, scope)
    write_ticket(ticket, args.out, args.paper)
    name = (
        _("Ticket Z n°{number}").format(number=ticket.number)
        if ticket.kind == "Z"
        else _("Lecture X")
    )
    print(_("{ticket} ({paper}) : {out}").format(ticket=name, paper=args.paper, out=args.out))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from regie.ledger.verify import verify

    db = open_database(args)
    with db.session() as session:
        report = verify(session)
    for problem in report.problems:
        print(_("ERREUR : {problem}").format(problem=problem))
    verdict = _("intègre") if report.ok else _("ALTÉRÉ")
    print(
        _("{transfers} transferts et {closures} Z vérifiés : journal {verdict}.").format(
            transfers=report.transfers, closures=report.closures, verdict=verdict
        )
    )
    return 0 if report.ok else 1


def cmd_melt(args: argparse.Namespace) -> int:
    from regie.ledger.melting import months_in_force, preview, sweep

    db = open_database(args)
    with db.session() as session:
        months = args.months or months_in_force(session)
        dormant = preview(session, months)
        totals: dict[str, int] = {}
        for wallet in dormant:
            for code, amount in wallet.balances.items():
                totals[code] = totals.get(code, 0) + amount
        head = ngettext(
            "{n} carte sans mouvement depuis {months} mois : ",
            "{n} cartes sans mouvement depuis {months} mois : ",
            len(dormant),
        ).format(n=len(dormant), months=months)
        amounts = ", ".join(f"{money_text(a, c)}" for c, a in sorted(totals.items()))
        print(head + (amounts or _("rien")))
        if args.apply:
            melted = sweep(session, months)
            print(
                _("Fondu : ")
                + (", ".join(f"{money_text(a, c)}" for c, a in melted.items()) or _("rien"))
            )
        elif dormant:
            print(_("Aperçu seulement : relancez avec --apply pour fondre ces soldes."))
    return 0


def cmd_clearing(args: argparse.Namespace) -> int:
    from regie.ledger.clearing import statement

    db = open_database(args)
    with db.session() as session:
        result = statement(session)
    for position in result.positions:
        print(
            _(
                "{organisation:<24} encaissé {collected:>12}  dépensé chez "
                "elle {spent_here:>12}  remboursé {refunded:>10}  position "
                "{owes:>12}"
            ).format(
                organisation=position.organisation,
                collected=money_text(position.collected),
                spent_here=money_text(position.spent_here),
                refunded=money_text(position.refunded),
                owes=money_text(position.owes),
            )
        )
    for payment in result.payments:
        print(
            _("{debtor} doit {amount} à {creditor}").format(
                debtor=payment.debtor, amount=money_text(payment.amount), creditor=payment.creditor
            )
        )
    if not result.payments:
        print(_("Rien à compenser."))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from regie.ledger import exports

    db = open_database(args)
    writer = {
        "csv": exports.export_csv,
        "hledger": exports.export_hledger,
        "fec": exports.export_fec,
    }[args.format]
    with db.session() as session:
        count = writer(session, args.out)
    print(
        ngettext(
            "{count} écriture exportée au format {format} : {out}",
            "{count} écritures exportées au format {format} : {out}",
            count,
        ).format(count=count, format=args.format, out=args.out)
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from regie.ledger.attribution_rules import stored_attribution
    from regie.ledger.browse import event_names
    from regie.ledger.labels import method_label, sales_key_label
    from regie.ledger.reports import EVERY_EVENT, sales, topups_by_method

    db = open_database(args)
    with db.session() as session:
        # A prestation's name: its own transfers only; any other text: a title, as before.
        events = stored_attribution(session)
        event_id = EVERY_EVENT
        known = event_names(session)
        if args.event and args.event in known:
            event_id = events.event_id(args.event)
        elif args.event and known:  # a title: say it is not one of the prestations
            print(
                _(
                    "« {title} » n'est pas une prestation ({known}) : rapport de tout le grand "
                    "livre"
                ).format(title=args.event, known=", ".join(known)),
                file=sys.stderr,
            )
        print(_("Rapport {event}").format(event=args.event).rstrip())
        groups = (
            ("pos", _("Ventes par point de vente :")),
            ("category", _("Ventes par catégorie :")),
            ("product", _("Ventes par produit :")),
            ("vat", _("Ventes par taux de TVA :")),
            ("hour", _("Ventes par heure :")),
        )
        for by, title in groups:
            print(title)
            for row in sales(session, by, event_id=event_id):
                label = sales_key_label(by, row.key)
                print(
                    f"  {label:<28} {row.quantity:>8} "
                    + _("art.")
                    + f" {money_text(row.amount):>16}"
                )
        print(_("Recharges par moyen :"))
        for method, asset, count, amount in topups_by_method(session, event_id=event_id):
            print(
                f"  {method_label(method):<16} {asset:<5} {count:>8} "
                + _("op.")
                + f" {money_text(amount, asset):>16}"
            )
    return 0

"""``regie stripe|refunds|settle|invoice|report|indicators|convention``: the headless face of
the settlement operations. Amounts are typed in euros (``412,37``) and printed in euros."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from regie.commands import SubCommands, UserError, open_database
from regie.money import MoneyFormatError, format_money, parse_cents


def _euros(text: str) -> int:
    try:
        return parse_cents(text)
    except MoneyFormatError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date AAAA-MM-JJ attendue (lu « {text} »)") from None


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""

    def group(name: str, help_text: str, dest: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
        parser = commands.add_parser(name, parents=[common], help=help_text)
        return parser.add_subparsers(dest=dest, metavar="ACTION", required=True)

    stripe = group("stripe", "Stripe : clé, synchronisation, rapport CSV, rapprochement", "s")
    key = stripe.add_parser("key", parents=[common], help="la clé secrète (trousseau du système)")
    key_actions = key.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    p = key_actions.add_parser("set", parents=[common], help="enregistre la clé (lue au clavier)")
    p.add_argument("--stdin", action="store_true", help="lire la clé sur l'entrée standard")
    p.set_defaults(func=cmd_key_set)
    key_actions.add_parser("clear", parents=[common], help="oublie la clé").set_defaults(
        func=cmd_key_clear
    )
    key_actions.add_parser("status", parents=[common], help="dit si une clé est là").set_defaults(
        func=cmd_key_status
    )
    stripe.add_parser("sync", parents=[common], help="lit paiements, remboursements, "
                      "mouvements et virements").set_defaults(func=cmd_sync)  # fmt: skip
    p = stripe.add_parser(
        "import-report",
        parents=[common],
        help="importe le rapport CSV « rapprochement des virements, détaillé »",
    )
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import_report)
    p = stripe.add_parser("reconcile", parents=[common], help="rapproche Stripe et le grand livre")
    p.add_argument("--event", default="", help="une prestation (ses dates)")
    p.add_argument("--resolve", metavar="ÉCART", help="règle un écart par une écriture")
    p.add_argument("--card", default="", help="la carte d'un paiement qui n'en nomme pas")
    p.add_argument(
        "--resolve-all",
        action="store_true",
        help="comptabilise frais, virements, recharges et remboursements manquants",
    )
    p.set_defaults(func=cmd_reconcile)

    refunds = group("refunds", "remboursement des soldes restants par carte bancaire", "r")
    for name, help_text in (
        ("preview", "ce qui serait remboursé"),
        ("run", "rembourse (ou reprend la série interrompue)"),
    ):
        p = refunds.add_parser(name, parents=[common], help=help_text)
        p.add_argument("--event", default="", help="la prestation (fenêtre de remboursement)")
        p.set_defaults(func=cmd_refunds_preview if name == "preview" else cmd_refunds_run)

    p = commands.add_parser("settle", parents=[common], help="règlement d'une prestation (PDF)")
    p.add_argument("prestation")
    p.add_argument("--scheme", choices=["convention", "flat", "soticket"], default="convention")
    p.add_argument(
        "--turnover",
        type=_euros,
        default=None,
        metavar="EUROS",
        help="chiffre d'affaires HT hors cachet (sinon : les factures)",
    )
    p.add_argument("--days", type=int, default=None, help="jours de cachet")
    p.add_argument("--travel", type=_euros, default=0, metavar="EUROS")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--record", action="store_true", help="retient ce règlement (amortissement)")
    p.set_defaults(func=cmd_settle)

    invoice = group("invoice", "factures et avoirs", "i")
    p = invoice.add_parser("create", parents=[common], help="émet une facture")
    p.add_argument("--client", required=True)
    p.add_argument("--issuer", default="", help="émetteur (sinon : le partenaire)")
    p.add_argument("--prestation", default="")
    p.add_argument(
        "--line",
        action="append",
        required=True,
        help="« libellé;quantité;prix HT;TVA %%[;service|cachet|cost] »",
    )
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--notes", default="")
    p.set_defaults(func=cmd_invoice_create)
    p = invoice.add_parser("credit", parents=[common], help="annule une facture par un avoir")
    p.add_argument("number")
    p.add_argument("--reason", default="")
    p.add_argument("--date", type=_date, default=None)
    p.set_defaults(func=cmd_invoice_credit)
    p = invoice.add_parser("pdf", parents=[common], help="la facture ou l'avoir en PDF")
    p.add_argument("number")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--facturx", action="store_true", help="PDF Factur-X (XML EN 16931 intégré)")
    p.set_defaults(func=cmd_invoice_pdf)
    p = invoice.add_parser("list", parents=[common], help="les factures et avoirs")
    p.add_argument("--year", type=int, default=None)
    p.set_defaults(func=cmd_invoice_list)

    p = commands.add_parser("report", parents=[common], help="rapport d'événement (PDF)")
    p.add_argument("event")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_report)
    p = commands.add_parser("indicators", parents=[common], help="bilan annuel de la convention")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=cmd_indicators)

    convention = group("convention", "les réglages de la convention, datés", "c")
    p = convention.add_parser("show", parents=[common], help="réglages en vigueur à une date")
    p.add_argument("--at", type=_date, default=None)
    p.set_defaults(func=cmd_convention_show)
    p = convention.add_parser("set", parents=[common], help="nouvelle valeur à partir d'une date")
    p.add_argument("name")
    p.add_argument("value")
    p.add_argument("--from", dest="valid_from", type=_date, required=True)
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_convention_set)


def _money(cents: int) -> str:
    return format_money(cents)


def cmd_key_set(args: argparse.Namespace) -> int:
    from regie.stripe_key import masked, set_stripe_secret_key

    key = sys.stdin.readline() if args.stdin else getpass.getpass("Clé secrète Stripe : ")
    set_stripe_secret_key(key)
    print(f"Clé Stripe {masked(key.strip())} enregistrée dans le trousseau du système.")
    return 0


def cmd_key_clear(args: argparse.Namespace) -> int:
    from regie.stripe_key import clear_stripe_secret_key

    print("Clé Stripe oubliée." if clear_stripe_secret_key() else "Aucune clé Stripe à oublier.")
    return 0


def cmd_key_status(args: argparse.Namespace) -> int:
    from regie.stripe_key import masked, require_stripe_key

    print(f"Clé Stripe présente : {masked(require_stripe_key())}")
    return 0


def _progress(label: str) -> object:
    def show(done: int, total: int) -> bool:
        if sys.stderr.isatty():
            print(f"\r{label} : {done}/{total}", end="", file=sys.stderr, flush=True)
        return True

    return show


def cmd_sync(args: argparse.Namespace) -> int:
    from regie.settlement.stripe_sync import sync_stripe
    from regie.stripe_key import require_stripe_key

    key = require_stripe_key()
    result = sync_stripe(open_database(args), key)
    print(f"Stripe : {result.payments} paiements, {result.charges} débits, {result.refunds} "
          f"remboursements, {result.balance_transactions} mouvements, {result.payouts} virements "
          f"({result.payouts_itemised} détaillés).")  # fmt: skip
    for warning in result.warnings:
        print(f"attention : {warning}")
    return 0


def cmd_import_report(args: argparse.Namespace) -> int:
    from regie.settlement.stripe_report import import_report

    result = import_report(open_database(args), args.file)
    print(f"{result.lines} ligne(s) : {result.charges} paiements, {result.refunds} "
          f"remboursements, {result.payouts} virement(s), "
          f"frais {_money(result.fees_cents)}.")  # fmt: skip
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from regie.settlement.events import window_of
    from regie.settlement.reconcile import reconcile
    from regie.settlement.resolve import resolve, resolve_all

    db = open_database(args)
    with db.session() as session:
        window = window_of(session, args.event or None)
        if args.resolve:
            resolve(session, args.resolve, card=args.card, window=window)
            print(f"Écart {args.resolve} réglé par une écriture.")
        elif args.resolve_all:
            done = resolve_all(session, window=window)
            print(f"{done.posted} écriture(s) passée(s).")
            for key, why in done.failed:
                print(f"non réglé : {key} — {why}")
    with db.session() as session:
        found = reconcile(session, window)
    print(f"Recharges Stripe : {found.matched} rapprochées ({_money(found.matched_cents)}) ; "
          f"Stripe {_money(found.stripe_topups_cents)}, grand livre "
          f"{_money(found.ledger_topups_cents)}.")  # fmt: skip
    print(f"Frais : {_money(found.fees_cents)} (comptabilisés {_money(found.fees_booked_cents)}) ;"
          f" virements : {_money(found.payouts_cents)} (en banque "
          f"{_money(found.payouts_booked_cents)}).")  # fmt: skip
    if not found.synced:
        print("Rien de Stripe pour l'instant : regie stripe sync, ou regie stripe import-report.")
    if not found.mismatches:
        print("Aucun écart.")
        return 0
    print(f"{len(found.mismatches)} écart(s) :")
    for m in found.mismatches:
        fix = f" → {m.resolution}" if m.resolution else " → à régler chez Stripe"
        print(f"  {m.key} : {m.label} (Stripe {_money(m.stripe_cents)}, grand livre "
              f"{_money(m.ledger_cents)}){fix}")  # fmt: skip
    return 1


def cmd_refunds_preview(args: argparse.Namespace) -> int:
    from regie.settlement.events import window_of
    from regie.settlement.refund_plan import preview, rules_for

    with open_database(args).session() as session:
        rules = rules_for(session, args.event or None)
        found = preview(session, rules, window_of(session, args.event or None))
    print(f"{found.cards} carte(s), {len(found.items)} remboursement(s) Stripe : "
          f"{_money(found.refund_cents)} rendus, frais {_money(found.fee_cents)}.")  # fmt: skip
    print(f"Sous le minimum (pour le bureau) : {found.below_minimum} carte(s), "
          f"{_money(found.below_minimum_cents)} ; hors carte bancaire : "
          f"{_money(found.not_by_card_cents)}.")  # fmt: skip
    if not found.open_now:
        print("Attention : la période de remboursement n'est pas ouverte.")
    for item in found.items[:50]:
        print(
            f"  {item.card}  {item.payment_intent}  {_money(item.amount)}"
            + (f" (frais {_money(item.fee)})" if item.fee else "")
        )
    if len(found.items) > 50:
        print(f"  … et {len(found.items) - 50} autre(s)")
    return 0


def cmd_refunds_run(args: argparse.Namespace) -> int:
    from regie.settlement.events import window_of
    from regie.settlement.refund_plan import preview, rules_for
    from regie.settlement.refunds import open_run, plan_run, run_refunds
    from regie.stripe_key import require_stripe_key

    key = require_stripe_key()
    db = open_database(args)
    with db.session() as session:
        run = open_run(session)
        if run is None:
            rules = rules_for(session, args.event or None)
            run = plan_run(session, preview(session, rules, window_of(session, args.event or None)),
                           args.event)  # fmt: skip
            print(f"Série de remboursements n°{run} préparée.")
        else:
            print(f"Reprise de la série n°{run}.")
    result = run_refunds(db, run, key, _progress("remboursements"))  # type: ignore[arg-type]
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Série n°{run} : {result.done} remboursé(s) ({_money(result.refunded_cents)}), "
          f"{result.failed} refusé(s), {result.remaining} restant(s).")  # fmt: skip
    return 0 if result.remaining == 0 and result.failed == 0 else 1


def cmd_settle(args: argparse.Namespace) -> int:
    from regie.settlement.convention import record, settle
    from regie.settlement.statement_pdf import statement_pdf

    with open_database(args).session() as session:
        statement = settle(session, args.prestation, scheme=args.scheme,
                           turnover_cents=args.turnover, cachet_days=args.days,
                           travel_cents=args.travel)  # fmt: skip
        statement_pdf(statement, args.out)
        if args.record:
            record(session, statement)
    print(f"{args.prestation} ({args.scheme}, phase {statement.phase}) : part "
          f"{_money(statement.share_cents)}, total dû {_money(statement.total_cents)} → "
          f"{args.out}")  # fmt: skip
    return 0


def cmd_invoice_create(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import create_invoice, parse_line

    lines = [parse_line(text) for text in args.line]
    with open_database(args).session() as session:
        view = create_invoice(
            session, client=args.client, issuer=args.issuer, lines=lines,
            prestation=args.prestation, issued_on=args.date, notes=args.notes,
        )  # fmt: skip
    print(f"Facture {view.reference} : {_money(view.total_incl_cents)} TTC.")
    return 0


def cmd_invoice_credit(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import credit_invoice

    with open_database(args).session() as session:
        view = credit_invoice(session, args.number, issued_on=args.date, reason=args.reason)
    print(f"Avoir {view.reference} : annule {args.number} ({_money(view.total_incl_cents)} TTC).")
    return 0


def cmd_invoice_pdf(args: argparse.Namespace) -> int:
    from regie.settlement.invoice_pdf import invoice_pdf
    from regie.settlement.invoices import view

    with open_database(args).session() as session:
        found = view(session, args.number)
    invoice_pdf(found, args.out, facturx=args.facturx)
    print(f"{found.reference} → {args.out}{' (Factur-X)' if args.facturx else ''}")
    return 0


def cmd_invoice_list(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import list_invoices

    with open_database(args).session() as session:
        rows = list_invoices(session, args.year)
    for row in rows:
        cancelled = f"  annulée par {row.cancelled_by}" if row.cancelled_by else ""
        kind = "avoir  " if row.kind == "credit" else "facture"
        print(f"{row.reference:<14} {kind} {row.issued_on}  {row.client:<20} "
              f"{_money(row.total_incl_cents):>14}{cancelled}")  # fmt: skip
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from regie.settlement.event_report import event_report
    from regie.settlement.report_pdf import report_pdf

    with open_database(args).session() as session:
        report = event_report(session, args.event)
    report_pdf(report, args.out)
    print(f"Rapport de {args.event} : ventes {_money(report.sales_cents)} → {args.out}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from regie.settlement.indicators import indicators

    with open_database(args).session() as session:
        found = indicators(session, args.year)
    print(f"{found.year} : {found.events} événement(s), {found.cards_used} carte(s) utilisée(s), "
          f"chiffre d'affaires {_money(found.turnover_cents)}, ventes cashless "
          f"{_money(found.cashless_sales_cents)}, "
          f"dû à la coopérative {_money(found.owed_cents)}.")  # fmt: skip
    for line in found.lines:
        scheme = f"{line.scheme}, {line.phase}" if line.scheme else "pas de règlement retenu"
        print(f"  {line.starts_on}  {line.name:<28} CA {_money(line.turnover_cents):>14}  "
              f"dû {_money(line.total_cents):>12}  ({scheme})")  # fmt: skip
    if found.soticket_floor_topup_cents:
        print(f"  complément au plancher SoTicket : {_money(found.soticket_floor_topup_cents)}")
    return 0


def cmd_convention_show(args: argparse.Namespace) -> int:
    from regie import clock
    from regie.settlement.settings import OPTIONS, settings_at

    day = args.at or clock.today()
    with open_database(args).session() as session:
        values = settings_at(session, day)
    print(f"Réglages de la convention en vigueur le {day} :")
    for option in OPTIONS:
        since = values.since.get(option.name)
        origin = f"depuis le {since}" if since else "par défaut"
        print(f"  {option.name:<28} {values.describe(option.name):<16} ({origin}) "
              f"— {option.label}")  # fmt: skip
    return 0


def cmd_convention_set(args: argparse.Namespace) -> int:
    from regie.settlement.settings import format_value, option, set_setting

    with open_database(args).session() as session:
        version = set_setting(session, args.name, args.value, args.valid_from, args.note)
    print(f"{version.name} = {format_value(option(version.name), version.value)} à partir du "
          f"{version.valid_from}.")  # fmt: skip
    return 0


__all__ = ["UserError", "register"]

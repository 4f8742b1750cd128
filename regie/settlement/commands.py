"""``regie stripe|refunds|settle|invoice|report|indicators|convention``: the headless face of
the settlement operations. Amounts are typed in euros (``412,37``) and printed in euros."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from regie.commands import Needs, Permission, SubCommands, UserError, open_database
from regie.i18n import N_, _, ngettext
from regie.money import MoneyFormatError, format_money, parse_cents
from regie.settlement import counts


def _euros(text: str) -> int:
    try:
        return parse_cents(text)
    except MoneyFormatError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("date AAAA-MM-JJ attendue (lu « {text} »)").format(text=text)
        ) from None


# A statement alone is a reading; recording it or invoicing it is a manager's.
SETTLE_NEEDS = Needs(
    choose=lambda args: Permission.SETTLE if args.record or args.invoice else None,
    text=N_("--record ou --invoice : responsable ; le relevé seul : personne"),
    strictest=Permission.SETTLE,
)


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""

    def group(name: str, help_text: str, dest: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
        parser = commands.add_parser(name, parents=[common], help=help_text)
        return parser.add_subparsers(dest=dest, metavar="ACTION", required=True)

    stripe = group("stripe", _("Stripe : clé, synchronisation, rapport CSV, rapprochement"), "s")
    key = stripe.add_parser(
        "key", parents=[common], help=_("la clé secrète (trousseau du système)")
    )
    key_actions = key.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    p = key_actions.add_parser(
        "set", parents=[common], help=_("enregistre la clé (lue au clavier)")
    )
    p.add_argument("--stdin", action="store_true", help=_("lire la clé sur l'entrée standard"))
    p.set_defaults(func=cmd_key_set, needs=Permission.MANAGE_SECRETS)
    key_actions.add_parser("clear", parents=[common], help=_("oublie la clé")).set_defaults(
        func=cmd_key_clear, needs=Permission.MANAGE_SECRETS
    )
    key_actions.add_parser(
        "status", parents=[common], help=_("dit si une clé est là")
    ).set_defaults(
        func=cmd_key_status,
        needs=Permission.USE_STRIPE,
        needs_note=N_("lit la clé (masquée)"),
    )
    stripe.add_parser(
        "sync", parents=[common], help=_("lit paiements, remboursements, mouvements et virements")
    ).set_defaults(func=cmd_sync, needs=Permission.USE_STRIPE)
    p = stripe.add_parser(
        "import-report",
        parents=[common],
        help=_("importe le rapport CSV « rapprochement des virements, détaillé »"),
    )
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import_report, needs=Permission.USE_STRIPE)
    p = stripe.add_parser(
        "reconcile", parents=[common], help=_("rapproche Stripe et le grand livre")
    )
    p.add_argument("--event", default="", help=_("une prestation (ses dates)"))
    p.add_argument("--resolve", metavar=_("ÉCART"), help=_("règle un écart par une écriture"))
    p.add_argument("--card", default="", help=_("la carte d'un paiement qui n'en nomme pas"))
    p.add_argument(
        "--resolve-all",
        action="store_true",
        help=_("comptabilise frais, virements, recharges et remboursements manquants"),
    )
    p.set_defaults(func=cmd_reconcile, needs=Permission.USE_STRIPE)

    refunds = group("refunds", _("remboursement des soldes restants par carte bancaire"), "r")
    for name, help_text in (
        ("preview", _("ce qui serait remboursé")),
        ("run", _("rembourse (ou reprend la série interrompue)")),
    ):
        p = refunds.add_parser(name, parents=[common], help=help_text)
        p.add_argument(
            "--event", default="", help=_("la prestation (ses cartes, sa fenêtre de remboursement)")
        )
        p.set_defaults(
            func=cmd_refunds_preview if name == "preview" else cmd_refunds_run,
            needs=None if name == "preview" else Permission.REFUND,
        )

    p = commands.add_parser("settle", parents=[common], help=_("règlement d'une prestation (PDF)"))
    p.add_argument("prestation")
    p.add_argument(
        "--scheme",
        choices=["convention", "flat", "soticket"],
        default=None,
        help=_("sinon : celui de la prestation ou de son dernier règlement"),
    )
    p.add_argument(
        "--turnover",
        type=_euros,
        default=None,
        metavar="EUROS",
        help=_("chiffre d'affaires HT hors cachet (sinon : les factures de l'organisateur)"),
    )
    p.add_argument("--days", type=int, default=None, help=_("jours de cachet"))
    p.add_argument("--travel", type=_euros, default=None, metavar="EUROS")
    p.add_argument("--out", type=Path, default=None, help=_("le relevé en PDF"))
    p.add_argument(
        "--record", action="store_true", help=_("retient ce règlement (nouvelle version)")
    )
    p.add_argument(
        "--invoice",
        action="store_true",
        help=_("émet la facture de la coopérative au partenaire pour le règlement retenu"),
    )
    p.add_argument("--json", action="store_true", help=_("les chiffres en centimes, en JSON"))
    p.set_defaults(func=cmd_settle, needs=SETTLE_NEEDS)

    invoice = group("invoice", _("factures et avoirs"), "i")
    p = invoice.add_parser("create", parents=[common], help=_("émet une facture"))
    p.add_argument("--client", required=True)
    p.add_argument("--issuer", default="", help=_("émetteur (sinon : le partenaire)"))
    p.add_argument("--prestation", default="")
    p.add_argument(
        "--line",
        action="append",
        required=True,
        help=_("« libellé;quantité;prix HT;TVA %%[;service|cachet|cost] »"),
    )
    p.add_argument("--date", type=_date, default=None)
    p.add_argument(
        "--service-from",
        type=_date,
        default=None,
        help=_("premier jour de la prestation facturée (sinon : celui de la prestation)"),
    )
    p.add_argument(
        "--service-to",
        type=_date,
        default=None,
        help=_("dernier jour de la prestation facturée (sinon : celui de la prestation)"),
    )
    p.add_argument("--notes", default="")
    p.set_defaults(func=cmd_invoice_create, needs=Permission.SETTLE)
    issuer_help = _("émetteur de la facture, quand deux émetteurs ont ce numéro")
    p = invoice.add_parser("credit", parents=[common], help=_("annule une facture par un avoir"))
    p.add_argument("number")
    p.add_argument("--issuer", default="", help=issuer_help)
    p.add_argument("--reason", default="")
    p.add_argument("--date", type=_date, default=None)
    p.set_defaults(func=cmd_invoice_credit, needs=Permission.SETTLE)
    p = invoice.add_parser("pdf", parents=[common], help=_("la facture ou l'avoir en PDF"))
    p.add_argument("number")
    p.add_argument("--issuer", default="", help=issuer_help)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--facturx", action="store_true", help=_("PDF Factur-X (XML EN 16931 intégré)"))
    p.set_defaults(func=cmd_invoice_pdf, needs=None)
    p = invoice.add_parser("list", parents=[common], help=_("les factures et avoirs"))
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--issuer", default="", help=_("les factures de cet émetteur seulement"))
    p.set_defaults(func=cmd_invoice_list, needs=None)

    p = commands.add_parser("report", parents=[common], help=_("rapport d'événement (PDF)"))
    p.add_argument("event")
    p.add_argument("--out", type=Path, default=None, help=_("le PDF (facultatif avec --json)"))
    p.add_argument("--json", action="store_true", help=_("les chiffres en JSON (centimes)"))
    p.set_defaults(func=cmd_report, needs=None)
    p = commands.add_parser("indicators", parents=[common], help=_("bilan annuel de la convention"))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true", help=_("les chiffres en JSON (centimes)"))
    p.set_defaults(func=cmd_indicators, needs=None)
    p = commands.add_parser(
        "season", parents=[common], help=_("la saison : prestations, amortissement, SoTicket")
    )
    p.add_argument("--year", type=_year, default=None, help=_("l'année (sinon : l'année en cours)"))
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--csv", action="store_true", help=_("les prestations en CSV"))
    shape.add_argument(
        "--json", action="store_true", help=_("tous les chiffres en centimes (JSON)")
    )
    p.set_defaults(func=cmd_season, needs=None)

    convention = group("convention", _("les réglages de la convention, datés"), "c")
    p = convention.add_parser("show", parents=[common], help=_("réglages en vigueur à une date"))
    p.add_argument("--at", type=_date, default=None)
    p.set_defaults(func=cmd_convention_show, needs=None)
    p = convention.add_parser(
        "set", parents=[common], help=_("nouvelle valeur à partir d'une date")
    )
    p.add_argument("name")
    p.add_argument("value")
    p.add_argument("--from", dest="valid_from", type=_date, required=True)
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_convention_set, needs=Permission.CHANGE_CONVENTION)
    p = convention.add_parser(
        "kind", parents=[common], help=_("prestation extérieure ou événement propre du partenaire")
    )
    p.add_argument("prestation")
    p.add_argument("kind", choices=["external", "own"])
    p.set_defaults(func=cmd_convention_kind, needs=Permission.CHANGE_CONVENTION)


def _money(cents: int) -> str:
    return format_money(cents)


def cmd_key_set(args: argparse.Namespace) -> int:
    from regie.stripe_key import masked, set_stripe_secret_key

    key = sys.stdin.readline() if args.stdin else getpass.getpass(_("Clé secrète Stripe : "))
    set_stripe_secret_key(key)
    print(
        _("Clé Stripe {key} enregistrée dans le trousseau du système.").format(
            key=masked(key.strip())
        )
    )
    return 0


def cmd_key_clear(args: argparse.Namespace) -> int:
    from regie.stripe_key import clear_stripe_secret_key

    print(
        _("Clé Stripe oubliée.") if clear_stripe_secret_key() else _("Aucune clé Stripe à oublier.")
    )
    return 0


def cmd_key_status(args: argparse.Namespace) -> int:
    from regie.stripe_key import masked, require_stripe_key

    print(
        _("Clé Stripe présente : {require_stripe_key}").format(
            require_stripe_key=masked(require_stripe_key())
        )
    )
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
    print(
        _(
            "Stripe : {payments} paiements, {charges} débits, {refunds} "
            "remboursements, {balance_transactions} mouvements, "
            "{payouts} virements ({payouts_itemised} détaillés)."
        ).format(
            payments=result.payments,
            charges=result.charges,
            refunds=result.refunds,
            balance_transactions=result.balance_transactions,
            payouts=result.payouts,
            payouts_itemised=result.payouts_itemised,
        )
    )
    for warning in result.warnings:
        print(_("attention : {warning}").format(warning=warning))
    return 0


def cmd_import_report(args: argparse.Namespace) -> int:
    from regie.settlement.stripe_report import import_report

    result = import_report(open_database(args), args.file)
    print(
        _("{lines} : {charges}, {refunds}, {payouts}, frais {fees_cents}.").format(
            lines=counts.lines(result.lines),
            charges=counts.payments(result.charges),
            refunds=counts.refunds(result.refunds),
            payouts=counts.payouts(result.payouts),
            fees_cents=_money(result.fees_cents),
        )
    )
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
            print(_("Écart {resolve} réglé par une écriture.").format(resolve=args.resolve))
        elif args.resolve_all:
            done = resolve_all(session, window=window)
            print(
                ngettext(
                    "{posted} écriture passée.", "{posted} écritures passées.", done.posted
                ).format(posted=done.posted)
            )
            for key, why in done.failed:
                print(_("non réglé : {key} — {why}").format(key=key, why=why))
    with db.session() as session:
        found = reconcile(session, window)
    print(
        _(
            "Recharges Stripe : {matched} rapprochées ({matched_cents}) "
            "; Stripe {stripe_topups_cents}, grand livre "
            "{ledger_topups_cents}."
        ).format(
            matched=found.matched,
            matched_cents=_money(found.matched_cents),
            stripe_topups_cents=_money(found.stripe_topups_cents),
            ledger_topups_cents=_money(found.ledger_topups_cents),
        )
    )
    print(
        _(
            "Frais : {fees_cents} (comptabilisés {fees_booked_cents}) ; "
            "virements : {payouts_cents} (en banque "
            "{payouts_booked_cents})."
        ).format(
            fees_cents=_money(found.fees_cents),
            fees_booked_cents=_money(found.fees_booked_cents),
            payouts_cents=_money(found.payouts_cents),
            payouts_booked_cents=_money(found.payouts_booked_cents),
        )
    )
    if not found.synced:
        print(
            _("Rien de Stripe pour l'instant : regie stripe sync, ou regie stripe import-report.")
        )
    if not found.mismatches:
        print(_("Aucun écart."))
        return 0
    print(
        ngettext("{n} écart :", "{n} écarts :", len(found.mismatches)).format(
            n=len(found.mismatches)
        )
    )
    for m in found.mismatches:
        fix = f" → {m.resolution}" if m.resolution else _(" → à régler chez Stripe")
        print(
            _("  {key} : {label} (Stripe {stripe_cents}, grand livre {ledger_cents}){fix}").format(
                key=m.key,
                label=m.label,
                stripe_cents=_money(m.stripe_cents),
                ledger_cents=_money(m.ledger_cents),
                fix=fix,
            )
        )
    return 1


def cmd_refunds_preview(args: argparse.Namespace) -> int:
    from regie.settlement.refund_plan import event_preview

    with open_database(args).session() as session:
        found = event_preview(session, args.event or None)
    print(
        _("{cards}, {refunds} : {refund_cents} rendus, frais {fee_cents}.").format(
            cards=counts.cards(found.cards),
            refunds=counts.stripe_refunds(len(found.items)),
            refund_cents=_money(found.refund_cents),
            fee_cents=_money(found.fee_cents),
        )
    )
    print(
        _(
            "Sous le minimum (pour le bureau) : {below_minimum}, "
            "{below_minimum_cents} ; hors carte bancaire : {not_by_card_cents}."
        ).format(
            below_minimum=counts.cards(found.below_minimum),
            below_minimum_cents=_money(found.below_minimum_cents),
            not_by_card_cents=_money(found.not_by_card_cents),
        )
    )
    if not found.open_now:
        print(_("Attention : la période de remboursement n'est pas ouverte."))
    for item in found.items[:50]:
        print(
            f"  {item.card}  {item.payment_intent}  {_money(item.amount)}"
            + (f" (frais {_money(item.fee)})" if item.fee else "")
        )
    if len(found.items) > 50:
        more = len(found.items) - 50
        print(ngettext("  … et {n} autre", "  … et {n} autres", more).format(n=more))
    return 0


def cmd_refunds_run(args: argparse.Namespace) -> int:
    from regie.settlement.refund_plan import event_preview
    from regie.settlement.refunds import open_run, plan_run, run_refunds
    from regie.stripe_key import require_stripe_key

    key = require_stripe_key()
    db = open_database(args)
    with db.session() as session:
        run = open_run(session)
        if run is None:
            run = plan_run(session, event_preview(session, args.event or None), args.event)
            print(_("Série de remboursements n°{run} préparée.").format(run=run))
        else:
            print(_("Reprise de la série n°{run}.").format(run=run))
    result = run_refunds(db, run, key, _progress("remboursements"))  # type: ignore[arg-type]
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        _("Série n°{run} : {done} ({refunded_cents}), {failed}, {remaining}.").format(
            run=run,
            done=counts.refunded(result.done),
            refunded_cents=_money(result.refunded_cents),
            failed=counts.refused(result.failed),
            remaining=counts.remaining(result.remaining),
        )
    )
    return 0 if result.remaining == 0 and result.failed == 0 else 1


def cmd_settle(args: argparse.Namespace) -> int:
    import orjson

    from regie.settlement.convention import settle
    from regie.settlement.statement import FIGURE_LABELS
    from regie.settlement.statement_pdf import statement_pdf
    from regie.settlement.versions import as_json, cooperative_invoice, record

    with open_database(args).session() as session:
        statement = settle(
            session,
            args.prestation,
            scheme=args.scheme,
            turnover_cents=args.turnover,
            cachet_days=args.days,
            travel_cents=args.travel,
        )
        recorded = record(session, statement) if args.record else None
        invoice = cooperative_invoice(session, args.prestation) if args.invoice else None
        if args.out:
            statement_pdf(statement, args.out)
    if args.json:
        data = as_json(statement)
        data["now_differ"] = recorded.now_differ if recorded else []
        data["invoice"] = invoice.reference if invoice else ""
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    print(
        _(
            "{prestation} ({scheme}, phase {phase}) : part {share_cents}, total dû {total_cents}"
        ).format(
            prestation=args.prestation,
            scheme=statement.scheme,
            phase=_(statement.phase),
            share_cents=_money(statement.share_cents),
            total_cents=_money(statement.total_cents),
        )
        + (f" → {args.out}" if args.out else "")
    )
    for name, (before, now) in statement.differences().items():
        show = (lambda v: f"{v / 100:g} %") if name.endswith("_bp") else _money
        print(
            _("  {figure} : {before} en version {version}, {now} maintenant").format(
                figure=_(FIGURE_LABELS.get(name, name)),
                before=show(before),
                version=statement.previous_version,
                now=show(now),
            )
        )
    if recorded is not None:
        print(
            _("version {version} enregistrée").format(version=recorded.version)
            if recorded.created
            else _("inchangé : la version {version} reste en vigueur").format(
                version=recorded.version
            )
        )
        for name in recorded.now_differ:
            print(
                _(
                    "le règlement enregistré de {name} diffère maintenant : "
                    "réenregistrez-le (regie settle « {name} » --record)"
                ).format(name=name)
            )
    if invoice is not None:
        print(_("facture de la coopérative : {ref}").format(ref=invoice.reference))
    return 0


def cmd_invoice_create(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import create_invoice, parse_line

    lines = [parse_line(text) for text in args.line]
    with open_database(args).session() as session:
        view = create_invoice(
            session,
            client=args.client,
            issuer=args.issuer,
            lines=lines,
            prestation=args.prestation,
            issued_on=args.date,
            notes=args.notes,
            service_from=args.service_from,
            service_to=args.service_to,
        )
    print(
        _("Facture {reference} : {total_incl_cents} TTC.").format(
            reference=view.reference, total_incl_cents=_money(view.total_incl_cents)
        )
    )
    return 0


def cmd_invoice_credit(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import credit_invoice

    with open_database(args).session() as session:
        view = credit_invoice(
            session, args.number, issuer=args.issuer, issued_on=args.date, reason=args.reason
        )
    print(
        _("Avoir {reference} : annule {number} ({total_incl_cents} TTC).").format(
            reference=view.reference,
            number=args.number,
            total_incl_cents=_money(view.total_incl_cents),
        )
    )
    return 0


def cmd_invoice_pdf(args: argparse.Namespace) -> int:
    from regie.settlement.invoice_pdf import invoice_pdf
    from regie.settlement.invoices import view

    with open_database(args).session() as session:
        found = view(session, args.number, args.issuer)
    invoice_pdf(found, args.out, facturx=args.facturx)
    print(f"{found.reference} → {args.out}{' (Factur-X)' if args.facturx else ''}")
    return 0


def cmd_invoice_list(args: argparse.Namespace) -> int:
    from regie.settlement.invoices import list_invoices

    with open_database(args).session() as session:
        rows = list_invoices(session, args.year, args.issuer)
    for row in rows:
        cancelled = (
            _("  annulée par {cancelled_by}").format(cancelled_by=row.cancelled_by)
            if row.cancelled_by
            else ""
        )
        kind = "avoir  " if row.kind == "credit" else "facture"
        print(
            f"{row.issuer:<12} {row.reference:<14} {kind} {row.issued_on}  {row.client:<20} "
            f"{_money(row.total_incl_cents):>14}{cancelled}"
        )
    return 0


def _print_json(figures: dict[str, object]) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode() + "\n")


def cmd_report(args: argparse.Namespace) -> int:
    from regie.settlement.event_report import event_report, report_figures
    from regie.settlement.report_pdf import report_pdf

    if args.out is None and not args.json:
        raise UserError(_("dites où écrire le PDF (--out FICHIER.pdf) ou demandez --json"))
    with open_database(args).session() as session:
        report = event_report(session, args.event)
    if args.out is not None:
        report_pdf(report, args.out)
    if args.json:
        _print_json(report_figures(report))
        return 0
    print(
        _("Rapport de {event} : ventes {sales_cents} → {out}").format(
            event=args.event, sales_cents=_money(report.sales_cents), out=args.out
        )
    )
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from regie.settlement.indicators import indicators, indicators_figures

    with open_database(args).session() as session:
        found = indicators(session, args.year)
    if args.json:
        _print_json(indicators_figures(found))
        return 0
    print(
        _(
            "{year} : {events}, {cards_used}, chiffre d'affaires {turnover_cents}, ventes "
            "cashless {cashless_sales_cents}, dû à la coopérative "
            "{owed_cents}."
        ).format(
            year=found.year,
            events=ngettext("{n} événement", "{n} événements", found.events).format(n=found.events),
            cards_used=ngettext(
                "{n} carte utilisée", "{n} cartes utilisées", found.cards_used
            ).format(n=found.cards_used),
            turnover_cents=_money(found.turnover_cents),
            cashless_sales_cents=_money(found.cashless_sales_cents),
            owed_cents=_money(found.owed_cents),
        )
    )
    print(
        _(
            "  ventes des événements : {sales_cents} dont cashless {cashless_sales_cents}, "
            "espèces {cash_sales_cents}, carte bancaire {card_sales_cents}"
        ).format(
            sales_cents=_money(found.sales_cents),
            cashless_sales_cents=_money(found.cashless_sales_cents),
            cash_sales_cents=_money(found.cash_sales_cents),
            card_sales_cents=_money(found.card_sales_cents),
        )
    )
    for line in found.lines:
        scheme = f"{line.scheme}, {_(line.phase)}" if line.scheme else _("pas de règlement retenu")
        print(
            _("  {starts_on}  {name:<28} CA {turnover:>14}  dû {total:>12}  ({scheme})").format(
                starts_on=line.starts_on,
                name=line.name,
                turnover=_money(line.turnover_cents),
                total=_money(line.total_cents),
                scheme=scheme,
            )
        )
    if found.soticket_floor_topup_cents:
        print(
            _("  complément au plancher SoTicket : {soticket_floor_topup_cents}").format(
                soticket_floor_topup_cents=_money(found.soticket_floor_topup_cents)
            )
        )
    return 0


def _year(text: str) -> int:
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise argparse.ArgumentTypeError(
            _("une année entre 2000 et 2100 attendue (lu « {text} »)").format(text=text)
        )
    return int(text)


def cmd_season(args: argparse.Namespace) -> int:
    from regie import clock
    from regie.settlement import season_text
    from regie.settlement.season import season
    from regie.settlement.soticket import structures

    year = args.year or clock.today().year
    with open_database(args).session() as session:
        found, venues = season(session, year), structures(session, year)
    if args.json:
        print(season_text.season_json(found, venues))
    elif args.csv:
        print(season_text.season_csv(found), end="")
    else:
        print(season_text.season_table(found, venues))
    return 0


def cmd_convention_show(args: argparse.Namespace) -> int:
    from regie import clock
    from regie.settings.convention import OPTIONS, settings_at

    day = args.at or clock.today()
    with open_database(args).session() as session:
        values = settings_at(session, day)
    print(_("Réglages de la convention en vigueur le {day} :").format(day=day))
    for option in OPTIONS:
        since = values.since.get(option.name)
        origin = _("depuis le {since}").format(since=since) if since else _("par défaut")
        print(
            f"  {option.name:<28} {values.describe(option.name):<16} ({origin}) — {_(option.label)}"
        )
    return 0


def cmd_convention_set(args: argparse.Namespace) -> int:
    from regie.settings.convention import format_value, option, set_setting

    with open_database(args).session() as session:
        version = set_setting(session, args.name, args.value, args.valid_from, args.note)
    print(
        _("{name} = {name2} à partir du {valid_from}.").format(
            name=version.name,
            name2=format_value(option(version.name), version.value),
            valid_from=version.valid_from,
        )
    )
    return 0


__all__ = ["UserError", "register"]


def cmd_convention_kind(args: argparse.Namespace) -> int:
    from regie.inventory.register import set_prestation_kind

    with open_database(args).session() as session:
        set_prestation_kind(session, args.prestation, args.kind)
    print(
        _("{prestation} : prestation extérieure (part + cachet)").format(prestation=args.prestation)
        if args.kind == "external"
        else _("{prestation} : événement propre du partenaire (sans cachet)").format(
            prestation=args.prestation
        )
    )
    return 0

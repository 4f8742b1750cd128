"""``regie inventory …``: the headless face of the inventory operations."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from regie.commands import Needs, Permission, SubCommands, UserError, open_database
from regie.i18n import N_, _, local_time, ngettext
from regie.money import MoneyFormatError, format_money, parse_cents


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        _("date illisible « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA)").format(text=text)
    )


def _lot(text: str) -> tuple[str, int]:
    name, _sep, count = text.rpartition("=")
    if not name or not count.strip().isdigit():
        raise argparse.ArgumentTypeError(
            _("« {text} » : attendu NOM_DU_LOT=QUANTITÉ").format(text=text)
        )
    return name.strip(), int(count)


def _bookings_for(n: int, prestation: str) -> str:
    return ngettext(
        "{n} réservation pour {prestation}", "{n} réservations pour {prestation}", n
    ).format(n=n, prestation=prestation)


def _euros(text: str) -> int:
    try:
        return parse_cents(text)
    except MoneyFormatError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# A write-off takes equipment out of the inventory: a manager's; the other steps an operator's.
INCIDENT_NEEDS = Needs(
    choose=lambda args: Permission.WRITE_OFF if args.step == "write-off" else Permission.OPERATE,
    text=N_("« write-off » : responsable ; les autres étapes : opérateur"),
    strictest=Permission.WRITE_OFF,
)


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add ``regie inventory`` and its actions."""
    inventory = commands.add_parser(
        "inventory", parents=[common], help=_("matériel partagé : prêts, retours, inventaires")
    )
    actions = inventory.add_subparsers(dest="inventory_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=help_text, description=help_text)

    p = action("list", _("liste le matériel (filtrable)"))
    p.add_argument("--status", help="available, out, in_repair, quarantined, lost…")
    p.add_argument("--owner", default="")
    p.add_argument("--model", default="")
    p.add_argument("--prestation", default="")
    p.set_defaults(func=cmd_list, needs=None)

    p = action("show", _("fiche d'un matériel et son historique"))
    p.add_argument("tag")
    p.set_defaults(func=cmd_show, needs=None)

    p = action("import", _("importe du matériel depuis un CSV (ligne d'en-tête)"))
    p.add_argument("file", type=Path)
    p.add_argument(
        "--good-rows-only",
        action="store_true",
        help=_("importe les lignes correctes même si d'autres sont en erreur"),
    )
    p.set_defaults(func=cmd_import, needs=Permission.OPERATE)

    p = action("export", _("exporte le matériel en CSV (le format de l'import)"))
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_export, needs=None)

    p = action("labels", _("PDF d'étiquettes QR sur planche A4 de 21"))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--tags", nargs="*", default=None, help=_("ces étiquettes seulement"))
    p.set_defaults(func=cmd_labels, needs=None)

    p = action("book", _("réserve du matériel pour une prestation"))
    p.add_argument("tags", nargs="*")
    p.add_argument("--prestation", required=True)
    p.add_argument("--kit", action="append", default=[])
    p.add_argument("--lot", action="append", type=_lot, default=[], metavar=_("NOM=QTÉ"))
    p.add_argument("--force", action="store_true", help=_("réserve malgré les conflits"))
    p.set_defaults(func=cmd_book, needs=Permission.OPERATE)

    p = action("bookings", _("les réservations d'une prestation"))
    p.add_argument("--prestation", required=True)
    p.add_argument("--cancelled", action="store_true", help=_("avec les réservations annulées"))
    p.set_defaults(func=cmd_bookings, needs=None)

    p = action("unbook", _("annule une réservation (son numéro)"))
    p.add_argument("booking", type=int)
    p.set_defaults(func=cmd_unbook, needs=Permission.OPERATE)

    p = action("checkout", _("sort du matériel pour un emprunteur"))
    p.add_argument("tags", nargs="*")
    p.add_argument("--to", required=True, help="organisation emprunteuse")
    p.add_argument("--due", required=True, type=_date, help=_("date de retour prévue"))
    p.add_argument("--prestation", default="")
    p.add_argument("--kit", action="append", default=[])
    p.add_argument("--lot", action="append", type=_lot, default=[], metavar=_("NOM=QTÉ"))
    p.set_defaults(func=cmd_checkout, needs=Permission.OPERATE)

    p = action("checkin", _("rentre du matériel avec son état"))
    p.add_argument("tags", nargs="*", help=_("rendus en bon état"))
    p.add_argument("--damaged", nargs="*", default=[], help=_("rendus abîmés"))
    p.add_argument("--missing", nargs="*", default=[], help="non rendus")
    p.add_argument("--lot", action="append", type=_lot, default=[], metavar=_("NOM=RENDUS"))
    p.add_argument("--prestation", default="")
    p.set_defaults(func=cmd_checkin, needs=Permission.OPERATE)

    p = action("overdue", _("prêts en retard"))
    p.add_argument("--at", type=_date, default=None)
    p.set_defaults(func=cmd_overdue, needs=None)

    p = action("audit", _("inventaire au scanner : lit les étiquettes sur l'entrée standard"))
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--prestation")
    scope.add_argument("--location")
    p.set_defaults(func=cmd_audit, needs=Permission.OPERATE)

    p = action("amortisation", _("amortissement par propriétaire"))
    p.add_argument("--owner", default="")
    p.add_argument("--at", type=_date, default=None)
    p.set_defaults(func=cmd_amortisation, needs=None)

    p = action("lots", _("lots (cartes) prêtés pour une prestation : rendus, perdus, valeur"))
    p.add_argument("--prestation", required=True)
    p.set_defaults(func=cmd_lots, needs=None)

    p = action("incidents", _("incidents (casse, vol, perte, réparation)"))
    p.add_argument("--open", action="store_true", help="seulement ceux en cours")
    p.set_defaults(func=cmd_incidents, needs=None)

    p = action("incident", _("fait avancer un incident"))
    p.add_argument("step", choices=["repair", "repaired", "found", "write-off", "cost"])
    p.add_argument("number", type=int)
    p.add_argument("--cost", type=_euros, default=0, help="coût en euros")
    p.add_argument("--payer", choices=["borrower", "owner", "shared_pot", "undecided"])
    p.set_defaults(func=cmd_incident, needs=INCIDENT_NEEDS)

    p = action("report", _("déclare un incident sur un matériel en stock"))
    p.add_argument("tag")
    p.add_argument("--kind", required=True, choices=["breakage", "theft", "loss", "repair"])
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_report, needs=None)

    p = action("add", _("ajoute une organisation, un lieu, une prestation, un modèle ou un lot"))
    kinds = p.add_subparsers(dest="add_kind", metavar=_("QUOI"), required=True)
    k = kinds.add_parser(
        "organisation", parents=[common], help=_("propriétaire, emprunteur, client")
    )
    k.add_argument("short_name")
    k.add_argument("--name", default="")
    k.add_argument("--siret", default="")
    k.add_argument("--vat-number", default="")
    k.add_argument("--address", default="")
    k.set_defaults(func=cmd_add_organisation, needs=Permission.OPERATE)
    k = kinds.add_parser("location", parents=[common], help=_("un lieu (dépôt, bureau, site)"))
    k.add_argument("name")
    k.add_argument("--address", default="")
    k.set_defaults(func=cmd_add_location, needs=Permission.OPERATE)
    k = kinds.add_parser(
        "prestation", parents=[common], help=_("un événement servi pour un client")
    )
    k.add_argument("name")
    k.add_argument("--client", required=True)
    k.add_argument("--from", dest="starts_on", type=_date, required=True)
    k.add_argument("--to", dest="ends_on", type=_date, required=True)
    k.add_argument("--place", default="")
    k.add_argument(
        "--kind",
        choices=["external", "own"],
        default=None,
        help=_(
            "prestation extérieure ou événement propre (sinon : own si le client est le partenaire)"
        ),
    )
    k.set_defaults(func=cmd_add_prestation, needs=Permission.OPERATE)
    k = kinds.add_parser("model", parents=[common], help=_("un modèle de matériel"))
    k.add_argument("name")
    k.add_argument("--category", required=True)
    k.add_argument("--manufacturer", default="")
    k.add_argument("--counted", action="store_true", help=_("compté par lots, sans étiquette"))
    k.add_argument("--months", type=int, default=36, help=_("durée d'amortissement"))
    k.set_defaults(func=cmd_add_model, needs=Permission.OPERATE)
    k = kinds.add_parser("lot", parents=[common], help=_("un lot compté (cartes, consommables)"))
    k.add_argument("name")
    k.add_argument("--model", required=True)
    k.add_argument("--owner", required=True)
    k.add_argument("--quantity", type=int, required=True)
    k.add_argument("--unit-cost", type=_euros, required=True, help="en euros")
    k.add_argument("--location", default="")
    k.set_defaults(func=cmd_add_lot, needs=Permission.OPERATE)

    p = action("kit", _("valises : créer, remplir, vider, lister"))
    steps = p.add_subparsers(dest="kit_step", metavar="ACTION", required=True)
    k = steps.add_parser("create", parents=[common], help=_("crée une valise"))
    k.add_argument("tag")
    k.add_argument("--name", default="")
    k.set_defaults(func=cmd_kit_create, needs=Permission.OPERATE)
    k = steps.add_parser("put", parents=[common], help=_("range du matériel dans une valise"))
    k.add_argument("kit")
    k.add_argument("tags", nargs="+")
    k.set_defaults(func=cmd_kit_put, needs=Permission.OPERATE)
    k = steps.add_parser("remove", parents=[common], help=_("sort du matériel d'une valise"))
    k.add_argument("kit")
    k.add_argument("tags", nargs="+")
    k.set_defaults(func=cmd_kit_remove, needs=Permission.OPERATE)
    k = steps.add_parser("list", parents=[common], help=_("les valises et leur contenu"))
    k.set_defaults(func=cmd_kit_list, needs=None)

    p = action("maintenance", _("ajoute une ligne au carnet d'entretien"))
    p.add_argument("tag")
    p.add_argument("description")
    p.add_argument("--cost", type=_euros, default=0)
    p.set_defaults(func=cmd_maintenance, needs=Permission.OPERATE)


def cmd_list(args: argparse.Namespace) -> int:
    from regie.inventory.asset_window import AssetFilter
    from regie.inventory.assets import STATUS_LABELS, list_assets
    from regie.inventory.models import AssetStatus

    try:
        status = AssetStatus(args.status) if args.status else None
    except ValueError:
        raise UserError(f"statut inconnu : {args.status}") from None
    db = open_database(args)
    with db.session() as session:
        rows = list_assets(
            session,
            AssetFilter(
                status=status, owner=args.owner, model=args.model, prestation=args.prestation
            ),
        )
    for row in rows:
        where = row.prestation or row.location
        print(
            f"{row.tag:<16} {row.model:<20} {row.owner:<10} {STATUS_LABELS[row.status]:<14} {where}"
        )
    print(ngettext("{n} matériel", "{n} matériels", len(rows)).format(n=len(rows)))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from regie.inventory.assets import STATUS_LABELS, asset_detail
    from regie.inventory.history import LABELS, EventKind

    db = open_database(args)
    with db.session() as session:
        detail = asset_detail(session, args.tag)
    row = detail.row
    print(f"{row.tag} — {row.model} n° {row.serial_number or '?'}")
    print(
        f"Statut : {STATUS_LABELS[row.status]}" + (f" ({row.prestation})" if row.prestation else "")
    )
    owners = ", ".join(f"{name} {share / 100:g} %" for name, share in detail.shares)
    print(_("Propriété : {owners}").format(owners=owners))
    bought = f"{detail.purchase_date:%d/%m/%Y}" if detail.purchase_date else "date inconnue"
    print(
        _(
            "Achat : {purchase_cost_cents} le {bought}, amorti sur {amortisation_months} mois"
        ).format(
            purchase_cost_cents=format_money(row.purchase_cost_cents),
            bought=bought,
            amortisation_months=detail.amortisation_months,
        )
    )
    print(_("Historique :"))
    for event in detail.events:
        label = LABELS.get(EventKind(event.kind), event.kind)
        print(f"  {local_time(event.at):%d/%m/%Y %H:%M}  {label}  {event.detail}".rstrip())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from regie.inventory.asset_csv import import_assets

    db = open_database(args)
    with db.session() as session:
        report = import_assets(session, args.file, good_rows_only=args.good_rows_only)
    print(report.describe())
    return 1 if report.problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    from regie.inventory.asset_csv import export_assets

    db = open_database(args)
    with db.session() as session:
        count = export_assets(session, args.file)
    print(
        ngettext(
            "{count} matériel exporté dans {file}", "{count} matériels exportés dans {file}", count
        ).format(count=count, file=args.file)
    )
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    from regie.inventory.labels import labels_for, write_labels

    db = open_database(args)
    with db.session() as session:
        labels = labels_for(session, args.tags)
    pages = write_labels(labels, args.out)
    print(
        _("{labels} sur {pages} : {out}").format(
            labels=ngettext("{n} étiquette", "{n} étiquettes", len(labels)).format(n=len(labels)),
            pages=ngettext("{n} page", "{n} pages", pages).format(n=pages),
            out=args.out,
        )
    )
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    from regie.inventory.bookings import Items, book

    db = open_database(args)
    with db.session() as session:
        result = book(
            session,
            args.prestation,
            Items(tuple(args.tags), tuple(args.kit), tuple(args.lot)),
            force=args.force,
        )
    for conflict in result.conflicts:
        print(_("attention : {conflict}").format(conflict=conflict))
    print(_bookings_for(len(result.bookings), args.prestation))
    return 0


def cmd_checkout(args: argparse.Namespace) -> int:
    from regie.inventory.bookings import Items
    from regie.inventory.loans import checkout

    db = open_database(args)
    with db.session() as session:
        loan = checkout(
            session,
            args.to,
            Items(tuple(args.tags), tuple(args.kit), tuple(args.lot)),
            due_on=args.due,
            prestation_name=args.prestation,
        )
    lots = ", ".join(f"{name} × {count}" for name, count in loan.lots)
    print(
        _("Prêt n°{loan_id} à {borrower}").format(loan_id=loan.loan_id, borrower=loan.borrower)
        + (_(" pour {prestation}").format(prestation=loan.prestation) if loan.prestation else "")
        + ngettext(
            ", retour le {due_on:%d/%m/%Y} : {n} matériel",
            ", retour le {due_on:%d/%m/%Y} : {n} matériels",
            len(loan.assets),
        ).format(due_on=loan.due_on, n=len(loan.assets))
        + (f", {lots}" if lots else "")
    )
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    from regie.inventory.loans import checkin
    from regie.inventory.models import Condition

    conditions = {tag: Condition.OK for tag in args.tags}
    conditions |= {tag: Condition.DAMAGED for tag in args.damaged}
    conditions |= {tag: Condition.MISSING for tag in args.missing}
    db = open_database(args)
    with db.session() as session:
        summary = checkin(
            session, conditions, lots=tuple(args.lot), prestation_name=args.prestation
        )
    print(_("Rentrés en bon état : {n}").format(n=len(summary.returned)))
    if summary.damaged:
        print(_("Abîmés (en quarantaine) : ") + ", ".join(summary.damaged))
    if summary.missing:
        print("Manquants : " + ", ".join(summary.missing))
    for name, out, back, lost in summary.lots:
        print(
            _("{name} : {back} rendus sur {out}, {lost} perdus").format(
                name=name, back=back, out=out, lost=lost
            )
        )
    if summary.incidents:
        print("Incidents ouverts : " + ", ".join(f"n°{n}" for n in summary.incidents))
    for loan_id in summary.closed_loans:
        print(_("Prêt n°{loan_id} soldé.").format(loan_id=loan_id))
    return 0


def cmd_overdue(args: argparse.Namespace) -> int:
    from regie.inventory.loans import overdue

    db = open_database(args)
    with db.session() as session:
        late = overdue(session, args.at)
    for loan in late:
        print(
            _("Prêt n°{loan_id} — {borrower}").format(loan_id=loan.loan_id, borrower=loan.borrower)
            + (f" ({loan.prestation})" if loan.prestation else "")
            + ngettext(
                " : attendu le {due_on:%d/%m/%Y}, {days_late} jour de retard — ",
                " : attendu le {due_on:%d/%m/%Y}, {days_late} jours de retard — ",
                loan.days_late,
            ).format(due_on=loan.due_on, days_late=loan.days_late)
            + ", ".join(loan.outstanding)
        )
    print(ngettext("{n} prêt en retard", "{n} prêts en retard", len(late)).format(n=len(late)))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from regie.inventory.audits import close_audit, scan, start_audit

    db = open_database(args)
    with db.session() as session:
        state = start_audit(
            session, prestation_name=args.prestation or "", location_name=args.location or ""
        )
    for line in sys.stdin:
        if not line.strip():
            continue
        with db.session() as session:  # each scan is saved as it comes
            scan(session, state, line)
    with db.session() as session:
        result = close_audit(session, state)
    print(_("Audit n°{audit_id} — {scope}").format(audit_id=result.audit_id, scope=result.scope))
    print(_("présents ({n}) : ").format(n=len(result.present)) + " ".join(result.present))
    print(f"manquants ({len(result.missing)}) : " + " ".join(result.missing))
    print(f"inconnus ({len(result.unknown)}) : " + " ".join(result.unknown))
    print(
        _("mal placés ({n}) : ").format(n=len(result.misplaced))
        + " ".join(f"{tag} [{place}]" for tag, place in result.misplaced)
    )
    return 0


def cmd_amortisation(args: argparse.Namespace) -> int:
    from regie.inventory.amortisation import by_owner

    db = open_database(args)
    with db.session() as session:
        rows = by_owner(session, at=args.at, owner=args.owner)
    if not rows:
        raise UserError(
            _("aucun matériel pour « {owner} »").format(owner=args.owner)
            if args.owner
            else "inventaire vide"
        )
    at = args.at or dt.date.today()
    print(_("Amortissement au {at:%d/%m/%Y}").format(at=at))
    for row in rows:
        state = _("amorti") if row.recovered else _("en cours d'amortissement")
        print(
            _(
                "{owner} : investi {invested_cents}, amorti "
                "{amortised_cents}, reste {remaining_cents} — {state}"
            ).format(
                owner=row.owner,
                invested_cents=format_money(row.invested_cents),
                amortised_cents=format_money(row.amortised_cents),
                remaining_cents=format_money(row.remaining_cents),
                state=state,
            )
        )
    return 0


def cmd_lots(args: argparse.Namespace) -> int:
    from regie.inventory.loans import lot_report

    db = open_database(args)
    with db.session() as session:
        rows = lot_report(session, args.prestation)
    for row in rows:
        print(
            _(
                "{lot} : {lent} prêtés, {returned} rendus, {lost} perdus ({lost_value_cents})"
            ).format(
                lot=row.lot,
                lent=row.lent,
                returned=row.returned,
                lost=row.lost,
                lost_value_cents=format_money(row.lost_value_cents),
            )
            + (f", {row.still_out} encore dehors" if row.still_out else "")
        )
    if not rows:
        print(_("aucun lot prêté pour {prestation}").format(prestation=args.prestation))
    return 0


def cmd_incidents(args: argparse.Namespace) -> int:
    from regie.inventory.incidents import KIND_LABELS, PAYER_LABELS, STATUS_LABELS, list_incidents

    db = open_database(args)
    with db.session() as session:
        rows = list_incidents(session, open_only=args.open)
    for row in rows:
        print(
            _(
                "n°{id} {opened_at:%d/%m/%Y} {kind:<11} {item:<22} "
                "{status:<22} {cost_cents} à la charge de {payer}"
            ).format(
                id=row.id,
                opened_at=row.opened_at,
                kind=_(KIND_LABELS[row.kind]),
                item=row.item,
                status=_(STATUS_LABELS[row.status]),
                cost_cents=format_money(row.cost_cents),
                payer=_(PAYER_LABELS[row.payer]),
            )
        )
    print(ngettext("{n} incident", "{n} incidents", len(rows)).format(n=len(rows)))
    return 0


def cmd_incident(args: argparse.Namespace) -> int:
    from regie.inventory import incidents
    from regie.inventory.models import Payer

    db = open_database(args)
    with db.session() as session:
        if args.step == "repair":
            incidents.start_repair(session, args.number)
        elif args.step == "repaired":
            incidents.mark_repaired(session, args.number, args.cost)
        elif args.step == "found":
            incidents.mark_found(session, args.number)
        elif args.step == "write-off":
            incidents.write_off(session, args.number)
        else:
            incidents.settle_cost(session, args.number, args.cost, Payer(args.payer or "undecided"))
        status = _(incidents.STATUS_LABELS[incidents.get_incident(session, args.number).status])
    print(_("Incident n°{number} : {status}").format(number=args.number, status=status))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from regie.inventory.incidents import report
    from regie.inventory.models import IncidentKind

    db = open_database(args)
    with db.session() as session:
        incident = report(session, args.tag, IncidentKind(args.kind), args.description)
    print(_("Incident n°{id} ouvert pour {tag}").format(id=incident.id, tag=args.tag.upper()))
    return 0


def cmd_maintenance(args: argparse.Namespace) -> int:
    from regie.inventory.incidents import log_maintenance

    db = open_database(args)
    with db.session() as session:
        log_maintenance(session, args.tag, args.description, args.cost)
    print(_("Entretien noté pour {tag}").format(tag=args.tag.upper()))
    return 0


def _created(args: argparse.Namespace, what: str, make: Callable[[Session], object]) -> int:
    db = open_database(args)
    with db.session() as session:
        make(session)
    print(_("{what} ajouté(e).").format(what=what))
    return 0


def cmd_add_organisation(args: argparse.Namespace) -> int:
    from regie.inventory.register import add_organisation

    return _created(
        args,
        f"Organisation {args.short_name}",
        lambda s: add_organisation(
            s,
            args.short_name,
            args.name,
            siret=args.siret,
            vat_number=args.vat_number,
            address=args.address,
        ),
    )


def cmd_add_location(args: argparse.Namespace) -> int:
    from regie.inventory.register import add_location

    return _created(args, f"Lieu {args.name}", lambda s: add_location(s, args.name, args.address))


def cmd_add_prestation(args: argparse.Namespace) -> int:
    from regie.inventory.register import add_prestation

    return _created(
        args,
        f"Prestation {args.name}",
        lambda s: add_prestation(
            s, args.name, args.client, args.starts_on, args.ends_on, args.place, kind=args.kind
        ),
    )


def cmd_add_model(args: argparse.Namespace) -> int:
    from regie.inventory.register import add_model

    return _created(
        args,
        _("Modèle {name}").format(name=args.name),
        lambda s: add_model(
            s,
            args.name,
            args.category,
            manufacturer=args.manufacturer,
            counted=args.counted,
            amortisation_months=args.months,
        ),
    )


def cmd_add_lot(args: argparse.Namespace) -> int:
    from regie.inventory.register import add_stock_lot

    return _created(
        args,
        f"Lot {args.name}",
        lambda s: add_stock_lot(
            s,
            args.name,
            args.model,
            args.owner,
            args.quantity,
            args.unit_cost,
            location=args.location,
        ),
    )


def cmd_kit_create(args: argparse.Namespace) -> int:
    from regie.inventory.register import create_kit

    return _created(
        args, f"Valise {args.tag.upper()}", lambda s: create_kit(s, args.tag, args.name)
    )


def cmd_kit_put(args: argparse.Namespace) -> int:
    from regie.inventory.register import put_in_kit

    db = open_database(args)
    with db.session() as session:
        added = put_in_kit(session, args.kit, args.tags)
    print(
        ngettext(
            "{n} matériel rangé dans {kit}.", "{n} matériels rangés dans {kit}.", len(added)
        ).format(n=len(added), kit=args.kit.upper())
    )
    return 0


def cmd_kit_remove(args: argparse.Namespace) -> int:
    from regie.inventory.register import take_out_of_kit

    db = open_database(args)
    with db.session() as session:
        take_out_of_kit(session, args.kit, args.tags)
    print(
        ngettext(
            "{n} matériel sorti de {kit}.", "{n} matériels sortis de {kit}.", len(args.tags)
        ).format(n=len(args.tags), kit=args.kit.upper())
    )
    return 0


def cmd_kit_list(args: argparse.Namespace) -> int:
    from regie.inventory.register import kits

    db = open_database(args)
    with db.session() as session:
        rows = kits(session)
    for tag, name, contents in rows:
        print(
            ngettext(
                "{tag} — {name} : {n} matériel : {contents}",
                "{tag} — {name} : {n} matériels : {contents}",
                len(contents),
            ).format(tag=tag, name=name, n=len(contents), contents=" ".join(contents))
        )
    print(ngettext("{n} valise", "{n} valises", len(rows)).format(n=len(rows)))
    return 0


def cmd_bookings(args: argparse.Namespace) -> int:
    from regie.inventory.booking_list import prestation_bookings

    db = open_database(args)
    with db.session() as session:
        listing = prestation_bookings(session, args.prestation, cancelled=args.cancelled)
    for line in listing.lines:
        quantity = f" × {line.quantity}" if line.lot else ""
        kit = f" (valise {line.kit})" if line.kit else ""
        cancelled = _(" — annulée") if line.cancelled_at else ""
        print(
            _(
                "n°{booking_id}  {item}{quantity}{kit}  du "
                "{starts_on:%d/%m/%Y} au {ends_on:%d/%m/%Y}{cancelled}"
            ).format(
                booking_id=line.booking_id,
                item=line.item,
                quantity=quantity,
                kit=kit,
                starts_on=line.starts_on,
                ends_on=line.ends_on,
                cancelled=cancelled,
            )
        )
    print(_bookings_for(len(listing.lines), args.prestation))
    return 0


def cmd_unbook(args: argparse.Namespace) -> int:
    from regie.inventory.bookings import cancel_booking

    db = open_database(args)
    with db.session() as session:
        cancel_booking(session, args.booking)
    print(_("Réservation n°{booking} annulée.").format(booking=args.booking))
    return 0

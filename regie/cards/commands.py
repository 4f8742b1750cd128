"""``regie cards …``: the headless face of the cards operations."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from pathlib import Path

from regie.cards.reasons import NO_CHIP, shown
from regie.commands import Permission, SubCommands, UserError, open_database
from regie.i18n import N_, _, format_datetime


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""
    cards = commands.add_parser(
        "cards", parents=[common], help=_("cartes NFC : lots, encodage, états, cartes perdues")
    )
    sub = cards.add_subparsers(dest="cards_command", metavar="ACTION", required=True)

    p = sub.add_parser("import", parents=[common], help=_("importe un fichier d'usine TiBillet"))
    p.add_argument(
        "file", type=Path, metavar=_("FICHIER.csv"), help=_("url,number,tag_id sans en-tête")
    )
    p.add_argument("--owner", required=True, metavar="ORG", help=_("organisation propriétaire"))
    p.add_argument(
        "--lot", metavar=_("NOM"), help=_("lot d'inventaire (par défaut : celui du propriétaire)")
    )
    p.add_argument(
        "--name", metavar=_("NOM"), help=_("nom du lot de cartes (par défaut : le fichier)")
    )
    p.set_defaults(func=cmd_import, needs=Permission.OPERATE)

    p = sub.add_parser("export", parents=[common], help=_("exporte des cartes au format TiBillet"))
    p.add_argument("file", type=Path, metavar=_("FICHIER.csv"))
    p.add_argument("--format", choices=["tibillet"], default="tibillet")
    p.add_argument("--batch", metavar=_("NOM"), help=_("seulement ce lot de cartes"))
    p.add_argument("--owner", metavar="ORG", help=_("seulement les cartes de ce propriétaire"))
    p.add_argument("--lot", metavar=_("NOM"), help=_("seulement ce lot d'inventaire"))
    p.set_defaults(
        func=cmd_export,
        needs=Permission.OPERATE,
        needs_note=N_("les identifiants de toutes les cartes"),
    )

    p = sub.add_parser("generate", parents=[common], help=_("crée un lot de cartes à imprimer"))
    p.add_argument("count", type=int, metavar="N")
    p.add_argument("--base-url", required=True, metavar="URL", help="ex. https://festival.example")
    p.add_argument("--out", required=True, type=Path, metavar=_("FICHIER.csv"))
    p.add_argument("--owner", metavar="ORG", help=_("enregistre aussi le lot dans la base"))
    p.add_argument("--lot", metavar=_("NOM"), help=_("lot d'inventaire (avec --owner)"))
    p.add_argument("--name", metavar=_("NOM"), help=_("nom du lot de cartes (avec --owner)"))
    p.set_defaults(func=cmd_generate, needs=Permission.OPERATE)

    p = sub.add_parser(
        "encode", parents=[common], help=_("encode les cartes posées sur un lecteur")
    )
    p.add_argument("--reader", metavar=_("NOM"), help=_("lecteur PC/SC (par défaut : le premier)"))
    p.add_argument("--write-url", action="store_true", help=_("écrit l'adresse de la carte (NDEF)"))
    p.add_argument("--protect", action="store_true", help=_("protège l'écriture par mot de passe"))
    p.add_argument(
        "--batch", metavar=_("NOM"), help=_("associe les puces inconnues aux numéros du lot")
    )
    p.add_argument(
        "--start", metavar=_("NUMÉRO"), help=_("premier numéro à associer (avec --batch)")
    )
    p.add_argument(
        "--scan", action="store_true", help=_("lit sur l'entrée standard le numéro ou QR scanné")
    )
    p.add_argument("--count", type=int, metavar="N", help=_("s'arrête après N cartes"))
    p.set_defaults(func=cmd_encode, needs=Permission.OPERATE)

    p = sub.add_parser("show", parents=[common], help=_("tout sur une carte"))
    p.add_argument("ref", metavar=_("UID|NUMÉRO"))
    p.set_defaults(func=cmd_show, needs=None)

    p = sub.add_parser("block", parents=[common], help=_("bloque une carte"))
    p.add_argument("ref", metavar=_("UID|NUMÉRO"))
    p.add_argument("--reason", required=True, metavar=_("RAISON"))
    p.add_argument("--by", metavar=_("QUI"), help=_("qui bloque (par défaut : l'utilisateur)"))
    p.set_defaults(func=cmd_block, needs=Permission.OPERATE)

    p = sub.add_parser("replace", parents=[common], help=_("remplace une carte perdue"))
    p.add_argument("old", metavar=_("ANCIENNE"))
    p.add_argument("new", metavar=_("NOUVELLE"))
    p.add_argument("--reason", default="carte perdue", metavar=_("RAISON"))
    p.add_argument("--by", metavar=_("QUI"))
    p.set_defaults(func=cmd_replace, needs=Permission.OPERATE)

    p = sub.add_parser("blocklist", parents=[common], help=_("la liste des UID refusés"))
    p.set_defaults(func=cmd_blocklist, needs=None)


def cmd_import(args: argparse.Namespace) -> int:
    from regie.cards.batches import ImportRejected, import_factory_csv

    db = open_database(args)
    try:
        with db.session() as session:
            result = import_factory_csv(
                session, args.file, owner=args.owner, lot=args.lot, batch_name=args.name
            )
    except ImportRejected as rejected:
        for error in rejected.errors:
            print(error, file=sys.stderr)
        raise
    lot = f", lot d'inventaire {result.lot}" if result.lot else ", sans lot d'inventaire"
    print(
        _("{cards} cartes importées : lot {batch} ({owner}{lot}).").format(
            cards=result.cards, batch=result.batch, owner=result.owner, lot=lot
        )
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from regie.cards.batches import export_tibillet, select_cards

    db = open_database(args)
    with db.session() as session:
        cards = select_cards(session, batch=args.batch, owner=args.owner, lot=args.lot)
        result = export_tibillet(session, args.file, cards)
    print(
        _("{written} cartes écrites dans {file} (format TiBillet).").format(
            written=result.written, file=args.file
        )
    )
    if result.without_uid:
        print(
            _("{without_uid} cartes sans puce associée laissées de côté.").format(
                without_uid=result.without_uid
            )
        )
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from regie.cards import batches

    if (args.lot or args.name) and not args.owner:
        raise UserError(_("--lot et --name vont avec --owner (pour enregistrer le lot)"))
    if args.count > 100_000:
        raise UserError("100 000 cartes au plus par lot")
    if args.owner:
        db = open_database(args)
        with db.session() as session:
            owner = batches.organisation(session, args.owner)
            lot = batches.card_lot(session, owner, args.lot)
            lines = batches.generate_lines(
                args.count, args.base_url, batches.taken_numbers(session)
            )
            _write(args.out, batches.printer_csv(lines))
            batch = batches.create_batch(
                session,
                lines,
                name=args.name or args.out.stem,
                owner=owner,
                lot=lot,
                source=str(args.out),
                base_url=batches.card_base_url(args.base_url),
            )
            name = batch.name
        print(
            _("{count} cartes générées dans {out} et enregistrées : lot {name}.").format(
                count=args.count, out=args.out, name=name
            )
        )
    else:
        lines = batches.generate_lines(args.count, args.base_url)
        _write(args.out, batches.printer_csv(lines))
        print(
            _("{count} cartes générées dans {out} (à importer avec --owner).").format(
                count=args.count, out=args.out
            )
        )
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(
            _("{path} : impossible d'écrire ({strerror})").format(
                path=path, strerror=error.strerror
            )
        ) from None


def cmd_encode(args: argparse.Namespace) -> int:
    from regie.cards.encoding import CardResult, EncodingOptions, EncodingSession
    from regie.devices.lease import LeaseStatus
    from regie.devices.manager import DeviceManager
    from regie.devices.pcsc import PcscBackend

    if args.start and not args.batch:
        raise UserError("--start va avec --batch")
    if args.count is not None and args.count < 1:
        raise UserError(_("--count doit être au moins 1"))
    db = open_database(args)
    events: queue.Queue[CardResult | tuple[LeaseStatus, str]] = queue.Queue()
    session = EncodingSession(
        db, EncodingOptions(write_url=args.write_url, protect=args.protect), on_result=events.put
    )
    if args.batch:
        first = session.follow_batch(args.batch, args.start)
        print(
            _("Lot {batch} : prochaine carte {first}.").format(
                batch=args.batch, first=first or _("(aucune)")
            ),
            flush=True,
        )
    devices = DeviceManager([PcscBackend()])
    devices.start()
    reader = devices.serve_cards(args.reader, session.handle, lambda s, m: events.put((s, m)))
    if args.scan:
        threading.Thread(target=_read_scans, args=(session,), daemon=True).start()
    seen = 0
    started = time.monotonic()
    try:
        while args.count is None or seen < args.count:
            try:
                item = events.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(item, tuple):
                print(f"· {item[1]}", file=sys.stderr, flush=True)
                continue
            seen += 1
            print(item.line(), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        reader.release()
        devices.stop()
    minutes = (time.monotonic() - started) / 60
    print(
        _("Fin de session : {summary} en {minutes:.1f} min.").format(
            summary=session.stats.summary(), minutes=minutes
        ),
        flush=True,
    )
    return 0


def _read_scans(session: object) -> None:
    from regie.cards.encoding import EncodingSession

    assert isinstance(session, EncodingSession)
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        try:
            number = session.expect_number(text)
            print(
                _("· carte suivante : {number}").format(number=number), file=sys.stderr, flush=True
            )
        except UserError as error:
            print(f"· {error.on_command_line()}", file=sys.stderr, flush=True)


def _row(label: str, value: object) -> str:
    """One line of ``regie cards show``: the label in a 14-character column, then the value."""
    return f"  {label:<13} {value}"


def cmd_show(args: argparse.Namespace) -> int:
    from regie.cards.monitor import card_info

    db = open_database(args)
    with db.session() as session:
        info = card_info(session, args.ref)
    yes_no = {True: _("oui"), False: _("non")}
    uid = info.uid or (
        _("{tag_id} (4 premiers octets)").format(tag_id=info.tag_id) if info.tag_id else "—"
    )
    lot = _(", lot d'inventaire {lot}").format(lot=info.lot) if info.lot else ""
    lines = [
        _("Carte {number} — {state}").format(number=info.number, state=info.state_label),
        _row(_("UID"), uid),
        _row(
            _("Puce"),
            _("{chip}, {encoding} (adresse écrite : {written}, protégée : {protected})").format(
                chip=info.chip,
                encoding=info.encoding_label,
                written=yes_no[info.url_written],
                protected=yes_no[info.protected],
            ),
        ),
        _row(_("Adresse"), info.url),
        _row(_("Lot"), f"{info.batch} ({info.owner}{lot})"),
        _row(_("Prêtée pour"), ", ".join(info.lent_to) or "—"),
    ]
    if info.staff:
        staff = info.staff
        until = (
            _(", jusqu'au {expires_at:%d/%m/%Y}").format(expires_at=staff.expires_at)
            if staff.expires_at
            else ""
        )
        manager = _(", gérant") if staff.manager else ""
        revoked = _(" (révoquée)") if staff.revoked else ""
        points = ", ".join(staff.points_of_sale)
        lines.append(_row(_("Carte staff"), f"{staff.person} : {points}{manager}{until}{revoked}"))
    if info.replaced_by:
        lines.append(_row(_("Remplacée par"), info.replaced_by))
    if info.replaces:
        lines.append(_row(_("Remplace"), info.replaces))
    if info.balances is None:
        lines.append(_row(_("Soldes"), _("— (aucune puce associée : pas de porte-monnaie)")))
    else:
        lines.append(_row(_("Soldes"), _amounts(info.balances)))
    if info.history:
        from regie.cards.models import event_label, state_label

        lines.append("  " + _("Historique"))
        for event in info.history:
            change = (
                f"{state_label(event.before)} → {state_label(event.after)} " if event.after else ""
            )
            lines.append(
                f"    {format_datetime(event.at)}  {event_label(event.kind):<20} "
                f"{change}{shown(event.why)} ({event.who})"
            )
    print("\n".join(lines))
    return 0


def _amounts(balances: dict[str, int]) -> str:
    """« 12,00 €, 3,00 GIFT »; a card with nothing on it: « 0,00 € »."""
    from regie.money import format_money

    return ", ".join(format_money(v, k) for k, v in sorted(balances.items())) or format_money(
        0, "EUR"
    )


def cmd_block(args: argparse.Namespace) -> int:
    from regie.cards.states import block_card

    db = open_database(args)
    with db.session() as session:
        change = block_card(session, args.ref, reason=args.reason, who=args.by)
    print(
        _("Carte {number} bloquée ({uid}) : {reason}.").format(
            number=change.number, uid=change.uid or _(NO_CHIP), reason=args.reason
        )
    )
    return 0


def cmd_replace(args: argparse.Namespace) -> int:
    from regie.cards.states import replace_card

    db = open_database(args)
    with db.session() as session:
        done = replace_card(session, args.old, args.new, reason=args.reason, who=args.by)
    print(
        _(
            "Carte {old_number} perdue, sur la liste de blocage "
            "({old_uid}) ; remplacée par {new_number}."
        ).format(
            old_number=done.old_number,
            old_uid=done.old_uid or _(NO_CHIP),
            new_number=done.new_number,
        )
    )
    if done.balances_moved:
        print(
            _("Soldes reportés sur {new_number} : {amounts}.").format(
                new_number=done.new_number, amounts=_amounts(done.balances_moved)
            )
        )
    if done.staff_card_moved:
        print(_("Les droits staff passent sur {new_number}.").format(new_number=done.new_number))
    return 0


def cmd_blocklist(args: argparse.Namespace) -> int:
    from regie.cards.models import STATE_LABELS
    from regie.cards.states import block_list

    db = open_database(args)
    with db.session() as session:
        entries = block_list(session)
    for entry in entries:
        print(f"{entry.uid:<20} {entry.number}  {STATE_LABELS[entry.state]}")
    print(_("{n} cartes refusées.").format(n=len(entries)), file=sys.stderr)
    return 0

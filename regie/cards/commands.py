"""``regie cards …``: the headless face of the cards operations."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
import time
from pathlib import Path

from regie.commands import SubCommands, UserError, open_database


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""
    cards = commands.add_parser(
        "cards", parents=[common], help="cartes NFC : lots, encodage, états, cartes perdues"
    )
    sub = cards.add_subparsers(dest="cards_command", metavar="ACTION", required=True)

    p = sub.add_parser("import", parents=[common], help="importe un fichier d'usine TiBillet")
    p.add_argument("file", type=Path, metavar="FICHIER.csv", help="url,number,tag_id sans en-tête")
    p.add_argument("--owner", required=True, metavar="ORG", help="organisation propriétaire")
    p.add_argument(
        "--lot", metavar="NOM", help="lot d'inventaire (par défaut : celui du propriétaire)"
    )
    p.add_argument("--name", metavar="NOM", help="nom du lot de cartes (par défaut : le fichier)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", parents=[common], help="exporte des cartes au format TiBillet")
    p.add_argument("file", type=Path, metavar="FICHIER.csv")
    p.add_argument("--format", choices=["tibillet"], default="tibillet")
    p.add_argument("--batch", metavar="NOM", help="seulement ce lot de cartes")
    p.add_argument("--owner", metavar="ORG", help="seulement les cartes de ce propriétaire")
    p.add_argument("--lot", metavar="NOM", help="seulement ce lot d'inventaire")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("generate", parents=[common], help="crée un lot de cartes à imprimer")
    p.add_argument("count", type=int, metavar="N")
    p.add_argument("--base-url", required=True, metavar="URL", help="ex. https://festival.example")
    p.add_argument("--out", required=True, type=Path, metavar="FICHIER.csv")
    p.add_argument("--owner", metavar="ORG", help="enregistre aussi le lot dans la base")
    p.add_argument("--lot", metavar="NOM", help="lot d'inventaire (avec --owner)")
    p.add_argument("--name", metavar="NOM", help="nom du lot de cartes (avec --owner)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("encode", parents=[common], help="encode les cartes posées sur un lecteur")
    p.add_argument("--reader", metavar="NOM", help="lecteur PC/SC (par défaut : le premier)")
    p.add_argument("--write-url", action="store_true", help="écrit l'adresse de la carte (NDEF)")
    p.add_argument("--protect", action="store_true", help="protège l'écriture par mot de passe")
    p.add_argument("--batch", metavar="NOM", help="associe les puces inconnues aux numéros du lot")
    p.add_argument("--start", metavar="NUMÉRO", help="premier numéro à associer (avec --batch)")
    p.add_argument(
        "--scan", action="store_true", help="lit sur l'entrée standard le numéro ou QR scanné"
    )
    p.add_argument("--count", type=int, metavar="N", help="s'arrête après N cartes")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("show", parents=[common], help="tout sur une carte")
    p.add_argument("ref", metavar="UID|NUMÉRO")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("block", parents=[common], help="bloque une carte")
    p.add_argument("ref", metavar="UID|NUMÉRO")
    p.add_argument("--reason", required=True, metavar="RAISON")
    p.add_argument("--by", metavar="QUI", help="qui bloque (par défaut : l'utilisateur)")
    p.set_defaults(func=cmd_block)

    p = sub.add_parser("replace", parents=[common], help="remplace une carte perdue")
    p.add_argument("old", metavar="ANCIENNE")
    p.add_argument("new", metavar="NOUVELLE")
    p.add_argument("--reason", default="carte perdue", metavar="RAISON")
    p.add_argument("--by", metavar="QUI")
    p.set_defaults(func=cmd_replace)

    p = sub.add_parser("blocklist", parents=[common], help="la liste des UID refusés")
    p.set_defaults(func=cmd_blocklist)


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
    print(f"{result.cards} cartes importées : lot {result.batch} ({result.owner}{lot}).")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from regie.cards.batches import export_tibillet, select_cards

    db = open_database(args)
    with db.session() as session:
        cards = select_cards(session, batch=args.batch, owner=args.owner, lot=args.lot)
        result = export_tibillet(session, args.file, cards)
    print(f"{result.written} cartes écrites dans {args.file} (format TiBillet).")
    if result.without_uid:
        print(f"{result.without_uid} cartes sans puce associée laissées de côté.")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from regie.cards import batches

    if (args.lot or args.name) and not args.owner:
        raise UserError("--lot et --name vont avec --owner (pour enregistrer le lot)")
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
        print(f"{args.count} cartes générées dans {args.out} et enregistrées : lot {name}.")
    else:
        lines = batches.generate_lines(args.count, args.base_url)
        _write(args.out, batches.printer_csv(lines))
        print(f"{args.count} cartes générées dans {args.out} (à importer avec --owner).")
    return 0


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path} : impossible d'écrire ({error.strerror})") from None


def cmd_encode(args: argparse.Namespace) -> int:
    from regie.cards.encoding import CardResult, EncodingOptions, EncodingSession
    from regie.devices.pcsc_session import PcscReaderSession, SessionStatus

    if args.start and not args.batch:
        raise UserError("--start va avec --batch")
    if args.count is not None and args.count < 1:
        raise UserError("--count doit être au moins 1")
    db = open_database(args)
    events: queue.Queue[CardResult | tuple[SessionStatus, str]] = queue.Queue()
    session = EncodingSession(
        db, EncodingOptions(write_url=args.write_url, protect=args.protect), on_result=events.put
    )
    if args.batch:
        first = session.follow_batch(args.batch, args.start)
        print(f"Lot {args.batch} : prochaine carte {first or '(aucune)'}.", flush=True)
    reader = PcscReaderSession(args.reader, session.handle, lambda s, m: events.put((s, m)))
    if args.scan:
        threading.Thread(target=_read_scans, args=(session,), daemon=True).start()
    reader.start()
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
        reader.stop()
    minutes = (time.monotonic() - started) / 60
    print(f"Fin de session : {session.stats.summary()} en {minutes:.1f} min.", flush=True)
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
            print(f"· carte suivante : {number}", file=sys.stderr, flush=True)
        except UserError as error:
            print(f"· {error}", file=sys.stderr, flush=True)


def cmd_show(args: argparse.Namespace) -> int:
    from regie.cards.monitor import card_info

    db = open_database(args)
    with db.session() as session:
        info = card_info(session, args.ref)
    yes_no = {True: "oui", False: "non"}
    uid = info.uid or (f"{info.tag_id} (4 premiers octets)" if info.tag_id else "—")
    lines = [
        f"Carte {info.number} — {info.state_label}",
        f"  UID           {uid}",
        f"  Puce          {info.chip}, {info.encoding_label}"
        f" (adresse écrite : {yes_no[info.url_written]}, protégée : {yes_no[info.protected]})",
        f"  Adresse       {info.url}",
        f"  Lot           {info.batch} ({info.owner}"
        + (f", lot d'inventaire {info.lot})" if info.lot else ")"),
        f"  Prêtée pour   {', '.join(info.lent_to) or '—'}",
    ]
    if info.staff:
        staff = info.staff
        until = f", jusqu'au {staff.expires_at:%d/%m/%Y}" if staff.expires_at else ""
        manager = ", gérant" if staff.manager else ""
        revoked = " (révoquée)" if staff.revoked else ""
        lines.append(
            f"  Carte staff   {staff.person} : {', '.join(staff.points_of_sale)}"
            f"{manager}{until}{revoked}"
        )
    if info.replaced_by:
        lines.append(f"  Remplacée par {info.replaced_by}")
    if info.replaces:
        lines.append(f"  Remplace      {info.replaces}")
    if info.balances is None:
        lines.append("  Soldes        (le grand livre n'est pas encore là)")
    else:
        from regie.money import format_money

        amounts = ", ".join(format_money(v, k) for k, v in sorted(info.balances.items()))
        lines.append(f"  Soldes        {amounts or '0'}")
    if info.history:
        lines.append("  Historique")
        for event in info.history:
            change = f"{event.before} → {event.after} " if event.after else ""
            lines.append(
                f"    {event.at:%d/%m/%Y %H:%M}  {event.kind:<12} {change}{event.why} ({event.who})"
            )
    print("\n".join(lines))
    return 0


def cmd_block(args: argparse.Namespace) -> int:
    from regie.cards.states import block_card

    db = open_database(args)
    with db.session() as session:
        change = block_card(session, args.ref, reason=args.reason, who=args.by)
    print(f"Carte {change.number} bloquée ({change.uid or 'sans puce'}) : {args.reason}.")
    return 0


def cmd_replace(args: argparse.Namespace) -> int:
    from regie.cards.states import replace_card

    db = open_database(args)
    with db.session() as session:
        done = replace_card(session, args.old, args.new, reason=args.reason, who=args.by)
    print(
        f"Carte {done.old_number} perdue, sur la liste de blocage ({done.old_uid or 'sans puce'}) ;"
        f" remplacée par {done.new_number}."
    )
    if done.balances_moved is None:
        print("Soldes : à reporter quand le grand livre sera là.")
    if done.staff_card_moved:
        print(f"Les droits staff passent sur {done.new_number}.")
    return 0


def cmd_blocklist(args: argparse.Namespace) -> int:
    from regie.cards.models import STATE_LABELS
    from regie.cards.states import block_list

    db = open_database(args)
    with db.session() as session:
        entries = block_list(session)
    for entry in entries:
        print(f"{entry.uid:<20} {entry.number}  {STATE_LABELS[entry.state]}")
    print(f"{len(entries)} cartes refusées.", file=sys.stderr)
    return 0

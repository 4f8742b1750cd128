"""``regie terminals …``: the headless face of the terminals operations.

Ports are typed: a device path (/dev/ttyACM0, /dev/ttyUSB0, a pty) or a pyserial URL
(socket://192.168.1.50:7000); pyserial's port listing misses ptys and some USB gadgets.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import orjson

from regie.commands import Permission, SubCommands, UserError, open_database
from regie.errors import unreadable
from regie.i18n import N_, _, ngettext
from regie.money import format_money, parse_cents
from regie.terminals.sizes import progress_percent
from regie.terminals.trust_commands import add_trust_actions


def register(commands: SubCommands, common: argparse.ArgumentParser) -> None:
    """Add this domain's sub-commands to ``regie``."""
    terminals = commands.add_parser(
        "terminals", parents=[common], help=_("terminaux : configuration par câble, journaux")
    )
    actions = terminals.add_subparsers(dest="terminals_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, parents=[common], help=help_text, description=help_text)

    def link_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--timeout",
            type=float,
            default=3.0,
            metavar="S",
            help=_("secondes d'attente d'une réponse (3 par défaut)"),
        )

    p = action("list", _("le parc : terminaux, points de vente, configurations, journaux"))
    p.set_defaults(func=cmd_list, needs=None)

    p = action("add", _("fait d'un matériel de l'inventaire un terminal du parc"))
    p.add_argument("tag", help=_("étiquette du matériel (ex. CCC-V2S-001)"))
    p.add_argument("--name", help=_("nom du terminal (sinon l'étiquette)"))
    p.add_argument("--pos", help=_("point de vente servi"))
    p.set_defaults(func=cmd_add, needs=Permission.OPERATE)

    p = action("assign", _("change le point de vente d'un terminal"))
    p.add_argument("terminal")
    p.add_argument("pos")
    p.set_defaults(func=cmd_assign, needs=Permission.OPERATE)

    p = action("settings", _("réglages communs : événement, serveur, Wi-Fi, langue"))
    p.add_argument("--event", dest="event_name")
    p.add_argument("--server-url")
    p.add_argument("--wifi-ssid")
    p.add_argument("--wifi-password")
    p.add_argument("--locale")
    p.set_defaults(
        func=cmd_settings,
        needs=Permission.OPERATE,
        needs_note=N_("montre le mot de passe Wi-Fi"),
    )

    p = action("menu", _("le menu d'un point de vente (prix en euros TTC, TVA en pourcentage)"))
    p.add_argument("pos")
    p.add_argument(
        "--set",
        nargs="+",
        action="append",
        default=[],
        metavar=_("PRODUIT PRIX TVA [CATÉGORIE]"),
        help=_('ex. --set "Bière 25cl" 3,00 20 Bar'),
    )
    p.add_argument("--remove", action="append", default=[], metavar=_("PRODUIT"))
    p.set_defaults(func=cmd_menu, needs=Permission.OPERATE)

    p = action("config", _("la configuration d'un terminal, et ce qui change depuis la sienne"))
    p.add_argument("terminal")
    p.add_argument("--out", type=Path, help=_("écrit le paquet JSON dans ce fichier"))
    p.set_defaults(
        func=cmd_config,
        needs=Permission.OPERATE,
        needs_note=N_("la configuration contient le mot de passe Wi-Fi"),
    )

    p = action("push", _("envoie leur configuration aux terminaux, tous à la fois"))
    p.add_argument("terminals", nargs="+", metavar="TERMINAL")
    p.add_argument(
        "--port",
        action="append",
        default=[],
        help=_("un port par terminal, dans l'ordre (chemin ou URL pyserial)"),
    )
    p.add_argument(
        "--ports",
        type=Path,
        metavar=_("FICHIER"),
        help=_("correspondance terminal → port (lignes « TERMINAL PORT » ou JSON)"),
    )
    link_options(p)
    p.set_defaults(func=cmd_push, needs=Permission.OPERATE)

    p = action("pull", _("relève le journal des terminaux et l'importe au grand livre"))
    p.add_argument("terminals", nargs="+", metavar="TERMINAL")
    p.add_argument("--port", action="append", default=[])
    p.add_argument("--ports", type=Path, metavar=_("FICHIER"))
    p.add_argument(
        "--since",
        type=int,
        default=None,
        metavar="N",
        help=_("reprend après le n°N (sinon après la dernière ligne reçue)"),
    )
    link_options(p)
    p.set_defaults(func=cmd_pull, needs=Permission.OPERATE)

    p = action("status", _("demande au terminal branché sur un port ce qu'il est et ce qu'il a"))
    p.add_argument("--port", required=True)
    link_options(p)
    p.set_defaults(func=cmd_status, needs=None)

    p = action("log", _("l'historique des échanges avec les terminaux"))
    p.add_argument("terminal", nargs="?")
    p.set_defaults(func=cmd_log, needs=None)

    add_trust_actions(action, link_options)


def _when(moment: object) -> str:
    from datetime import datetime

    from regie.i18n import local_time

    return local_time(moment).strftime("%d/%m %H:%M") if isinstance(moment, datetime) else "—"


def cmd_list(args: argparse.Namespace) -> int:
    from regie.terminals.registry import list_terminals

    db = open_database(args)
    with db.session() as session:
        rows = list_terminals(session)
    if not rows:
        print(_("Aucun terminal : regie terminals add ÉTIQUETTE --pos POINT_DE_VENTE"))
    for t in rows:
        running = f"v{t.config_version}" if t.config_version else "—"
        prepared = f"v{t.prepared_version}" if t.prepared_version else "—"
        print(
            _(
                "{name:<16} {asset_tag:<13} {model:<14} {pos:<16} config "
                "{running:>4} (prête {prepared:>4})  journal n°{last_seq:<7} "
                "vu {last_seen:<11} {port}"
            ).format(
                name=t.name,
                asset_tag=t.asset_tag,
                model=t.model,
                pos=t.pos or "—",
                running=running,
                prepared=prepared,
                last_seq=t.last_seq,
                last_seen=_when(t.last_seen),
                port=t.port,
            )
        )
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from regie.terminals.registry import register_terminal

    db = open_database(args)
    with db.session() as session:
        terminal = register_terminal(session, args.tag, name=args.name, pos=args.pos)
        print(
            _("Terminal {name} ajouté (code d'appairage {pairing_pin}).").format(
                name=terminal.name, pairing_pin=terminal.pairing_pin
            )
        )
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from regie.terminals.registry import assign_pos

    db = open_database(args)
    with db.session() as session:
        assign_pos(session, args.terminal, args.pos)
    print(
        _("{terminal} sert désormais {pos} : poussez sa configuration.").format(
            terminal=args.terminal, pos=args.pos
        )
    )
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from regie.terminals.registry import SETTING_FIELDS, settings, update_settings

    values = {k: getattr(args, k) for k in SETTING_FIELDS if getattr(args, k) is not None}
    db = open_database(args)
    with db.session() as session:
        row = update_settings(session, **values) if values else settings(session)
        print(_("Événement : {event_name}").format(event_name=row.event_name or "—"))
        print(_("Serveur : {server_url}").format(server_url=row.server_url or "—"))
        password = _("donné") if row.wifi_password else _("vide")
        print(
            _("Wi-Fi : {wifi_ssid} (mot de passe {password})").format(
                wifi_ssid=row.wifi_ssid or "—", password=password
            )
        )
        print(_("Langue : {locale}").format(locale=row.locale))
    return 0


def parse_vat(text: str) -> int:
    """``"20"``, ``"5,5 %"`` → basis points (2000, 550)."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        whole, _sep, part = cleaned.partition(".")
        if not whole.isdigit() or (part and not part.isdigit()) or len(part) > 2:
            raise ValueError
        return int(whole) * 100 + int((part or "0").ljust(2, "0"))
    except ValueError:
        raise UserError(
            _("taux de TVA illisible : « {text} » (ex. 20, 10, 5,5)").format(text=text)
        ) from None


def cmd_menu(args: argparse.Namespace) -> int:
    from regie.terminals.diff import vat_text
    from regie.terminals.registry import menu, remove_menu_item, set_menu_item

    db = open_database(args)
    with db.session() as session:
        for values in args.set:
            if len(values) not in (3, 4):
                raise UserError(
                    _("--set attend PRODUIT PRIX TVA [CATÉGORIE] (lu : {values})").format(
                        values=values
                    )
                )
            category = values[3] if len(values) == 4 else ""
            try:
                price = parse_cents(values[1])
            except ValueError as error:
                raise UserError(f"{values[0]} : {error}") from None
            set_menu_item(session, args.pos, values[0], price, parse_vat(values[2]), category)
        for product in args.remove:
            remove_menu_item(session, args.pos, product)
        lines = menu(session, args.pos)
    for line in lines:
        money, vat = format_money(line.price_cents), vat_text(line.vat_bp)
        print(
            _("{product:<30} {money:>10}  TVA {vat:>7}  {category}").format(
                product=line.product, money=money, vat=vat, category=line.category
            )
        )
    print(
        ngettext(
            "{n} produit au menu de {pos}.", "{n} produits au menu de {pos}.", len(lines)
        ).format(n=len(lines), pos=args.pos)
    )
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from regie.terminals.bundle import prepare_config, running_config
    from regie.terminals.diff import diff_configs, summary

    db = open_database(args)
    with db.session() as session:
        bundle = prepare_config(session, args.terminal)
        running = running_config(session, args.terminal)
    data = bundle.data
    state = _("nouvelle version") if bundle.new else _("inchangée")
    print(
        _("{terminal} : configuration v{version} ({state}), {n} o, SHA-256 {hash}").format(
            terminal=bundle.terminal,
            version=bundle.version,
            state=state,
            n=len(bundle.body),
            hash=bundle.hash,
        )
    )
    print(f"  {summary(data)}")
    if running is not None and running.version == bundle.version:
        print(_("  le terminal l'a déjà."))
    else:
        where = (
            _("depuis la v{version} du terminal").format(version=running.version)
            if running
            else _("pour le terminal")
        )
        print(_("  ce qui change {where} :").format(where=where))
        for line in diff_configs(running.data if running else None, data):
            print(f"    {line}")
    if args.out:
        args.out.write_bytes(bundle.body)
        print(_("  écrite dans {out}").format(out=args.out))
    return 0


def ports_for(terminals: list[str], ports: list[str], mapping: Path | None) -> dict[str, str]:
    """Which port leads to which terminal: --port in order, a mapping file, or the last one."""
    if ports and mapping:
        raise UserError(_("donnez --port ou --ports, pas les deux"))
    found: dict[str, str] = {}
    if ports:
        if len(ports) != len(terminals):
            raise UserError(
                _("{terminals} mais {ports} : un port par terminal, dans le même ordre").format(
                    terminals=ngettext("{n} terminal", "{n} terminaux", len(terminals)).format(
                        n=len(terminals)
                    ),
                    ports=ngettext("{n} port", "{n} ports", len(ports)).format(n=len(ports)),
                )
            )
        found = dict(zip(terminals, ports, strict=True))
    elif mapping:
        found = _read_mapping(mapping)
    return found


def _read_mapping(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise unreadable(path, error) from None
    if text.lstrip().startswith("{"):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise UserError(f"{path} : JSON illisible ({error})") from None
        return {str(k): str(v) for k, v in data.items()}
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _sep, port = line.strip().partition(" ")
        if not port.strip():
            raise UserError(
                _("{path}, ligne {number} : « TERMINAL PORT » attendu").format(
                    path=path, number=number
                )
            )
        found[name] = port.strip()
    return found


def _jobs(args: argparse.Namespace) -> list[tuple[str, str]]:
    from regie.terminals.registry import find_terminal

    given = ports_for(args.terminals, args.port, args.ports)
    db = open_database(args)
    jobs = []
    with db.session() as session:
        for name in args.terminals:
            known = find_terminal(session, name)  # a mistyped name stops everything
            port = given.get(name) or known.port
            if not port:
                raise UserError(
                    _("quel port pour {name} ? (--port, ou --ports FICHIER)").format(name=name)
                )
            jobs.append((name, port))
    return jobs


def _progress(terminal: str, stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        percent = progress_percent(done, total)
        print(f"\r{terminal} : {stage} {percent} %   ", end="", file=sys.stderr, flush=True)


def cmd_push(args: argparse.Namespace) -> int:
    from regie.terminals.push import PushJob, plan_push, push_fleet

    jobs = [PushJob(name, port) for name, port in _jobs(args)]
    db = open_database(args)
    plans = plan_push(db, jobs)
    for plan in plans:
        if plan.bundle is None:
            print(f"{plan.job.terminal} ({plan.job.port}) : {plan.problem_command or plan.problem}")
            continue
        running = f"v{plan.running}" if plan.running else "rien"
        print(f"{plan.job.terminal} ({plan.job.port}) : {running} → v{plan.bundle.version}")
        for line in plan.changes:
            print(f"    {line}")
    bundles = {p.job.terminal: p.bundle for p in plans if p.bundle is not None}
    results = push_fleet(db, jobs, progress=_progress, timeout=args.timeout, bundles=bundles)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for result in results:
        print(("OK    " if result.ok else _("ÉCHEC ")) + result.on_command_line())
    failed = [r.terminal for r in results if not r.ok]
    if failed:
        print(
            ngettext(
                "{n} échec : relancez « regie terminals push {failed} » une fois le problème "
                "réglé.",
                "{n} échecs : relancez « regie terminals push {failed} » une fois le problème "
                "réglé.",
                len(failed),
            ).format(n=len(failed), failed=" ".join(failed))
        )
    if any(r.staged for r in results if not r.ok):  # a port that never opened sent nothing
        print(_("L'envoi reprendra où il s'est arrêté."))
    return 1 if failed else 0


def cmd_pull(args: argparse.Namespace) -> int:
    from regie.terminals.pull import pull_terminal

    jobs = _jobs(args)
    db = open_database(args)
    failed = 0
    for name, port in jobs:
        result = pull_terminal(
            db,
            name,
            port,
            since=args.since,
            timeout=args.timeout,
            progress=functools.partial(_progress, name),
        )
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(("OK    " if result.ok else _("ÉCHEC ")) + result.on_command_line())
        failed += not result.ok
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from regie.terminals.status import terminal_status

    db = open_database(args)
    status = terminal_status(db, args.port, timeout=args.timeout)
    for line in status.lines():
        print(line)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from regie.terminals.registry import link_events

    db = open_database(args)
    with db.session() as session:
        events = link_events(session, args.terminal)
    for event in reversed(events):
        verdict = "ok   " if event.ok else _("échec")
        print(f"{_when(event.at)} {event.terminal:<16} {event.kind:<6} {verdict} {event.detail}")
    return 0

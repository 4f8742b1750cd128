"""``regie-agent``: the terminal side of the link protocol (docs/terminal-protocol.md).

Runs on the terminal (a Raspberry Pi cashless box on its USB gadget port /dev/ttyGS0, any
Linux terminal) or beside a pty for tests and demos. It applies configurations atomically to
its state directory, keeps the journal of its transactions and answers Régie. With
``--simulate-sales N`` it first records N realistic transactions (demos, load tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
import threading
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from regie.cli_words import speak, version_help
from regie.i18n import _
from regie.terminals.agent_server import AGENT_PROTOCOL, AgentServer
from regie.terminals.agent_state import AgentState
from regie.version import __version__

DEFAULT_POS = "Bar Nord"
log = logging.getLogger("regie.agent")


def simulated_lines(
    terminal: str,
    pos: str,
    after: int,
    count: int,
    seed: int | None = None,
    *,
    refunds: bool = False,
) -> Iterator[dict[str, Any]]:
    """``count`` realistic transactions of one terminal, numbered from ``after + 1``.

    The festival simulator's lines (top-ups, sales paid from several tokens, refunds, voids)
    become this terminal's: one name, one point of sale, its own numbering. Each run is
    self-contained (a card is topped up here before it pays here), so any set of terminals'
    journals imports into the ledger without a wallet going negative. Refunds only where the
    configuration allows them (a desk): elsewhere they are left out, with their voids.
    """
    from regie.ledger.simulate import Festival, journal

    start = dt.datetime.now(dt.UTC).astimezone().replace(microsecond=0) - dt.timedelta(days=1)
    spec = Festival(
        transactions=count + count // 20 + 20,  # voids without a sale to void are skipped
        cards=max(40, count // 6),
        points_of_sale=1,
        seed=seed if seed is not None else zlib.crc32(f"{terminal}:{after}".encode()),
        start=start,
        days=1,
    )
    renumbered: dict[tuple[str, int], int] = {}
    seq = after
    for line in journal(spec):
        if seq - after >= count:
            return
        if line["op"] == "refund" and not refunds:
            continue  # a card keeps its balance: the later lines can only pay less
        if line["op"] == "void" and (line["terminal"], line["ref"]) not in renumbered:
            continue
        seq += 1
        renumbered[(line["terminal"], line["seq"])] = seq
        if line["op"] == "void":
            line["ref"] = renumbered[(line["terminal"], line["ref"])]
        else:
            line["pos"] = pos
        line["terminal"] = terminal
        line["seq"] = seq
        yield line


def simulate_sales(
    state: AgentState, count: int, seed: int | None = None, pos: str | None = None
) -> int:
    name = state.name
    if not name:
        raise SystemExit(
            _(
                "regie-agent : donnez --name (ou poussez d'abord une configuration) "
                "pour simuler des ventes"
            )
        )
    place = state.config().get("pos") or {}
    pos = pos or place.get("name") or DEFAULT_POS
    batch: list[dict[str, Any]] = []
    lines = simulated_lines(
        name, pos, state.journal.last, count, seed, refunds=bool(place.get("refunds"))
    )
    for line in lines:
        batch.append(line)
        if len(batch) >= 10_000:
            state.journal.append(batch)
            batch = []
    state.journal.append(batch)
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regie-agent",
        description=_(
            "Agent de terminal Régie : reçoit la configuration par le câble, la "
            "bascule d'un coup, tient le journal des transactions et le rend à Régie."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"regie-agent {__version__}", help=version_help()
    )
    parser.add_argument(
        "--port",
        required=True,
        help=_("port série du côté terminal (/dev/ttyGS0, /dev/pts/3…) ou URL pyserial"),
    )
    parser.add_argument("--state", required=True, type=Path, help=_("dossier d'état du terminal"))
    parser.add_argument("--name", help=_("nom du terminal (sinon celui de sa configuration)"))
    parser.add_argument("--serial", help=_("numéro de série matériel annoncé à Régie"))
    parser.add_argument(
        "--simulate-sales",
        type=int,
        default=0,
        metavar="N",
        help=_("enregistre d'abord N transactions réalistes (démonstration, charge)"),
    )
    parser.add_argument("--seed", type=int, default=None, help=_("graine de la simulation"))
    parser.add_argument(
        "--pos",
        help=_("point de vente des ventes simulées (sinon celui de sa configuration)"),
    )
    parser.add_argument("--baudrate", type=int, default=115_200)
    parser.add_argument(
        "--protocol",
        type=int,
        default=AGENT_PROTOCOL,
        help=_("version de protocole annoncée (essais ; {AGENT_PROTOCOL} par défaut)").format(
            AGENT_PROTOCOL=AGENT_PROTOCOL
        ),
    )
    parser.add_argument("--quiet", action="store_true", help=_("n'écrit que les erreurs"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    speak()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s regie-agent: %(message)s",
        stream=sys.stderr,
    )
    try:
        state = AgentState(args.state, name=args.name, serial=args.serial)
    except OSError as error:
        print(
            _("regie-agent : dossier d'état {state} inutilisable ({error})").format(
                state=args.state, error=error
            ),
            file=sys.stderr,
        )
        return 2
    if args.simulate_sales > 0:
        simulate_sales(state, args.simulate_sales, args.seed, args.pos)
        log.info(
            "%d transactions simulées (journal jusqu'au n°%d)",
            args.simulate_sales,
            state.journal.last,
        )
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    server = AgentServer(state, args.port, protocol=args.protocol, baudrate=args.baudrate)
    log.info("prêt sur %s (état %s, terminal %s)", args.port, args.state, state.name or "sans nom")
    server.serve_forever(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Terminal link benchmark, on real socat pty pairs and real regie-agent processes.

Prints, against the targets of the terminals issue:
1. framing overhead of a 1 MB configuration (17,000-UID block list, 500 products): <= 5 %;
2. the time to push and commit it over a pty: <= 2 s;
3. on a 115,200-baud UART: the push time computed from its frames (every byte 10 bits on the
   line, plus one turnaround per exchange as measured on the pty) over the time its bytes
   alone need: <= 1.1; checked by a real push of a smaller bundle through a relay that
   carries 11,520 bytes a second each way;
4. 20 terminals pushed at once on 20 pty pairs vs the slowest of them: <= +20 %;
5. a 100,000-transaction journal pulled and imported into the ledger over a pty: <= 5 s.

Run: .venv/bin/python -m bench.terminals [--terminals 20] [--journal 100000] [--no-uart]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from regie.db import Database
from regie.terminals.bundle import prepare_config
from regie.terminals.pairing import pair_terminal
from regie.terminals.pull import pull_terminal
from regie.terminals.push import PushJob, push_fleet, push_terminal
from regie.terminals.registry import set_menu_item
from tests.test_terminals_rig import Agent, Cable, Relay, fleet_db, serial_of

BAUD = 115_200


def change(db: Database, price: int) -> None:
    with db.session() as session:
        set_menu_item(session, "Bar Nord", "Bière 25cl", price, 2000, "Bar")


def big_push(tmp: Path) -> float:
    """Figures 1 and 2; returns the turnaround of one exchange on the pty (for figure 3)."""
    db = fleet_db(f"sqlite:///{tmp / 'big.sqlite3'}", terminals=1, big=True)
    with contextlib.ExitStack() as stack:
        cable = Cable(tmp / "big")
        stack.callback(cable.close)
        agent = Agent(cable.b, tmp / "big-state")
        stack.callback(agent.stop)
        times = []
        for price in (310, 320, 330):  # three fresh versions: the best and worst of three
            change(db, price)
            result = push_terminal(db, "SUNMI-V2S-001", cable.a)
            assert result.ok, result.message
            times.append(result.seconds)
        size, stats = result.size, result.stats
        wire = stats.bytes_out + stats.bytes_in
        print(
            f"1. configuration de {size / 1e6:.2f} Mo ({size} o) : {stats.frames_out} trames "
            f"envoyées, {stats.frames_in} reçues, {wire} o sur la ligne (aller et retour)"
        )
        print(
            f"   surcoût du protocole (en-têtes, sommes de contrôle, réponses) : "
            f"{(wire - size) / size * 100:.2f} % (cible <= 5 %)"
        )
        print(
            f"2. envoi + vérification + bascule sur pty : {min(times):.3f} s au mieux, "
            f"{max(times):.3f} s au pire sur 3 (cible <= 2 s)"
        )
        # One exchange's turnaround: the push time left once the bytes are moved at pty speed.
        turnaround = max(0.0, (min(times) - wire / 80e6) / stats.frames_out)
        return uart_model(size, stats.frames_out, wire, turnaround)


def uart_model(size: int, exchanges: int, wire: int, turnaround: float) -> float:
    line = size * 10 / BAUD
    predicted = wire * 10 / BAUD + exchanges * turnaround
    print(
        f"3. à {BAUD} bauds : les {size} o de la configuration seule demandent {line:.1f} s ; "
        f"ses {exchanges} échanges ({wire} o, plus {turnaround * 1000:.2f} ms de retournement "
        f"chacun) en demandent {predicted:.1f} s, soit {predicted / line:.3f} fois "
        "(cible <= 1,1)"
    )
    return turnaround


def uart_push(tmp: Path, turnaround: float) -> None:
    """A real push through a relay carrying 11,520 bytes a second each way."""
    db = fleet_db(f"sqlite:///{tmp / 'uart.sqlite3'}", terminals=1)
    with contextlib.ExitStack() as stack:
        left, right = Cable(tmp / "uart-l"), Cable(tmp / "uart-r")
        stack.callback(left.close)
        stack.callback(right.close)
        relay = Relay(left.b, right.a, rate=BAUD // 10)
        stack.callback(relay.stop)
        agent = Agent(right.b, tmp / "uart-state")
        stack.callback(agent.stop)
        with db.session() as session:
            for n in range(600):  # ~64 KB: four 16 KB chunks, a few seconds at 115,200 baud
                set_menu_item(
                    session, "Bar Nord", f"Article n°{n:03d} de la carte", 100 + n, 2000, "Bar"
                )
            size = len(prepare_config(session, "SUNMI-V2S-001").body)
        result = push_terminal(db, "SUNMI-V2S-001", left.a, timeout=5)
        assert result.ok, result.message
        wire = result.stats.bytes_out + result.stats.bytes_in
        line = size * 10 / BAUD
        model = wire * 10 / BAUD + result.stats.frames_out * turnaround
        print(
            f"   vérifié sur une ligne à {BAUD // 10} o/s (relais) : {size} o en "
            f"{result.seconds:.2f} s, pour {line:.2f} s de ligne : {result.seconds / line:.3f} "
            f"fois (modèle : {model / line:.3f})"
        )


def fleet(tmp: Path, count: int) -> None:
    db = fleet_db(f"sqlite:///{tmp / 'fleet.sqlite3'}", terminals=count, big=True)
    with contextlib.ExitStack() as stack:
        cables = [Cable(tmp / f"fleet{n}") for n in range(count)]
        for cable in cables:
            stack.callback(cable.close)
        agents = [Agent(c.b, tmp / f"fleet-state{n}") for n, c in enumerate(cables)]
        for agent in agents:
            stack.callback(agent.stop)
        names = [f"SUNMI-V2S-{n:03d}" for n in range(1, count + 1)]
        with db.session() as session:  # bundles built beforehand, as the GUI does
            bundles = {name: prepare_config(session, name) for name in names}
        alone = push_terminal(db, names[0], cables[0].a, bundle=bundles[names[0]])
        change(db, 340)
        with db.session() as session:
            bundles[names[0]] = prepare_config(session, names[0])
        jobs = [PushJob(name, cable.a) for name, cable in zip(names, cables, strict=True)]
        start = time.perf_counter()
        results = push_fleet(db, jobs, bundles=bundles)
        wall = time.perf_counter() - start
        assert all(r.ok for r in results), [r.message for r in results if not r.ok]
        slowest = max(r.seconds for r in results)
        size = sum(r.size for r in results) / 1e6
        print(
            f"4. {count} terminaux ({size:.1f} Mo en tout) poussés ensemble : {wall:.2f} s ; "
            f"le plus lent {slowest:.2f} s, soit +{(wall / slowest - 1) * 100:.0f} % "
            f"(cible <= +20 %) ; un seul terminal seul : {alone.seconds:.2f} s"
        )


def file_keyring(path: Path) -> None:
    """Pairing secrets in a file, as in the tests (a bench machine may have no keyring)."""
    import os

    import keyring

    from tests.rig.keyring_file import FileKeyring

    os.environ["REGIE_TEST_KEYRING"] = str(path)
    keyring.set_keyring(FileKeyring())


def journal(tmp: Path, count: int) -> None:
    db = fleet_db(f"sqlite:///{tmp / 'journal.sqlite3'}", terminals=1)
    file_keyring(tmp / "keyring.json")
    with contextlib.ExitStack() as stack:
        cable = Cable(tmp / "journal")
        stack.callback(cable.close)
        generated = time.perf_counter()
        agent = Agent(
            cable.b,
            tmp / "journal-state",
            *("--name", "SUNMI-V2S-001", "--serial", serial_of(1)),
            *("--simulate-sales", str(count)),
        )
        stack.callback(agent.stop)
        generated = time.perf_counter() - generated
        pair_terminal(db, "SUNMI-V2S-001", cable.a)  # its lines and batches come signed
        marks: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            marks.setdefault(stage, time.perf_counter())

        start = time.perf_counter()
        result = pull_terminal(
            db, "SUNMI-V2S-001", cable.a, progress=progress, archive=tmp / "journaux"
        )
        total = time.perf_counter() - start
        assert result.ok and result.imported == count, result.message
        link = marks["import"] - start
        again = time.perf_counter()
        second = pull_terminal(db, "SUNMI-V2S-001", cable.a, archive=tmp / "journaux")
        again = time.perf_counter() - again
        size = result.stats.bytes_in / 1e6
        print(
            f"5. journal de {count} transactions ({size:.1f} Mo, écrit par l'agent en "
            f"{generated:.1f} s) : relevé {link:.2f} s + import au grand livre "
            f"{total - link:.2f} s = {total:.2f} s (cible <= 5 s) ; "
            f"second relevé : {second.received} ligne, {again:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=20)
    parser.add_argument("--journal", type=int, default=100_000)
    parser.add_argument("--no-uart", action="store_true", help="skip the paced-line check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        turnaround = big_push(tmp)
        if not args.no_uart:
            uart_push(tmp, turnaround)
        fleet(tmp, args.terminals)
        journal(tmp, args.journal)


if __name__ == "__main__":
    main()

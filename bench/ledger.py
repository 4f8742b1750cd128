"""Ledger benchmark on a generated festival (reference: 1,000,000 transactions, 50,000 cards,
40 points of sale), against the targets of issue 14, each printed with its ratio:

- the import of 1M transactions with every invariant (≤ 7 s), and its ratio to ledger-cli's
  ``bal`` on the same journal, measured in the same run (≤ 1.0), at 1M and at half that;
- peak memory of the import's two processes together (≤ 400 MB);
- ``regie verify`` of 1M with its closures (≤ 4 s; chain and balances ≤ 2.5 s);
- PostgreSQL (``--db postgresql+psycopg://…``): ≥ 50,000 transactions/s.

Wall seconds are printed with the CPU seconds (user + system) they cost and the load average:
on a shared machine the wall time says little.

Run: .venv/bin/python -m bench.ledger [--transactions N] [--db URL] [--hledger]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regie.db import Database
from regie.ledger.simulate import Festival, write_journal

IMPORT = """
import resource, sys, time
from pathlib import Path
from regie.audit.recorder import install_audit
from regie.db import Database, checkpoints_done
from regie.ledger.journal_import import import_journals
install_audit()
db = Database(sys.argv[1])
start = time.perf_counter()
with db.session() as session:
    result = import_journals(session, [Path(sys.argv[2])])
elapsed = time.perf_counter() - start
checkpointed = time.perf_counter()
checkpoints_done()  # the WAL's pages copied into the base file, begun in the background
checkpointed = time.perf_counter() - checkpointed
us, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = us.ru_utime + us.ru_stime, child.ru_utime + child.ru_stime
print(result.lines, result.transfers, f"{elapsed:.3f}", us.ru_maxrss // 1024,
      f"{cpu[0]:.2f}", f"{cpu[1]:.2f}", child.ru_maxrss // 1024, f"{checkpointed:.3f}")
"""


def close_every_till(db: Database) -> None:
    """The end of the festival: an X then a Z at every point of sale, then the event's Z."""
    from sqlalchemy import select

    from regie.ledger.closures import EVENT, close_z, x_report
    from regie.ledger.models import PointOfSale

    with db.session() as session:
        scopes = [f"pos:{name}" for name in session.scalars(select(PointOfSale.name))]
    start = time.perf_counter()
    with db.session() as session:
        for scope in scopes:
            x_report(session, scope)
    x_seconds = time.perf_counter() - start
    start = time.perf_counter()
    with db.session() as session:
        numbers = [close_z(session, scope).number for scope in scopes]
        event = close_z(session, EVENT, period="event")
    print(
        f"clôtures : X de {len(scopes)} points de vente en {x_seconds:.1f} s ; "
        f"Z n°{numbers[0]} à n°{event.number} (points de vente puis événement) en "
        f"{time.perf_counter() - start:.1f} s, grand total {event.grand_total} centimes"
    )


def cpu_seconds() -> float:
    """User + system seconds of this process and the children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return f"charge {os.getloadavg()[0]:.1f}"


def verdict(value: float, target: float, *, most: bool = True) -> str:
    """``(cible ≤ 7 s : tenue, rapport 0.83)``: the ratio to the target and whether it holds."""
    ratio = value / target if most else target / max(value, 1e-9)
    holds = value <= target if most else value >= target
    sign = "≤" if most else "≥"
    return f"(cible {sign} {target:g} : {'tenue' if holds else 'MANQUÉE'}, rapport {ratio:.2f})"


def import_journal(url: str, journal: Path) -> tuple[int, int, float, float, int, float]:
    """The import in its own process: lines, transfers, wall and CPU seconds, peak memory of
    its processes together (MB), and the seconds its background checkpoint went on after it
    returned (SQLite; 0 on PostgreSQL)."""
    before = cpu_seconds()
    out = subprocess.run(
        [sys.executable, "-c", IMPORT, url, str(journal)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    read, transfers, seconds, peak = int(out[0]), int(out[1]), float(out[2]), int(out[3])
    child_peak = int(out[6])  # the reading process's peak, beside the importer's own
    return read, transfers, seconds, cpu_seconds() - before, peak + child_peak, float(out[7])


def ledger_cli_balance(db: Database, tmp: Path) -> tuple[float, float] | None:
    """ledger-cli's ``bal --flat`` on Régie's own export of the journal just imported (parse
    and sum, no checks): wall and CPU seconds; ``None`` when ledger is not installed."""
    from regie.ledger.exports import export_hledger

    if shutil.which("ledger") is None:
        print(
            "ledger-cli ABSENT : pas de rapport à ledger-cli "
            "(Debian : apt-get install ledger, la version 3.3 du banc de référence)"
        )
        return None
    path = tmp / "festival.ledger"
    with db.session() as session:
        export_hledger(session, path)
    start, cpu = time.perf_counter(), cpu_seconds()
    # --flat: one line per account; ledger 3.3's tree of 50,000 wallets under « wallet »
    # takes minutes to lay out, which measures its report, not its reading of the journal.
    subprocess.run(["ledger", "-f", str(path), "bal", "--flat"], capture_output=True, check=True)
    return time.perf_counter() - start, cpu_seconds() - cpu


def import_against_ledger(transactions: int, args: argparse.Namespace, tmp: Path) -> Database:
    """Generate, import and compare with ledger-cli at one size; the base is returned."""
    journal = tmp / f"festival-{transactions}.jsonl"
    start = time.perf_counter()
    spec = Festival(transactions=transactions, cards=args.cards, points_of_sale=args.pos)
    lines = write_journal(spec, str(journal))
    size = journal.stat().st_size / 1e6
    print(
        f"\n— {transactions} transactions — festival généré : {lines} lignes, {size:.0f} Mo, "
        f"en {time.perf_counter() - start:.0f} s"
    )
    url = args.db or f"sqlite:///{tmp / f'ledger-{transactions}.sqlite3'}"
    db = Database(url)
    db.upgrade()
    read, transfers, seconds, cpu, peak, checkpoint = import_journal(url, journal)
    rate = read / seconds
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"import ({backend}) : {read} transactions ({transfers} transferts) en {seconds:.1f} s, "
        f"CPU {cpu:.1f} s, {load()} = {round(rate)} transactions/s"
    )
    if backend == "SQLite":  # committed and synced when the import returns; then copied
        print(
            f"  point de contrôle du WAL (copie dans le fichier de la base, en arrière-plan) : "
            f"fini {checkpoint:.2f} s après le retour de l'import"
        )
    if backend == "PostgreSQL":
        print(f"  PostgreSQL : {round(rate)} transactions/s {verdict(rate, 50_000, most=False)}")
    elif transactions == 1_000_000:
        print(f"  1 M en {seconds:.1f} s {verdict(seconds, 7.0)}")
    print(f"  mémoire de pointe des deux processus : {peak} Mo {verdict(peak, 400)}")
    measured = ledger_cli_balance(db, tmp)
    if measured is not None:
        theirs, their_cpu = measured
        print(
            f"  ledger-cli bal --flat sur le même journal : {theirs:.1f} s, CPU {their_cpu:.1f} s "
            f"({load()}) ; Régie/ledger-cli {verdict(seconds / theirs, 1.0)}"
        )
    return db


def verify_then_tamper(db: Database, url: str) -> None:
    """``regie verify`` on the whole base (the journal, its Z, the seal), its steps apart,
    then again after one amount was changed in the database file behind Régie's back (its
    append-only trigger dropped first)."""
    from regie.audit.seal_verify import verify_base

    start, cpu = time.perf_counter(), cpu_seconds()
    with db.session() as session:
        report = verify_base(session, archive=False)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    steps = report.ledger.seconds
    chain = steps.get("journal", 0) + steps.get("balances", 0)
    print(
        f"vérification (regie verify) : {report.ledger.transfers} transferts, "
        f"{report.ledger.closures} Z en {wall:.1f} s, CPU {cpu:.1f} s ({load()}) "
        f"{verdict(wall, 4.0)} — {'intègre' if report.ok else 'ALTÉRÉ'}"
    )
    print(
        f"  chaîne et soldes : {chain:.1f} s {verdict(chain, 2.5)} ; "
        + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps.items())
    )
    if not url.startswith("sqlite:///"):
        return
    victim = report.ledger.transfers // 2
    raw = sqlite3.connect(url.removeprefix("sqlite:///"))
    with raw:
        raw.execute("DROP TRIGGER IF EXISTS transfer_no_update")
        raw.execute("UPDATE transfer SET amount = amount + 100 WHERE id = ?", (victim,))
    raw.close()
    start = time.perf_counter()
    with db.session() as session:
        report = verify_base(session, archive=False)
    first = report.problems[0] if report.problems else "RIEN TROUVÉ"
    print(
        f"transfert n°{victim} altéré dans le fichier : vérification en "
        f"{time.perf_counter() - start:.1f} s — {first}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--pos", type=int, default=40)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--hledger", action="store_true", help="hledger's balances too (slow)")
    args = parser.parse_args()
    print(f"banc du grand livre : {os.cpu_count()} cœurs, {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.db:  # one base given: the full size only
            import_against_ledger(args.transactions // 2, args, Path(tmp)).dispose()
        db = import_against_ledger(args.transactions, args, Path(tmp))
        url = db.url
        from regie.ledger.reports import balances

        start = time.perf_counter()
        with db.session() as session:
            rows = balances(session)
        ours = time.perf_counter() - start
        print(f"soldes de tous les comptes : {len(rows)} en {ours * 1000:.0f} ms (cible 500 ms)")
        if args.hledger:
            hledger_balances(db, Path(tmp), ours)
        close_every_till(db)
        verify_then_tamper(db, url)
        db.dispose()
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"(mémoire de pointe du banc lui-même : {peak_self} Mo)")


def hledger_balances(db: Database, tmp: Path, ours: float) -> None:
    from regie.ledger.exports import export_hledger

    path = tmp / "festival.journal"
    with db.session() as session:
        export_hledger(session, path)
    start = time.perf_counter()
    subprocess.run(
        ["hledger", "-f", str(path), "balance", "-N", "--flat"], capture_output=True, check=True
    )
    theirs = time.perf_counter() - start
    print(
        f"les mêmes soldes avec hledger : {theirs:.1f} s (rapport {theirs / max(ours, 1e-6):.0f})"
    )


if __name__ == "__main__":
    main()

"""Inventory benchmark: 20,000 assets, 200 prestations. Prints its figures.

Targets (issue 3): the inventory table's data in <= 200 ms, a scan's feedback in <= 20 ms,
the amortisation per owner in <= 100 ms. Run: .venv/bin/python -m bench.inventory [--db URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.inventory_data import build
from regie.db import Database
from regie.inventory.amortisation import by_owner
from regie.inventory.assets import list_assets
from regie.inventory.audits import abandon_audit, scan, start_audit


def timed(label: str, target_ms: float, func, repeat: int = 5):  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    best, median = min(times), statistics.median(times)
    verdict = "OK" if median <= target_ms else "TROP LENT"
    print(
        f"{label:<42} médiane {median:7.1f} ms  "
        f"(meilleur {best:6.1f}, cible {target_ms:g})  {verdict}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = Database(url)
        start = time.perf_counter()
        build(db)
        elapsed = time.perf_counter() - start
        print(f"jeu de données : 20 000 matériels, 200 prestations en {elapsed:.1f} s")
        print(f"base : {db.display_name}")

        def table() -> int:
            with db.session() as session:
                return len(list_assets(session))

        rows = timed("tableau d'inventaire (20 027 lignes)", 200, table)
        assert rows == 20_027

        def amortisation() -> int:
            with db.session() as session:
                return len(by_owner(session))

        timed("amortissement par propriétaire", 100, amortisation)

        with db.session() as session:
            state = start_audit(session, location_name="Dépôt CCC")
        print(f"inventaire du dépôt : {len(state.expected)} matériels attendus")
        scans = []
        for n in range(1, 401):
            tag = f"BIG-{(n * 37) % 20000:06d}" if n % 20 else f"INCONNU-{n}"
            begin = time.perf_counter()
            with db.session() as session:
                scan(session, state, tag)
                missing = len(state.missing)
            scans.append((time.perf_counter() - begin) * 1000)
        scans.sort()
        p50, p95 = statistics.median(scans), scans[int(len(scans) * 0.95)]
        verdict = "OK" if p95 <= 20 else "TROP LENT"
        label = "scan (lecture, verdict, écriture, listes)"
        print(f"{label:<42} médiane {p50:7.2f} ms  (p95 {p95:.2f}, cible 20)  {verdict}")
        print(f"  encore manquants après 400 scans : {missing}")
        with db.session() as session:
            abandon_audit(session, state.audit_id)
        db.dispose()


if __name__ == "__main__":
    main()

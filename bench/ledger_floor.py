"""What the storage alone costs: 1,000,000 transfers already built (no journal to read, no
check, no hash to compute), written to SQLite through Python's driver, as the import must.

Two tables: the least a ledger can be (the rows and their idempotency key, nothing else), and
Régie's ``transfer`` table as the migrations create it (foreign keys, the indexes the card and
account views need). If the first alone takes more than 5 s, no import of 1M transactions
"with every invariant checked" can reach 200,000 transactions/s on this machine with
Python and SQLite, whatever the rest of the design.

Run: .venv/bin/python -m bench.ledger_floor [--transfers N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from regie.db import Database

COLUMNS = (
    "id, link_id, source_id, seq, leg, op, method, at, tz_minutes, debit_id, credit_id, "
    "asset_id, amount, pos_id, ref_id, idem_key, details, hash"
)
LEAST = (
    "CREATE TABLE transfer (id INTEGER PRIMARY KEY, link_id INTEGER, source_id INTEGER, "
    "seq INTEGER, leg INTEGER, op TEXT, method TEXT, at INTEGER, tz_minutes INTEGER, "
    "debit_id INTEGER, credit_id INTEGER, asset_id INTEGER, amount INTEGER, pos_id INTEGER, "
    "ref_id INTEGER, idem_key TEXT, details TEXT, hash BLOB, UNIQUE (source_id, seq, leg))"
)
WALLETS, POINTS, TERMINALS = 50_000, 40, 80


def festival_rows(count: int) -> list[tuple[object, ...]]:
    """Sales from 50,000 wallets to 40 points of sale, shaped as the importer writes them."""
    rng = random.Random(7)
    digest = hashlib.sha256(b"regie").digest()
    details = '[["Bière 25cl",1,300,2000],["Eau 50cl",1,150,550]]'
    rows = []
    for n in range(1, count + 1):
        row = (
            n,
            n,
            1 + n % TERMINALS,
            1 + n // TERMINALS,
            0,
            "sale",
            "cashless",
            1_783_000_000 + n // 3,
            120,
            100 + rng.randrange(WALLETS),
            100 + WALLETS + n % POINTS,
            2,
            450,
            1 + n % POINTS,
            None,
            None,
            details,
            digest,
        )
        rows.append(row)
    return rows


def fill_references(connection: sqlite3.Connection) -> None:
    """The sources, accounts and points of sale the rows point to (Régie's schema only)."""
    connection.executemany(
        "INSERT INTO ledger_source (id, name, kind) VALUES (?, ?, 'terminal')",
        [(n, f"SUNMI-{n:03}") for n in range(1, TERMINALS + 1)],
    )
    connection.executemany(
        "INSERT INTO account (id, name, kind, may_go_negative) VALUES (?, ?, ?, ?)",
        [(100 + n, f"wallet:{n:014X}", "wallet", 0) for n in range(WALLETS)]
        + [(100 + WALLETS + n, f"pos:P{n}:revenue", "pos", 1) for n in range(POINTS)],
    )
    connection.executemany(
        "INSERT INTO pos (id, name) VALUES (?, ?)", [(n, f"P{n}") for n in range(1, POINTS + 1)]
    )


def write(path: Path, rows: list[tuple[object, ...]], schema: str | None) -> float:
    """Seconds to write ``rows`` in one transaction, 20,000 at a time as the importer does."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536"):
        connection.execute(f"PRAGMA {pragma}")
    if schema is None:
        connection.execute("PRAGMA foreign_keys=ON")
        fill_references(connection)
    else:
        connection.execute(schema)
    marks = ", ".join("?" * len(COLUMNS.split(", ")))
    start = time.perf_counter()
    connection.execute("BEGIN")
    for offset in range(0, len(rows), 20_000):
        connection.executemany(
            f"INSERT INTO transfer ({COLUMNS}) VALUES ({marks})", rows[offset : offset + 20_000]
        )
    connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = festival_rows(args.transfers)
    budget = args.transfers / 200_000
    print(f"{args.transfers} transferts déjà construits ; budget de l'import : {budget:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        least = write(Path(tmp) / "least.sqlite3", rows, LEAST)
        print(
            f"table minimale (lignes + clé d'idempotence) : {least:.1f} s "
            f"= {args.transfers / least:.0f} transferts/s"
        )
        database = Database(f"sqlite:///{Path(tmp) / 'regie.sqlite3'}")
        database.upgrade()
        database.dispose()
        ours = write(Path(tmp) / "regie.sqlite3", rows, None)
        print(
            f"table transfer de Régie (clés étrangères, index des vues) : {ours:.1f} s "
            f"= {args.transfers / ours:.0f} transferts/s"
        )
    print(f"(processeurs : {os.cpu_count()}, SQLite {sqlite3.sqlite_version})")


if __name__ == "__main__":
    main()

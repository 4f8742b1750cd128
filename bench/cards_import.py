"""Card import benchmark: a 17,000-card TiBillet factory file. Prints its figures.

Target (issue 4): <= 2 s for 17,000 cards (the convention's CCC + Mamasound lots), checks
included (URL and uuid, number, UID, duplicates in the file and in the database).

Run: .venv/bin/python -m bench.cards_import [--cards 17000] [--db URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from regie.cards.batches import export_tibillet, import_factory_csv, select_cards
from regie.db import Database
from regie.models import Organisation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=17_000)
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = Database(url)
        db.upgrade()
        with db.session() as session:
            session.add(Organisation(short_name="Mamasound", name="Collectif Mamasound"))
        path = Path(tmp) / "usine.csv"
        rows = []
        for i in range(args.cards):
            qr = uuid.uuid4()
            rows.append(f"https://demo.example/qr/{qr},{qr.hex[:8].upper()},04{i:06X}A1B2C3")
        path.write_text("\n".join(rows) + "\n")

        started = time.perf_counter()
        with db.session() as session:
            result = import_factory_csv(session, path, owner="Mamasound")
        elapsed = time.perf_counter() - started
        verdict = "OK" if elapsed <= 2.0 else "TROP LENT"
        print(
            f"import de {result.cards:,} cartes            {elapsed:6.2f} s (cible 2 s)  {verdict}"
        )

        started = time.perf_counter()
        with db.session() as session:
            export_tibillet(session, Path(tmp) / "export.csv", select_cards(session))
        print(f"export TiBillet des mêmes cartes    {time.perf_counter() - started:6.2f} s")

        started = time.perf_counter()
        try:
            with db.session() as session:
                import_factory_csv(session, path, owner="Mamasound")
        except Exception as error:  # every line is now a duplicate: all reported
            count = len(getattr(error, "errors", []))
            print(
                f"le même fichier refusé ({count:,} erreurs)  "
                f"{time.perf_counter() - started:6.2f} s"
            )
        db.dispose()
    raise SystemExit(0 if elapsed <= 2.0 else 1)


if __name__ == "__main__":
    main()

"""A process that posts top-ups and sales on shared wallets, for the concurrency test.

python -m tests.ledger_worker URL SEED ENTRIES → prints a JSON summary of what it posted.
"""

from __future__ import annotations

import random
import sys

import orjson

from regie.db import Database
from regie.ledger.entries import Entry, Leg, wallet_name
from regie.ledger.posting import InsufficientFunds, Writer

WALLETS = 200
BATCH = 500


def main() -> None:
    url, seed, entries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    db = Database(url)
    net: dict[str, int] = {}
    posted = refused = 0
    seq = 0
    for _batch in range(entries // BATCH):
        with db.session() as session:
            writer = Writer(session)
            for _ in range(BATCH):
                seq += 1
                card = f"04{rng.randrange(WALLETS):012X}"
                amount = rng.randrange(100, 2000)
                if rng.random() < 0.45:
                    leg = Leg("pos:Caisse:cash", wallet_name(card), "EUR", amount)
                    sign = 1
                else:
                    leg = Leg(wallet_name(card), "pos:Bar:revenue", "EUR", amount)
                    sign = -1
                entry = Entry(
                    source=f"worker-{seed}",
                    op="topup" if sign > 0 else "sale",
                    method="test",
                    at=1_783_000_000 + seq,
                    tz_minutes=0,
                    legs=(leg,),
                    seq=seq,
                )
                try:
                    writer.append(entry)
                except InsufficientFunds:
                    refused += 1
                    continue
                posted += 1
                net[card] = net.get(card, 0) + sign * amount
            writer.flush()
    print(orjson.dumps({"posted": posted, "refused": refused, "net": net}).decode())


if __name__ == "__main__":
    main()

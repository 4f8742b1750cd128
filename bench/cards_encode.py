"""Card encoding benchmark: APDUs per card and the software's own time. Prints its figures.

Targets (issue 4): minimal APDUs (16 bytes per READ, one UID read, no GET_VERSION on a known
card); the software adds <= 20 ms per card beyond the APDU round trips; 1,000 cards in a row.

Part 1 encodes 1,000 virtual NTAG215 in a row (URL + protection) through the real encoding
session, the virtual card answering in-process: what is measured is the software alone
(pairing, TLV building, database steps), with the APDUs counted. Part 2 does the same through
the real pcscd + vpcd (each card inserted and removed, as by hand) through the device
manager, the reader's owner thread serving the encoder (after its own UID read for the
status bar), and splits each card's
time into software, APDU round trips, and waiting for pcscd's presence polling (~0.4 s per
insertion and removal, the rig's, not ours).

Run: .venv/bin/python -m bench.cards_encode [--cards 1000] [--rig-cards 50] [--db URL]
Part 2 needs "Virtual PCD 00 00" to itself: on a shared machine, run it in a sandbox like
tests/run.sh does (its own network namespace, TMPDIR and /run/pcscd), or another process's
cards on that reader get served too.
"""

from __future__ import annotations

import argparse
import collections
import queue
import statistics
import tempfile
import time
from pathlib import Path

from regie.cards.batches import create_batch, generate_lines
from regie.cards.encoding import CardResult, EncodingOptions, EncodingSession, Outcome
from regie.db import Database
from regie.devices.card_link import CardLink
from regie.models import Organisation
from tests.rig.vcard import ACR122U_NTAG_ATR, VirtualCard


def prepare(url: str, count: int) -> Database:
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        owner = Organisation(short_name="BENCH", name="Banc d'essai")
        session.add(owner)
        session.flush()
        lines = generate_lines(count, "https://festival.example")
        create_batch(session, lines, name="bench", owner=owner, lot=None, source="bench")
    return db


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]
    return (
        f"médiane {statistics.median(values) * 1000:6.2f} ms, p95 {p95 * 1000:6.2f}, "
        f"max {values[-1] * 1000:6.2f}"
    )


def report(title: str, results: list[CardResult], wall: float) -> bool:
    ok = [r for r in results if r.outcome is Outcome.ENCODED]
    print(f"\n{title}: {len(ok)}/{len(results)} cartes encodées en {wall:.1f} s")
    reasons = collections.Counter(r.reason for r in results if r.outcome is not Outcome.ENCODED)
    for reason, count in reasons.most_common():
        print(f"  échec x{count:<5}              {reason}")
    failed = [(i, r) for i, r in enumerate(results) if r.outcome is not Outcome.ENCODED]
    for index, result in failed[:3]:
        print(f"  carte n°{index + 1:<5}              {result.line()}")
    apdus = sorted({r.apdus for r in ok})
    print(f"  APDU par carte              {', '.join(map(str, apdus))}")
    print(f"  temps du logiciel           {ms([r.software_seconds for r in ok])}")
    print(f"  allers-retours APDU         {ms([r.apdu_seconds for r in ok])}")
    software = statistics.median(r.software_seconds for r in ok)
    verdict = "OK" if software <= 0.020 else "TROP LENT"
    print(f"  cible logiciel <= 20 ms     {verdict}")
    return len(ok) == len(results) and software <= 0.020


def in_process(db: Database, count: int) -> bool:
    session = EncodingSession(db, EncodingOptions(write_url=True, protect=True, who="bench"))
    session.follow_batch("bench")
    results = []
    started = time.perf_counter()
    for _ in range(count):
        card = VirtualCard("ntag215")

        def send(apdu: bytes, card: VirtualCard = card) -> tuple[bytes, int, int]:
            answer = card.process_apdu(apdu)
            return answer[:-2], answer[-2], answer[-1]

        results.append(session.handle(CardLink("bench", ACR122U_NTAG_ATR, send)))
    wall = time.perf_counter() - started
    print(f"  débit                       {count / wall * 60:,.0f} cartes/min (sans lecteur)")
    again = session.handle(CardLink("bench", ACR122U_NTAG_ATR, send))
    print(f"  carte déjà encodée          {again.apdus} APDU ({again.outcome.value})")
    return report(f"1. {count} NTAG215 à la suite, carte virtuelle en mémoire", results, wall)


def through_pcscd(db: Database, count: int) -> bool:
    from regie.devices.manager import DeviceManager
    from regie.devices.pcsc import PcscBackend
    from tests.rig.services import pcscd_service

    with pcscd_service():
        results: queue.Queue[CardResult] = queue.Queue()
        session = EncodingSession(
            db, EncodingOptions(write_url=True, protect=True, who="bench"), results.put
        )
        session.follow_batch("bench")
        devices = DeviceManager([PcscBackend()])
        devices.start()
        reader = devices.serve_cards("Virtual PCD 00 00", session.handle)
        done, waits = [], []
        started = time.perf_counter()
        try:
            for _ in range(count):
                card = VirtualCard("ntag215", port=35963)
                t0 = time.perf_counter()
                card.insert()
                result = results.get(timeout=10)
                card.remove()
                waits.append(time.perf_counter() - t0 - result.seconds)
                done.append(result)
        finally:
            reader.release()
            devices.stop()
        wall = time.perf_counter() - started
    ok = report(f"2. {count} NTAG215 posées une à une sur pcscd + vpcd", done, wall)
    print(f"  attente de pcscd (pose+retrait) {ms(waits)}")
    print(f"  débit                       {session.stats.rate_per_minute():.1f} cartes/min")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--rig-cards", type=int, default=50, help="0: skip the pcscd part")
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        db = prepare(url, args.cards + args.rig_cards + 10)
        ok = in_process(db, args.cards)
        if args.rig_cards:
            ok = through_pcscd(db, args.rig_cards) and ok
        db.dispose()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()

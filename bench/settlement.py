"""Settlement benchmark: the event report of a generated festival (reference: 1,000,000
transactions, 50,000 cards) and the reconciliation of 50,000 Stripe balance transactions
against the ledger's card-reader top-ups. Prints the figures.

Run: .venv/bin/python -m bench.settlement [--transactions N] [--balance-transactions N]
     [--db URL]  (a new SQLite file in a temporary directory by default; a --db whose
     ledger already holds a festival is measured as it is, without importing another one)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.simulate import Festival, write_journal
from regie.settlement import stripe_store
from regie.settlement.event_report import event_report
from regie.settlement.models import StripeBalanceTransaction, StripePayment
from regie.settlement.reconcile import reconcile
from regie.settlement.report_pdf import report_pdf


def festival(db: Database, transactions: int, cards: int, workdir: Path) -> float:
    path = workdir / "festival.jsonl"
    write_journal(Festival(transactions=transactions, cards=cards, points_of_sale=40), str(path))
    start = time.perf_counter()
    with db.session() as session:
        import_journals(session, [path])
    return time.perf_counter() - start


def transfers_held(db: Database) -> int:
    from sqlalchemy import func, select

    from regie.ledger.models import Transfer

    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transfer)) or 0


def stripe_side(db: Database, count: int) -> int:
    """Balance transactions for the ledger's card-reader top-ups (and more, unmatched)."""
    from sqlalchemy import select

    from regie.ledger.models import Transfer

    with db.session() as session:
        topups = session.execute(
            select(Transfer.details, Transfer.amount, Transfer.at).where(
                Transfer.op == "topup", Transfer.method == "stripe_terminal", Transfer.leg == 0
            )
        ).all()
        payments, txns = [], []
        for n in range(count):
            intent, amount, at = topups[n] if n < len(topups) else (f"pi_x{n}", 2000, 0)
            fee = amount * 14 // 1000 + 10
            payments.append(
                {
                    "id": intent,
                    "amount": amount,
                    "amount_received": amount,
                    "amount_refunded": 0,
                    "currency": "EUR",
                    "status": "succeeded",
                    "created": at,
                    "method": "card_present",
                    "card_uid": "",
                    "charge_id": f"ch_{n}",
                    "origin": "api",
                }
            )
            txns.append(
                {
                    "id": f"txn_{n}",
                    "type": "charge",
                    "reporting_category": "charge",
                    "amount": amount,
                    "fee": fee,
                    "net": amount - fee,
                    "currency": "EUR",
                    "created": at,
                    "available_on": at,
                    "source": f"ch_{n}",
                    "payment_intent": intent,
                    "payout": f"po_{n // 500}",
                    "description": "",
                    "origin": "api",
                }
            )
        stripe_store.upsert(session, StripePayment, payments)
        stripe_store.upsert(session, StripeBalanceTransaction, txns)
    return len(topups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--balance-transactions", type=int, default=50_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db = Database(args.db or f"sqlite:///{workdir}/bench.sqlite3")
        db.upgrade()
        held = transfers_held(db)
        if held:
            print(f"festival: the database already holds {held:,} transfers, measured as is")
        else:
            imported = festival(db, args.transactions, args.cards, workdir)
            print(f"festival: {args.transactions:,} transactions imported in {imported:.1f} s")
        start = time.perf_counter()
        with db.session() as session:
            report = event_report(session)
        figures = time.perf_counter() - start
        start = time.perf_counter()
        report_pdf(report, workdir / "report.pdf")
        pdf = time.perf_counter() - start
        total = figures + pdf
        print(
            f"event report: figures {figures:.2f} s + PDF {pdf:.2f} s = {total:.2f} s "
            f"(target <= 3 s); {report.sales_count:,} sales, "
            f"{report.cards_used:,} cards"
        )
        matched = stripe_side(db, args.balance_transactions)
        start = time.perf_counter()
        with db.session() as session:
            found = reconcile(session)
        elapsed = time.perf_counter() - start
        print(
            f"reconciliation: {args.balance_transactions:,} balance transactions against "
            f"{matched:,} ledger top-ups in {elapsed:.2f} s (target <= 2 s); "
            f"{found.matched:,} matched, {len(found.mismatches):,} mismatches "
            f"{found.by_kind()}"
        )
        db.dispose()


if __name__ == "__main__":
    main()

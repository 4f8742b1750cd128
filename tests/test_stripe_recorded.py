"""What localstripe lacks (fees, payout contents, card_present, idempotency keys), tested on
recorded objects shaped like Stripe's API objects, and on Stripe's itemized payout report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
from sqlalchemy import select

from regie.db import Database
from regie.errors import UserError
from regie.ledger.desk import RefundRules, balances_of
from regie.ledger.reports import balances
from regie.settlement.models import RefundItem, StripeBalanceTransaction, StripePayment
from regie.settlement.reconcile import reconcile
from regie.settlement.refund_plan import preview
from regie.settlement.refunds import idempotency_key, plan_run, run_refunds
from regie.settlement.resolve import resolve, resolve_all
from regie.settlement.stripe_report import ReportRejected, import_report
from regie.settlement.stripe_sync import sync_stripe
from tests.ledger_fixtures import import_file, topup, write_lines

DATA = Path(__file__).parent / "data" / "stripe"
KEY = "sk_test_recorded0000000000"


class Recorded(stripe.HTTPClient):
    """Answers the stripe library from the recorded files, and keeps what it was asked."""

    name = "recorded"

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = []

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        query = parse_qs(parts.query) if method == "get" else parse_qs(post_data or "")
        self.asked.append((method, parts.path, query, dict(headers or {})))
        name = parts.path.removeprefix("/v1/")
        if method == "post" and name == "refunds":
            name = "refund_created"
        elif "payout" in query:
            name += f"_payout_{query['payout'][0]}"
        elif "starting_after" in query:
            name += f"_after_{query['starting_after'][0]}"
        path = DATA / f"{name}.json"
        if not path.exists():
            error = {"error": {"type": "invalid_request_error", "message": f"no {name}"}}
            return json.dumps(error), 404, {}
        return path.read_text(), 200, {"request-id": "req_recorded"}

    def close(self) -> None:
        pass


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    saved = (stripe.api_base, stripe.default_http_client, stripe.max_network_retries)
    client = Recorded()
    stripe.api_base, stripe.default_http_client, stripe.max_network_retries = (
        "https://api.stripe.test",
        client,
        0,
    )
    yield client
    stripe.api_base, stripe.default_http_client, stripe.max_network_retries = saved


def card_topup(seq: int, card: str, amount: int, intent: str) -> dict[str, Any]:
    line = topup(seq, card, amount, pay="stripe_terminal")
    line.update(payment_intent=intent, at=f"2026-07-13T16:0{seq}:00+02:00")
    return line


@pytest.fixture
def journal(ledger: Database, tmp_path: Path) -> Database:
    """The ledger's side: one top-up right, one of a wrong amount, one Stripe never saw."""
    lines = [
        card_topup(1, "04A1B2C3D4E501", 2000, "pi_3RecA01"),
        card_topup(2, "04A1B2C3D4E502", 2500, "pi_3RecA02"),
        card_topup(3, "04A1B2C3D4E503", 5000, "pi_3RecA03"),
        card_topup(4, "04A1B2C3D4E504", 1500, "pi_3RecZZZ"),
    ]
    import_file(ledger, write_lines(tmp_path / "journal.jsonl", lines))
    return ledger


def kinds(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(m.key for m in reconcile(session).mismatches)


EXPECTED = [
    "amount_differs:pi_3RecA02",
    "fee_unbooked:txn_3RecA01",
    "fee_unbooked:txn_3RecA02",
    "fee_unbooked:txn_3RecA03",
    "missing_in_stripe:pi_3RecZZZ",
    "payout_unbooked:po_3RecP01",
    "refund_unbooked:re_3RecA03",
]


def clearing(db: Database) -> int:
    with db.session() as session:
        return sum(row.amount for row in balances(session, account="stripe:clearing"))


def test_sync_reads_card_present_payments_fees_and_what_a_payout_contains(
    journal: Database, recorded: Recorded
) -> None:
    result = sync_stripe(journal, KEY)
    assert (result.payments, result.balance_transactions, result.payouts) == (3, 5, 1)
    assert result.payouts_itemised == 1 and result.warnings == []
    with journal.session() as session:
        payment = session.get_one(StripePayment, "pi_3RecA01")
        assert (payment.method, payment.card_uid) == ("card_present", "04A1B2C3D4E501")
        fees = session.scalars(select(StripeBalanceTransaction.fee)).all()
        assert sum(fees) == 38 + 52 + 80
        payouts = set(session.scalars(select(StripeBalanceTransaction.payout)))
        assert payouts == {"po_3RecP01"}
    # the second page of payment intents was asked for, and the payout's contents by filter
    queries = [(path, q) for method, path, q, _h in recorded.asked if method == "get"]
    assert ("/v1/payment_intents", {"limit": ["100"], "starting_after": ["pi_3RecA02"]}) in queries
    assert ("/v1/balance_transactions", {"limit": ["100"], "payout": ["po_3RecP01"]}) in queries
    assert all(h["Authorization"] == f"Bearer {KEY}" for _m, _p, _q, h in recorded.asked)


def test_every_mismatch_is_listed_then_resolved_and_clearing_comes_back_to_zero(
    journal: Database, recorded: Recorded
) -> None:
    sync_stripe(journal, KEY)
    assert kinds(journal) == EXPECTED
    with journal.session() as session:
        done = resolve_all(session)
    assert done.posted == 5 and done.failed == []
    assert kinds(journal) == ["amount_differs:pi_3RecA02", "missing_in_stripe:pi_3RecZZZ"]
    with journal.session() as session:
        resolve(session, "amount_differs:pi_3RecA02")
        resolve(session, "missing_in_stripe:pi_3RecZZZ")
        again = resolve_all(session)
    assert again.posted == 0 and kinds(journal) == []
    assert clearing(journal) == 0  # what Stripe owed was paid out, less its fees and refund
    with journal.session() as session:
        assert [r.amount for r in balances(session, account="stripe:fees")] == [-170]
        assert [r.amount for r in balances(session, account="bank")] == [-8830]
        assert balances_of(session, "04A1B2C3D4E503") == {"EUR": 4000}


def test_the_payout_report_csv_reconciles_like_the_api(journal: Database) -> None:
    result = import_report(journal, DATA / "payout_reconciliation_itemized.csv")
    assert (result.lines, result.charges, result.refunds, result.payouts) == (4, 3, 1, 1)
    assert result.fees_cents == 170
    assert kinds(journal) == EXPECTED
    with journal.session() as session:
        assert session.get_one(StripePayment, "pi_3RecA02").card_uid == "04A1B2C3D4E502"
        resolve_all(session)
    assert clearing(journal) == -(2000 + 2500 + 5000 + 1500) + 170 + 1000 + 8830


def test_a_bad_report_line_names_file_line_and_column_and_imports_nothing(
    journal: Database, tmp_path: Path
) -> None:
    text = (DATA / "payout_reconciliation_itemized.csv").read_text().splitlines()
    text[2] = text[2].replace(",30.00,0.52,29.48,", ",30.005,0.52,29.48,")
    bad = tmp_path / "rapport.csv"
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(ReportRejected) as error:
        import_report(journal, bad)
    assert f"{bad}, ligne 3, colonne gross : trop de décimales" in str(error.value)
    with journal.session() as session:
        assert session.scalar(select(StripeBalanceTransaction.id)) is None


def test_a_file_that_is_not_the_payout_report_is_refused(journal: Database, tmp_path: Path) -> None:
    other = tmp_path / "balance.csv"
    other.write_text("balance_transaction_id,amount\ntxn_1,20.00\n")
    with pytest.raises(UserError, match=r"ligne 1 : colonne.* manquante"):
        import_report(journal, other)


def test_a_refund_carries_a_derived_idempotency_key_stored_nowhere(
    journal: Database, recorded: Recorded, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sync_stripe(journal, KEY)
    with journal.session() as session:
        planned = preview(session, RefundRules())
        only = [item for item in planned.items if item.payment_intent == "pi_3RecA02"]
        planned.items[:] = only
        run = plan_run(session, planned)
    caplog.set_level("DEBUG")
    result = run_refunds(journal, run, KEY)
    assert result.done == 1 and result.refunded_cents == 2500
    posts = [(q, h) for method, path, q, h in recorded.asked if method == "post"]
    assert len(posts) == 1
    query, headers = posts[0]
    with journal.session() as session:
        item = session.scalars(select(RefundItem)).one()
        key = idempotency_key(KEY, item)
    assert headers["Idempotency-Key"] == key and key.startswith("regie-")
    assert query["metadata[regie_item]"] == [f"{run}-{item.id}"]
    assert idempotency_key(KEY, item) == key  # a retry sends the same key
    assert idempotency_key("sk_test_other000000000", item) != key
    stored = Path(journal.url.removeprefix("sqlite:///"))
    if stored.exists():
        assert key.encode() not in stored.read_bytes()
        wal = stored.with_name(stored.name + "-wal")
        assert not wal.exists() or key.encode() not in wal.read_bytes()
    assert key not in caplog.text

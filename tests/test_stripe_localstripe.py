"""Stripe against the real localstripe server: sync, reconciliation, refund runs, faults."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe
from sqlalchemy import func, select

from regie.db import Database
from regie.ledger.desk import RefundRules, balances_of
from regie.ledger.models import Transfer
from regie.settlement.models import RefundItem
from regie.settlement.reconcile import reconcile
from regie.settlement.refund_plan import preview
from regie.settlement.refunds import StripeUnreachable, plan_run, run_refunds
from regie.settlement.resolve import resolve
from regie.settlement.stripe_sync import sync_stripe
from tests.ledger_fixtures import import_file, topup, write_lines
from tests.rig.services import LOCALSTRIPE_API_KEY, REPO_ROOT, LocalStripe

pytestmark = pytest.mark.stripe
KEY = LOCALSTRIPE_API_KEY
CARDS = [f"04AA{n:010X}" for n in range(1, 7)]


def pay(amount: int, card: str) -> str:
    """A top-up paid at a card reader: a confirmed PaymentIntent naming the card."""
    intent = stripe.PaymentIntent.create(
        api_key=KEY,
        amount=amount,
        currency="eur",
        payment_method="pm_card_visa",
        confirm=True,
        metadata={"card_uid": card},
    )
    return str(intent.id)


def stripe_topup(seq: int, card: str, amount: int, intent: str) -> dict[str, Any]:
    line = topup(seq, card, amount, pay="stripe_terminal")
    line["payment_intent"] = intent
    line["at"] = f"2026-07-12T{10 + seq // 60:02d}:{seq % 60:02d}:00+02:00"
    return line


def flush(server: LocalStripe) -> None:
    """Empty localstripe (it is shared by the tests of a worker)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("DELETE", "/_config/data")
    assert connection.getresponse().status == 200
    connection.close()


@pytest.fixture
def festival(
    ledger: Database, localstripe: LocalStripe, stripe_api: None, tmp_path: Path
) -> Iterator[Database]:
    """Six cards topped up by card (two of them twice), each having spent a little."""
    flush(localstripe)
    lines: list[dict[str, Any]] = []
    seq = 0
    for index, card in enumerate(CARDS):
        for amount in (2000, 1000) if index < 2 else (3000,):
            seq += 1
            lines.append(stripe_topup(seq, card, amount, pay(amount, card)))
        seq += 1
        lines.append(
            {
                **topup(seq, card, 500),
                "op": "sale",
                "pay": "cashless",
                "amount": 500,
                "pos": "Bar Nord",
                "lines": [{"product": "Bière 25cl", "qty": 1, "unit": 500, "vat": 2000}],
            }
        )
    import_file(ledger, write_lines(tmp_path / "journal.jsonl", lines))
    yield ledger


def stripe_refunds() -> list[Any]:
    return list(stripe.Refund.list(api_key=KEY, limit=100).auto_paging_iter())


def test_sync_matches_every_card_reader_topup(festival: Database) -> None:
    result = sync_stripe(festival, KEY)
    assert result.payments == 8 and result.balance_transactions == 8
    with festival.session() as session:
        found = reconcile(session)
    assert found.matched == 8
    assert found.stripe_topups_cents == found.ledger_topups_cents == 2 * 3000 + 4 * 3000
    assert [m.kind for m in found.mismatches] == []


def test_payment_missing_from_the_ledger_is_listed_then_resolved_on_its_card(
    festival: Database,
) -> None:
    stray = pay(4200, CARDS[0])
    sync_stripe(festival, KEY)
    with festival.session() as session:
        found = reconcile(session)
        assert [m.key for m in found.mismatches] == [f"missing_in_ledger:{stray}"]
        resolve(session, f"missing_in_ledger:{stray}")
    with festival.session() as session:
        assert reconcile(session).mismatches == []
        assert balances_of(session, CARDS[0])["EUR"] == 3000 - 500 + 4200


def test_refund_run_spreads_a_balance_over_the_cards_payments(festival: Database) -> None:
    sync_stripe(festival, KEY)
    rules = RefundRules(fee_cents=50, minimum_cents=100)
    with festival.session() as session:
        planned = preview(session, rules)
        run = plan_run(session, planned)
    # Card 0: 2500 left from 2000 + 1000: 1000 (newest) then 1500, less a 50 fee.
    first = [i for i in planned.items if i.card == CARDS[0]]
    assert sorted((i.amount + i.fee) for i in first) == [1000, 1500]
    assert planned.cards == 6 and planned.refund_cents == 6 * 2500 - 6 * 50
    seen: list[tuple[int, int]] = []
    result = run_refunds(festival, run, KEY, lambda done, total: seen.append((done, total)) or True)
    assert result.done == len(planned.items) and result.remaining == 0
    assert seen[-1] == (len(planned.items), len(planned.items))
    assert sum(r.amount for r in stripe_refunds()) == planned.refund_cents
    with festival.session() as session:
        for card in CARDS:
            assert balances_of(session, card) == {}
        assert reconcile(session).mismatches == []
    again = run_refunds(festival, run, KEY)
    assert again.done == result.done and len(stripe_refunds()) == len(planned.items)


def planned_run(db: Database) -> tuple[int, int]:
    sync_stripe(db, KEY)
    with db.session() as session:
        planned = preview(session, RefundRules())
        return plan_run(session, planned), len(planned.items)


def one_refund_per_item(items: int) -> None:
    refunds = stripe_refunds()
    references = [r.metadata["regie_item"] for r in refunds]
    assert len(references) == len(set(references)) == items, "a refund sent twice, or lost"
    assert sum(r.amount for r in refunds) == 6 * 2500


def everything_refunded(db: Database) -> None:
    with db.session() as session:
        states = session.execute(select(RefundItem.state, func.count()).group_by(RefundItem.state))
        assert dict(states.all()) == {"done": 8}
        for card in CARDS:
            assert balances_of(session, card) == {}
        assert reconcile(session).mismatches == []


@pytest.mark.parametrize("crash_at", ["refunds:reserved", "refunds:sent"])
def test_refund_run_killed_at_a_crash_point_resumes_without_refunding_twice(
    festival: Database, localstripe: LocalStripe, crash_at: str
) -> None:
    run, items = planned_run(festival)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.rig.services import configure_stripe; configure_stripe(sys.argv[2]);"
        "from regie.db import Database; from regie.settlement.refunds import run_refunds;"
        "run_refunds(Database(sys.argv[3]), int(sys.argv[4]), sys.argv[5])"
    )
    env = {**os.environ, "REGIE_CRASH_AT": crash_at}
    killed = subprocess.run(
        [sys.executable, "-c", code, str(REPO_ROOT), localstripe.url, festival.url, str(run), KEY],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 70, killed.stderr
    sent = len(stripe_refunds())
    assert sent == (1 if crash_at == "refunds:sent" else 0)
    with festival.session() as session:
        assert session.scalar(select(RefundItem.state).order_by(RefundItem.id).limit(1)) == (
            "reserved"
        )
        # The reserved amount has left the card: it cannot be spent while in doubt.
        assert (
            session.scalar(
                select(func.count()).select_from(Transfer).where(Transfer.op == "refund_hold")
            )
            == 1
        )
    result = run_refunds(festival, run, KEY)
    assert result.done == items and result.remaining == 0
    one_refund_per_item(items)
    everything_refunded(festival)


PERSISTENT_LOCALSTRIPE = """
import pickle, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from localstripe import resources
from tests.rig import localstripe_launcher as launcher
state = Path(sys.argv[2])
def load(self):
    if state.exists():
        self.clear()
        self.update(pickle.loads(state.read_bytes()))
def dump(self):
    tmp = state.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(dict(self), protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(state)
def keep_state():
    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()
launcher._disable_disk_state = keep_state
launcher.main(sys.argv[3:])
"""


class DurableStripe:
    """localstripe that keeps its state across a kill, as Stripe does across an outage."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from tests.rig.services import wait_until

        port_file = self.workdir / "port"
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                PERSISTENT_LOCALSTRIPE,
                str(REPO_ROOT),
                str(self.workdir / "state.pickle"),
                "--port-file",
                str(port_file),
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(port_file.exists, 15, "localstripe (durable) to listen")
        self.port = int(port_file.read_text())

    def kill(self) -> None:
        from tests.rig.services import terminate_process

        assert self.proc is not None
        terminate_process(self.proc)
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def test_refund_run_survives_stripe_going_down_and_coming_back(
    ledger: Database, tmp_path: Path
) -> None:
    from tests.rig.services import stripe_pointed_at

    server = DurableStripe(tmp_path)
    server.start()
    try:
        with stripe_pointed_at(server.url):
            lines = [
                stripe_topup(n, card, 2500, pay(2500, card)) for n, card in enumerate(CARDS, 1)
            ]
            import_file(ledger, write_lines(tmp_path / "journal.jsonl", lines))
            sync_stripe(ledger, KEY)
            with ledger.session() as session:
                run = plan_run(session, preview(session, RefundRules()))

            def stop_after_three(done: int, total: int) -> bool:
                if done == 3:
                    server.kill()
                return True

            with pytest.raises(StripeUnreachable, match="Stripe injoignable"):
                run_refunds(ledger, run, KEY, stop_after_three)
            with ledger.session() as session:
                states = dict(
                    session.execute(
                        select(RefundItem.state, func.count()).group_by(RefundItem.state)
                    ).all()
                )
            assert states == {"done": 3, "reserved": 1, "planned": 2}
            server.start()
            result = run_refunds(ledger, run, KEY)
            assert result.done == 6 and result.remaining == 0
            refunds = stripe_refunds()
            assert sorted(r.metadata["regie_item"] for r in refunds) == [
                f"{run}-{n}" for n in range(1, 7)
            ]
            assert sum(r.amount for r in refunds) == 6 * 2500
    finally:
        if server.proc is not None:
            server.kill()

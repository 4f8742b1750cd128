"""The office desk: top-ups, corrections, split payments, refunds, lost cards, melting,
federation clearing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from regie.db import Database
from regie.errors import UserError
from regie.ledger.clearing import statement
from regie.ledger.desk import (
    RefundRules,
    balances_of,
    cash_refund,
    cash_topup,
    correction,
    move_balance,
    pay,
    refund_quote,
)
from regie.ledger.melting import preview, sweep
from regie.ledger.models import PointOfSale
from regie.ledger.posting import IdempotencyConflict, InsufficientFunds
from regie.ledger.reports import totals_by_asset
from regie.ledger.verify import verify
from regie.models import Organisation

ALICE, BOB = "04A1B2C3D4E5F6", "04B0B0B0B0B0B0"


def test_a_desk_top_up_replays_its_key_and_refuses_other_content(ledger: Database) -> None:
    with ledger.session() as session:
        first = cash_topup(session, ALICE, 2000, key="guichet-1")
    with ledger.session() as session:
        again = cash_topup(session, ALICE, 2000, key="guichet-1")
        assert again.replayed and again.ids == first.ids
        assert balances_of(session, ALICE) == {"EUR": 2000}
    with pytest.raises(IdempotencyConflict), ledger.session() as session:
        cash_topup(session, ALICE, 3000, key="guichet-1")


def test_payment_order_is_gift_then_local_then_federated_across_cards(ledger: Database) -> None:
    with ledger.session() as session:
        cash_topup(session, ALICE, 300, asset="GIFT")
        cash_topup(session, ALICE, 400, asset="FED")
        cash_topup(session, ALICE, 500)
        cash_topup(session, BOB, 1000)
    with ledger.session() as session:
        posted = pay(session, [ALICE, BOB], 1500, pos="Bar Nord")
    assert len(posted.ids) == 4  # GIFT, EUR, FED from Alice, then EUR from Bob
    with ledger.session() as session:
        assert balances_of(session, ALICE) == {}
        assert balances_of(session, BOB) == {"EUR": 700}
    with pytest.raises(InsufficientFunds), ledger.session() as session:
        pay(session, [BOB], 701, pos="Bar Nord")
    with ledger.session() as session:
        assert balances_of(session, BOB) == {"EUR": 700}


def test_a_correction_needs_a_reason_and_cannot_make_a_card_negative(ledger: Database) -> None:
    with ledger.session() as session:
        cash_topup(session, ALICE, 1000)
        correction(session, ALICE, -250, "double recharge")
        assert balances_of(session, ALICE) == {"EUR": 750}
    with pytest.raises(UserError, match="motif"), ledger.session() as session:
        correction(session, ALICE, 100, " ")
    with pytest.raises(InsufficientFunds), ledger.session() as session:
        correction(session, ALICE, -751, "erreur")


def test_cash_refund_keeps_gifts_takes_the_fee_and_respects_minimum_and_window(
    ledger: Database,
) -> None:
    with ledger.session() as session:
        cash_topup(session, ALICE, 500, asset="GIFT")
        cash_topup(session, ALICE, 1250)
        cash_topup(session, BOB, 150)
    rules = RefundRules(fee_cents=50, minimum_cents=200)
    with ledger.session() as session:
        result = cash_refund(session, ALICE, rules)
    assert (result.paid, result.fee, result.kept) == ({"EUR": 1250}, 50, {"GIFT": 500})
    with ledger.session() as session:
        assert balances_of(session, ALICE) == {"GIFT": 500}
    with pytest.raises(UserError, match="sous le minimum"), ledger.session() as session:
        cash_refund(session, BOB, rules)
    closed = RefundRules(closes=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(UserError, match="hors de la période"), ledger.session() as session:
        cash_refund(session, BOB, closed)


def test_a_refund_retried_with_its_key_replays_instead_of_failing(ledger: Database) -> None:
    """The desk's network dropped after the refund was written: the retry with the same key
    says what was handed back, writes nothing, and the key cannot refund another card."""
    with ledger.session() as session:
        cash_topup(session, ALICE, 500, asset="GIFT")
        cash_topup(session, ALICE, 1250)
        cash_topup(session, BOB, 900)
    rules = RefundRules(fee_cents=50)
    with ledger.session() as session:
        first = cash_refund(session, ALICE, rules, key="guichet-42")
    with ledger.session() as session:
        again = cash_refund(session, ALICE, rules, key="guichet-42")
    assert again.posted.replayed and again.posted.ids == first.posted.ids
    assert (again.paid, again.fee, again.kept) == ({"EUR": 1250}, 50, {"GIFT": 500})
    with pytest.raises(IdempotencyConflict, match="guichet-42"), ledger.session() as session:
        cash_refund(session, BOB, rules, key="guichet-42")
    with ledger.session() as session:
        assert balances_of(session, BOB) == {"EUR": 900}
        assert verify(session).ok


def test_a_refund_confirmed_on_an_old_quote_is_refused_and_writes_nothing(
    ledger: Database,
) -> None:
    """The window quoted 12,50 €; a pull then posted a sale on the card: handing back the
    quoted cash would be wrong, so the refund asks for a new quote instead."""
    with ledger.session() as session:
        cash_topup(session, ALICE, 1250)
    rules = RefundRules()
    with ledger.session() as session:
        quoted = refund_quote(session, ALICE, rules)
        pay(session, [ALICE], 500, pos="Bar Nord")
    assert quoted.cash == 1250
    with pytest.raises(UserError, match="a changé"), ledger.session() as session:
        cash_refund(session, ALICE, rules, expected_cash=quoted.cash)
    with ledger.session() as session:
        assert balances_of(session, ALICE) == {"EUR": 750}
        assert cash_refund(session, ALICE, rules, expected_cash=750).paid == {"EUR": 750}


def test_a_lost_cards_balance_moves_to_its_replacement(ledger: Database) -> None:
    with ledger.session() as session:
        cash_topup(session, ALICE, 700)
        cash_topup(session, ALICE, 200, asset="GIFT")
        move_balance(session, ALICE, BOB, reason="carte perdue", key="perte-1")
        assert balances_of(session, ALICE) == {}
        assert balances_of(session, BOB) == {"GIFT": 200, "EUR": 700}
        assert move_balance(session, ALICE, "04C0C0C0C0C0C0", reason="x") is None


def test_melting_previews_then_sweeps_dormant_wallets_once(ledger: Database) -> None:
    from regie import clock

    with clock.frozen(dt.datetime(2025, 1, 10, tzinfo=dt.UTC)), ledger.session() as session:
        cash_topup(session, ALICE, 900)
    with clock.frozen(dt.datetime(2026, 2, 1, tzinfo=dt.UTC)), ledger.session() as session:
        cash_topup(session, BOB, 400)
    later = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    with ledger.session() as session:
        dormant = preview(session, 14, later)
        assert [(d.wallet, d.balances) for d in dormant] == [(f"wallet:{ALICE}", {"EUR": 900})]
        assert balances_of(session, ALICE) == {"EUR": 900}  # a preview changes nothing
    with ledger.session() as session:
        assert sweep(session, 14, later) == {"EUR": 900}
    with ledger.session() as session:
        assert sweep(session, 14, later) == {}
        assert balances_of(session, ALICE) == {}
        assert verify(session).ok


def test_federation_clearing_says_who_owes_whom(ledger: Database) -> None:
    with ledger.session() as session:
        for name in ("Festival A", "Festival B"):
            session.add(Organisation(short_name=name, name=name))
        session.flush()
        cash_topup(session, ALICE, 5000, asset="FED", pos="Accueil A")
        pay(session, [ALICE], 1800, pos="Bar B")
        pay(session, [ALICE], 700, pos="Accueil A")
        ids = dict(session.execute(select(Organisation.short_name, Organisation.id)).all())
        for pos, org in (("Accueil A", "Festival A"), ("Bar B", "Festival B")):
            place = session.scalars(select(PointOfSale).where(PointOfSale.name == pos)).one()
            place.organisation_id = ids[org]
    with ledger.session() as session:
        result = statement(session)
        assert set(totals_by_asset(session).values()) == {0}
    positions = {p.organisation: (p.collected, p.spent_here, p.owes) for p in result.positions}
    assert positions == {"Festival A": (5000, 700, 4300), "Festival B": (0, 1800, -1800)}
    assert [(p.debtor, p.creditor, p.amount) for p in result.payments] == [
        ("Festival A", "Festival B", 1800)
    ]

"""Which leftover balances go back to which Stripe payments: the preview of a refund run.

A card's refundable balance is spread over its Stripe top-ups, newest first, each up to what
is left of it (its amount less what was already refunded or planned). The fee is taken once
per card; a card whose refund, fee deducted, is under the minimum is left for the desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.ledger.desk import RefundRules
from regie.ledger.models import Account, Balance, LedgerAsset, Transfer
from regie.settings.convention import settings_at
from regie.settlement.events import find_event
from regie.settlement.models import RefundItem, StripePayment, StripeRefund
from regie.settlement.reconcile import ledger_topups


def rules_for(session: Session, event: str | None = None) -> RefundRules:
    """The convention's refund settings; the window opens when the event ends."""
    if not event:
        values = settings_at(session, clock.today())
        return RefundRules(values.cents("refund_fee_cents"), values.cents("refund_minimum_cents"))
    found = find_event(session, event)
    values = settings_at(session, found.ends_on)
    opens = found.end_moment()
    closes = opens + dt.timedelta(days=values.cents("refund_window_days"))
    return RefundRules(
        fee_cents=values.cents("refund_fee_cents"),
        minimum_cents=values.cents("refund_minimum_cents"),
        opens=opens,
        closes=closes,
    )


@dataclass(frozen=True)
class PlannedRefund:
    card: str
    asset: str
    payment_intent: str
    amount: int  # sent back to the cardholder's card
    fee: int


@dataclass(kw_only=True)
class RefundPreview:
    rules: RefundRules
    items: list[PlannedRefund] = field(default_factory=list)
    cards: int = 0
    refund_cents: int = 0
    fee_cents: int = 0
    below_minimum: int = 0  # cards left for the desk
    below_minimum_cents: int = 0
    not_by_card_cents: int = 0  # balance not covered by a Stripe payment (cash top-ups)
    open_now: bool = True


def already_refunded(session: Session) -> dict[str, int]:
    """Per PaymentIntent: refunded at Stripe or planned in a refund run (not failed)."""
    used: dict[str, int] = {}
    for intent, amount in session.execute(
        select(StripeRefund.payment_intent, func.sum(StripeRefund.amount))
        .where(StripeRefund.status.in_(("succeeded", "pending")))
        .where(StripeRefund.refund_item == "")
        .group_by(StripeRefund.payment_intent)
    ):
        used[intent] = used.get(intent, 0) + int(amount)
    for intent, amount in session.execute(
        select(RefundItem.payment_intent, func.sum(RefundItem.amount + RefundItem.fee))
        .where(RefundItem.state != "failed")
        .group_by(RefundItem.payment_intent)
    ):
        used[intent] = used.get(intent, 0) + int(amount)
    return used


def event_preview(session: Session, event: str | None = None) -> RefundPreview:
    """The preview of the refunds of one event (its rules, the Stripe payments of its
    window, the cards that took part in it), or of every card without an event."""
    rules = rules_for(session, event)
    if not event:
        return preview(session, rules)
    found = find_event(session, event)
    return preview(session, rules, found.window(), event_id=found.id)


def preview(
    session: Session,
    rules: RefundRules,
    window: tuple[int, int] | None = None,
    *,
    event_id: int | None = None,
) -> RefundPreview:
    """What a refund run would send now; changes nothing. ``event_id``: only the cards that
    took part in that event (a wallet one of its transfers moved)."""
    result = RefundPreview(rules=rules, open_now=rules.open_at(clock.now()))
    used = already_refunded(session)
    # What Stripe says is left on a payment caps what may go back to it.
    at_stripe = {
        intent: received or amount
        for intent, received, amount in session.execute(
            select(StripePayment.id, StripePayment.amount_received, StripePayment.amount)
        )
    }
    by_wallet: dict[tuple[str, str], list[tuple[int, str, int]]] = {}
    for intent, topup in ledger_topups(session, window).items():
        left = min(topup.amount, at_stripe.get(intent, topup.amount)) - used.get(intent, 0)
        if left > 0:
            by_wallet.setdefault((topup.wallet, topup.asset), []).append((topup.at, intent, left))
    balances = session.execute(
        select(Account.name, LedgerAsset.code, Balance.amount)
        .join(Account, Balance.account_id == Account.id)
        .join(LedgerAsset, Balance.asset_id == LedgerAsset.id)
        .where(Account.kind == "wallet", Balance.amount > 0, LedgerAsset.refundable.is_(True))
        .where(*_took_part(event_id))
        .order_by(Account.name, LedgerAsset.code)
    )
    for wallet, asset, balance in balances:
        payments = sorted(by_wallet.get((wallet, asset), []), reverse=True)
        covered = min(balance, sum(left for _at, _intent, left in payments))
        result.not_by_card_cents += balance - covered
        if covered <= 0:
            continue
        if covered - rules.fee_cents < max(rules.minimum_cents, 1):
            result.below_minimum += 1
            result.below_minimum_cents += covered
            continue
        card = wallet.removeprefix("wallet:")
        remaining, fee_left = covered, rules.fee_cents
        for _at, intent, left in payments:
            take = min(left, remaining)
            if take <= 0:
                break
            fee = min(fee_left, take)
            fee_left -= fee
            remaining -= take
            if take - fee > 0 or fee > 0:
                result.items.append(
                    PlannedRefund(
                        card=card, asset=asset, payment_intent=intent, amount=take - fee, fee=fee
                    )
                )
        result.cards += 1
        result.refund_cents += covered - rules.fee_cents
        result.fee_cents += rules.fee_cents
    return result


def _took_part(event_id: int | None) -> list[ColumnElement[bool]]:
    """The condition « the wallet took part in the event » (none without an event)."""
    if event_id is None:
        return []
    moved = (
        select(Transfer.debit_id)
        .where(Transfer.event_id == event_id)
        .union(select(Transfer.credit_id).where(Transfer.event_id == event_id))
    )
    return [Account.id.in_(moved)]

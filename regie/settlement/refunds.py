"""Refund runs: leftover balances back to the cardholders' Stripe payments, resumable.

Each item goes through three steps, each committed before the next:

1. **reserve**: the amount leaves the card for ``stripe:refunding`` (the card cannot spend it
   meanwhile), the item becomes ``reserved``;
2. **send**: Stripe is asked for the refund, with an idempotency key derived from the secret
   key and the item (so never stored) and the item's reference in the metadata;
3. **record**: ``stripe:refunding`` → ``stripe:clearing`` with the refund id; ``done``.

A crash or a network failure leaves the item ``reserved``. On resume Stripe's refunds of that
payment are read first: one carrying the item's reference is adopted, so no refund is ever
sent twice; otherwise it is sent. A refund Stripe refuses gives the money back to the card.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.db import Database
from regie.errors import NotFound, UserError
from regie.faults import crash_point
from regie.i18n import _, format_moment
from regie.ledger.desk import RefundRules
from regie.ledger.entries import Entry, Leg, wallet_name
from regie.ledger.posting import InsufficientFunds, Writer
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settlement import stripe_store
from regie.settlement.models import RefundItem, RefundRun, StripeRefund
from regie.settlement.refund_plan import RefundPreview
from regie.settlement.stripe_sync import StripeUnreachable, pages, with_retries

HOLD = "stripe:refunding"
FEES = "fees:refund"

#: ``progress(done, total)`` after each item; return False to pause the run.
RefundProgress = Callable[[int, int], bool]


def _entry(op: str, legs: tuple[Leg, ...], key: str, details: str = "") -> Entry:
    return Entry(
        source="Stripe",
        source_kind="stripe",
        op=op,
        method="stripe",
        at=int(clock.now().timestamp()),
        tz_minutes=0,
        legs=legs,
        idem_key=key,
        details=details,
    )


def _post(session: Session, entry: Entry) -> None:
    writer = Writer(session)
    writer.post(entry)
    writer.flush()


def plan_run(session: Session, planned: RefundPreview, event: str = "") -> int:
    """Record a previewed run (its items ``planned``); returns its number."""
    require(session, Permission.REFUND)
    if not planned.items:
        raise UserError(_("aucun solde à rembourser par carte bancaire"))
    rules = planned.rules
    run = RefundRun(
        created_at=clock.now(),
        event=event,
        status="planned",
        rules=orjson.dumps(
            {
                "fee_cents": rules.fee_cents,
                "minimum_cents": rules.minimum_cents,
                "opens": rules.opens.isoformat() if rules.opens else None,
                "closes": rules.closes.isoformat() if rules.closes else None,
            }
        ).decode(),
    )
    session.add(run)
    session.flush()
    for item in planned.items:
        session.add(
            RefundItem(
                run_id=run.id,
                card_uid=item.card,
                asset=item.asset,
                payment_intent=item.payment_intent,
                amount=item.amount,
                fee=item.fee,
                state="planned",
            )
        )
    session.flush()
    return run.id


def run_rules(run: RefundRun) -> RefundRules:
    data = orjson.loads(run.rules)
    opens, closes = data.get("opens"), data.get("closes")
    return RefundRules(
        fee_cents=data["fee_cents"],
        minimum_cents=data["minimum_cents"],
        opens=dt.datetime.fromisoformat(opens) if opens else None,
        closes=dt.datetime.fromisoformat(closes) if closes else None,
    )


def reference(item: RefundItem) -> str:
    return f"{item.run_id}-{item.id}"


def idempotency_key(api_key: str, item: RefundItem) -> str:
    """Same item, same key, every time; unguessable and never written anywhere."""
    message = f"refund:{reference(item)}:{item.payment_intent}:{item.amount}".encode()
    return "regie-" + hmac.new(api_key.encode(), message, hashlib.sha256).hexdigest()[:40]


@dataclass
class RunResult:
    run_id: int
    done: int = 0
    failed: int = 0
    remaining: int = 0
    refunded_cents: int = 0
    fees_cents: int = 0
    paused: bool = False


def _reserve(db: Database, item_id: int) -> RefundItem:
    with db.session() as session:
        item = session.get_one(RefundItem, item_id, with_for_update=True)
        if item.state == "planned":
            wallet = wallet_name(item.card_uid)
            legs = [Leg(wallet, HOLD, item.asset, item.amount)] if item.amount else []
            if item.fee:
                legs.append(Leg(wallet, FEES, item.asset, item.fee))
            key = f"refund:{reference(item)}:hold"
            try:
                _post(session, _entry("refund_hold", tuple(legs), key))
            except InsufficientFunds as error:  # spent since the preview
                item.state, item.error = "failed", str(error)
            else:
                item.state = "reserved"
        session.flush()
        session.expunge(item)
        return item


def _already_sent(api_key: str, item: RefundItem) -> dict[str, Any] | None:
    import stripe  # not at import: 0.2 s, only a sync or a refund needs it

    for refund in pages(
        stripe.Refund,
        api_key,
        _("les remboursements déjà faits"),
        payment_intent=item.payment_intent,
    ):
        if (refund.get("metadata") or {}).get("regie_item") == reference(item):
            return refund
    return None


def _send(api_key: str, item: RefundItem) -> dict[str, Any]:
    import stripe

    def create() -> Any:
        return stripe.Refund.create(
            api_key=api_key,
            payment_intent=item.payment_intent,
            amount=item.amount,
            metadata={"regie_item": reference(item), "card_uid": item.card_uid},
            idempotency_key=idempotency_key(api_key, item),
        )

    what = _("le remboursement {reference}").format(reference=reference(item))
    refund: dict[str, Any] = with_retries(create, what).to_dict()
    return refund


def _record(db: Database, item_id: int, refund: dict[str, Any]) -> None:
    with db.session() as session:
        item = session.get_one(RefundItem, item_id, with_for_update=True)
        if item.state != "reserved":
            return
        row = stripe_store.refund_row(refund, {})
        row["payment_intent"] = row["payment_intent"] or item.payment_intent
        stripe_store.upsert(session, StripeRefund, [row])
        if item.amount:
            leg = Leg(HOLD, "stripe:clearing", item.asset, item.amount)
            _post(session, _entry("refund", (leg,), f"stripe:refund:{refund['id']}", refund["id"]))
        item.state, item.stripe_refund_id = "done", refund["id"]


def _give_back(db: Database, item_id: int, why: str) -> None:
    """Stripe refused the refund for good: the card gets its money back."""
    with db.session() as session:
        item = session.get_one(RefundItem, item_id, with_for_update=True)
        wallet = wallet_name(item.card_uid)
        legs = [Leg(HOLD, wallet, item.asset, item.amount)] if item.amount else []
        if item.fee:
            legs.append(Leg(FEES, wallet, item.asset, item.fee))
        _post(session, _entry("refund_undo", tuple(legs), f"refund:{reference(item)}:undo"))
        item.state, item.error = "failed", why


def run_refunds(
    db: Database, run_id: int, api_key: str, progress: RefundProgress | None = None
) -> RunResult:
    """Send (or resume) a run. Raises StripeUnreachable when Stripe cannot be reached: the
    run is then paused with nothing lost; run it again later."""
    with db.session() as session:
        require(session, Permission.REFUND)
        run = session.get(RefundRun, run_id)
        if run is None:
            raise NotFound(_("série de remboursements n°{run_id} inconnue").format(run_id=run_id))
        rules = run_rules(run)
        if not rules.open_at(clock.now()):
            raise UserError(_window_text(rules))
        run.status = "running"
        todo = [
            (int(item_id), str(state))
            for item_id, state in session.execute(
                select(RefundItem.id, RefundItem.state)
                .where(RefundItem.run_id == run_id)
                .where(RefundItem.state.in_(("planned", "reserved")))
                .order_by(RefundItem.id)
            )
        ]
    result = RunResult(run_id)
    try:
        for index, (item_id, state) in enumerate(todo, 1):
            item = _reserve(db, item_id)
            if item.state == "failed":
                continue
            crash_point("refunds:reserved")
            refund = _already_sent(api_key, item) if state == "reserved" else None
            if refund is None:
                try:
                    refund = _send(api_key, item)
                except StripeUnreachable:
                    raise
                except UserError as error:
                    _give_back(db, item_id, str(error))
                    refund = None
            crash_point("refunds:sent")
            if refund is not None:
                _record(db, item_id, refund)
            if progress and not progress(index, len(todo)) and index < len(todo):
                result.paused = True
                break
    finally:
        _finish(db, run_id, result)
    return result


def _finish(db: Database, run_id: int, result: RunResult) -> None:
    with db.session() as session:
        for state, amount, fee in session.execute(
            select(RefundItem.state, RefundItem.amount, RefundItem.fee).where(
                RefundItem.run_id == run_id
            )
        ):
            if state == "done":
                result.done += 1
                result.refunded_cents += amount
                result.fees_cents += fee
            elif state == "failed":
                result.failed += 1
            else:
                result.remaining += 1
        run = session.get_one(RefundRun, run_id)
        run.status = "done" if result.remaining == 0 else "stopped"


def _window_text(rules: RefundRules) -> str:
    def day(moment: dt.datetime | None) -> str:
        return format_moment(moment) if moment else "…"

    return _("hors de la période de remboursement (du {opens} au {closes})").format(
        opens=day(rules.opens), closes=day(rules.closes)
    )


@dataclass(frozen=True, kw_only=True)
class RefundLine:
    item: int
    card: str
    payment_intent: str
    amount: int
    fee: int
    state: str
    refund_id: str
    error: str


def run_lines(session: Session, run_id: int) -> list[RefundLine]:
    """The items of a run, for a table on screen."""
    return [
        RefundLine(
            item=i.id,
            card=i.card_uid,
            payment_intent=i.payment_intent,
            amount=i.amount,
            fee=i.fee,
            state=i.state,
            refund_id=i.stripe_refund_id,
            error=i.error,
        )
        for i in session.scalars(
            select(RefundItem).where(RefundItem.run_id == run_id).order_by(RefundItem.id)
        )
    ]


def open_run(session: Session) -> int | None:
    """The newest run that still has items to send, if any (to resume)."""
    return session.scalar(
        select(RefundRun.id)
        .where(RefundRun.status.in_(("planned", "running", "stopped")))
        .order_by(RefundRun.id.desc())
        .limit(1)
    )


__all__ = ["StripeUnreachable", "plan_run", "run_lines", "run_refunds"]

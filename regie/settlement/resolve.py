"""Settle a reconciliation mismatch with a ledger entry (keyed: resolving twice is a replay).

Accounts (balances are credits − debits; money held elsewhere is negative):
``stripe:clearing`` what Stripe holds for us, ``stripe:fees`` its fees, ``bank`` the payouts
received, ``stripe:gap`` gaps between Stripe and the terminals' journals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from regie.errors import NotFound, UserError
from regie.i18n import _
from regie.ledger.entries import Entry, Leg, wallet_name
from regie.ledger.posting import InsufficientFunds, Posted, Writer
from regie.settlement.reconcile import Mismatch, Reconciliation, reconcile

SOURCE = "Stripe"
CLEARING = "stripe:clearing"
DIFFERENCE = "stripe:gap"


def stripe_entry(op: str, method: str, leg: Leg, details: str, key: str, at: int) -> Entry:
    return Entry(
        source=SOURCE,
        source_kind="stripe",
        op=op,
        method=method,
        at=at or int(time.time()),
        tz_minutes=0,
        legs=(leg,),
        idem_key=key,
        details=details,
    )


def _flow(debit: str, credit: str, amount: int) -> Leg:
    """A leg for a signed amount (a negative fee or payout goes the other way)."""
    return Leg(debit, credit, "EUR", amount) if amount > 0 else Leg(credit, debit, "EUR", -amount)


def entry_for(mismatch: Mismatch, card: str = "") -> Entry:
    kind, ref, at = mismatch.kind, mismatch.reference, mismatch.at
    key = f"stripe:{kind}:{ref}"
    if kind == "missing_in_ledger":
        uid = (card or mismatch.card).upper()
        if not uid:
            raise UserError(
                _(
                    "{ref} : Stripe ne dit pas quelle carte a été rechargée ; donnez la carte"
                ).format(ref=ref)
            )
        leg = Leg(CLEARING, wallet_name(uid), "EUR", mismatch.stripe_cents)
        return stripe_entry("topup", "stripe_terminal", leg, ref, key, at)
    if kind in ("amount_differs", "missing_in_stripe"):
        leg = _flow(CLEARING, DIFFERENCE, mismatch.stripe_cents - mismatch.ledger_cents)
        return stripe_entry("adjust", "stripe", leg, ref, key, at)
    if kind == "fee_unbooked":
        return stripe_entry(
            "fee", "stripe", _flow("stripe:fees", CLEARING, mismatch.stripe_cents), ref, key, at
        )
    if kind == "payout_unbooked":
        return stripe_entry(
            "payout", "stripe", _flow("bank", CLEARING, mismatch.stripe_cents), ref, key, at
        )
    if kind == "refund_unbooked":
        leg = Leg(wallet_name(mismatch.card), CLEARING, "EUR", mismatch.stripe_cents)
        return stripe_entry("refund", "stripe", leg, ref, key, at)
    if kind == "refund_not_in_stripe":
        # The card was emptied for a refund Stripe never made: the gap is booked; a desk
        # correction gives the money back to the cardholder if it is due.
        leg = Leg(CLEARING, DIFFERENCE, "EUR", mismatch.ledger_cents)
        return stripe_entry("adjust", "stripe", leg, ref, key, at)
    raise UserError(
        _("{label} ({ref}) : à régler chez Stripe, puis resynchroniser").format(
            label=mismatch.label, ref=ref
        )
    )


def resolve(
    session: Session, key: str, *, card: str = "", window: tuple[int, int] | None = None
) -> Posted:
    """Post the entry that settles the mismatch ``key`` (as listed by :func:`reconcile`)."""
    found = next((m for m in reconcile(session, window).mismatches if m.key == key), None)
    if found is None:
        raise NotFound(_("écart inconnu ou déjà réglé : {key}").format(key=key))
    writer = Writer(session)
    try:
        posted = writer.post(entry_for(found, card))
    except InsufficientFunds as error:
        raise UserError(f"{key} : {error}") from error
    writer.flush()
    return posted


@dataclass
class Resolved:
    posted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, why)


AUTOMATIC = ("fee_unbooked", "payout_unbooked", "missing_in_ledger", "refund_unbooked")


def resolve_all(
    session: Session,
    kinds: tuple[str, ...] = AUTOMATIC,
    *,
    window: tuple[int, int] | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> Resolved:
    """Settle every mismatch of these kinds; those that cannot be are listed, not posted."""
    result = Resolved()
    found: Reconciliation = reconcile(session, window)
    todo = [m for m in found.mismatches if m.kind in kinds]
    writer = Writer(session)
    for index, mismatch in enumerate(todo, 1):
        try:
            writer.post(entry_for(mismatch))
            result.posted += 1
        except UserError as error:  # InsufficientFunds is one
            result.failed.append((mismatch.key, str(error)))
        if progress and index % 500 == 0 and not progress(index, len(todo)):
            break
    writer.flush()
    return result

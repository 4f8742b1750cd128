"""Reconciliation: Stripe's payments, fees, refunds and payouts against the ledger.

Top-ups paid on a card reader are ledger transfers ``op=topup, method=stripe_terminal`` whose
``details`` is the PaymentIntent id. Each mismatch has a key and, where a ledger entry can
settle it, a resolution (:func:`resolve`). Money held by Stripe sits in ``stripe:clearing``
(negative: owed to us); fees, refunds and payouts bring it back to zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from regie.i18n import N_, _
from regie.ledger.models import Account, LedgerAsset, Transfer
from regie.money import cents_to_decimal_text
from regie.settlement.models import (
    StripeBalanceTransaction,
    StripePayment,
    StripePayout,
    StripeRefund,
)

KINDS = {
    "missing_in_ledger": N_("payé chez Stripe, absent du grand livre"),
    "missing_in_stripe": N_("recharge du grand livre inconnue de Stripe"),
    "amount_differs": N_("montants différents"),
    "fee_unbooked": N_("frais Stripe non comptabilisés"),
    "refund_unbooked": N_("remboursement Stripe absent du grand livre"),
    "refund_not_in_stripe": N_("remboursement du grand livre inconnu de Stripe"),
    "payout_unbooked": N_("virement Stripe non comptabilisé en banque"),
    "payout_differs": N_("virement différent de la somme de ses mouvements"),
}
BOOKED_OPS = ("fee", "payout", "refund", "adjust")


def _eur(cents: int) -> str:
    # Plain formatting: babel would cost more than the whole match on 50,000 lines.
    return cents_to_decimal_text(cents).replace(".", ",") + " €"


@dataclass(frozen=True, kw_only=True)
class Mismatch:
    key: str  # "<kind>:<stripe or ledger id>"
    kind: str
    reference: str  # pi_…, txn_…, re_…, po_…
    stripe_cents: int
    ledger_cents: int
    card: str
    resolution: str  # what resolve() would post, in words; "" when it cannot
    at: int

    @property
    def label(self) -> str:
        return _(KINDS[self.kind])


@dataclass(kw_only=True)
class Reconciliation:
    matched: int = 0
    matched_cents: int = 0
    stripe_topups_cents: int = 0
    ledger_topups_cents: int = 0
    fees_cents: int = 0
    fees_booked_cents: int = 0
    refunds_cents: int = 0
    payouts_cents: int = 0
    payouts_booked_cents: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    synced: bool = True  # False: nothing from Stripe yet (sync or import a report first)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for mismatch in self.mismatches:
            counts[mismatch.kind] = counts.get(mismatch.kind, 0) + 1
        return counts


@dataclass(frozen=True)
class LedgerTopup:
    intent: str
    amount: int
    wallet: str
    asset: str
    at: int


def ledger_topups(session: Session, window: tuple[int, int] | None) -> dict[str, LedgerTopup]:
    """Stripe top-ups of the ledger by PaymentIntent, voided ones left out."""
    credit = aliased(Account)
    query = (
        select(
            Transfer.source_id,
            Transfer.seq,
            Transfer.details,
            Transfer.amount,
            credit.name,
            LedgerAsset.code,
            Transfer.at,
        )
        .join(credit, Transfer.credit_id == credit.id)
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .where(Transfer.op == "topup", Transfer.method == "stripe_terminal", Transfer.leg == 0)
    )
    if window:
        query = query.where(Transfer.at.between(*window))
    voided = set(
        session.execute(
            select(Transfer.source_id, Transfer.ref_id).where(
                Transfer.op == "void", Transfer.method == "stripe_terminal"
            )
        ).all()
    )
    found: dict[str, LedgerTopup] = {}
    for source_id, seq, intent, amount, wallet, asset, at in session.execute(query):
        if (source_id, seq) in voided:
            continue
        previous = found.get(intent)
        total = amount + (previous.amount if previous else 0)
        found[intent] = LedgerTopup(intent=intent, amount=total, wallet=wallet, asset=asset, at=at)
    return found


def booked(session: Session) -> dict[str, dict[str, int]]:
    """Stripe ids already booked in the ledger, per op: {"fee": {txn_…: cents}, …}."""
    result: dict[str, dict[str, int]] = {op: {} for op in BOOKED_OPS}
    for op, details, amount in session.execute(
        select(Transfer.op, Transfer.details, Transfer.amount).where(
            Transfer.op.in_(BOOKED_OPS), Transfer.method == "stripe"
        )
    ):
        ids = result[op]
        ids[details] = ids.get(details, 0) + amount
    return result


def reconcile(session: Session, window: tuple[int, int] | None = None) -> Reconciliation:
    """Compare; changes nothing. ``window`` limits top-ups, fees and payouts to an event."""
    result = Reconciliation()
    ledger = ledger_topups(session, window)
    done = booked(session)

    def inside(at: int) -> bool:
        return window is None or window[0] <= at <= window[1]

    payments = {
        row.id: row
        for row in session.scalars(select(StripePayment).where(StripePayment.status == "succeeded"))
        if inside(row.created)
    }
    for intent, payment in payments.items():
        received = payment.amount_received or payment.amount
        result.stripe_topups_cents += received
        mine = ledger.get(intent)
        if intent in done["adjust"]:
            result.matched += 1  # settled by an adjustment entry
            result.matched_cents += received
        elif mine is None:
            how = (
                _("recharge de {amount} sur la carte {card}").format(
                    amount=_eur(received), card=payment.card_uid
                )
                if payment.card_uid
                else ""
            )
            result.mismatches.append(
                Mismatch(
                    key=f"missing_in_ledger:{intent}",
                    kind="missing_in_ledger",
                    reference=intent,
                    stripe_cents=received,
                    ledger_cents=0,
                    card=payment.card_uid,
                    resolution=how,
                    at=payment.created,
                )
            )
        elif mine.amount != received:
            result.mismatches.append(
                Mismatch(
                    key=f"amount_differs:{intent}",
                    kind="amount_differs",
                    reference=intent,
                    stripe_cents=received,
                    ledger_cents=mine.amount,
                    card=mine.wallet.removeprefix("wallet:"),
                    resolution=_("écart de {amount} passé en écarts Stripe").format(
                        amount=_eur(received - mine.amount)
                    ),
                    at=mine.at,
                )
            )
        else:
            result.matched += 1
            result.matched_cents += received
    result.synced = session.scalar(select(StripePayment.id).limit(1)) is not None
    for intent, mine in ledger.items():
        result.ledger_topups_cents += mine.amount
        if result.synced and intent not in payments and intent not in done["adjust"]:
            result.mismatches.append(
                Mismatch(
                    key=f"missing_in_stripe:{intent}",
                    kind="missing_in_stripe",
                    reference=intent,
                    stripe_cents=0,
                    ledger_cents=mine.amount,
                    card=mine.wallet.removeprefix("wallet:"),
                    resolution=_("{amount} passés en perte (écarts Stripe)").format(
                        amount=_eur(mine.amount)
                    ),
                    at=mine.at,
                )
            )
    _fees_and_payouts(session, result, done, inside)
    _refunds(session, result, done, ledger)
    result.mismatches.sort(key=lambda m: (m.at, m.key))
    return result


def _fees_and_payouts(
    session: Session,
    result: Reconciliation,
    done: dict[str, dict[str, int]],
    inside: Callable[[int], bool],
) -> None:
    nets: dict[str, int] = {}
    for txn_id, fee, net, created, payout_id, category in session.execute(
        select(
            StripeBalanceTransaction.id,
            StripeBalanceTransaction.fee,
            StripeBalanceTransaction.net,
            StripeBalanceTransaction.created,
            StripeBalanceTransaction.payout,
            StripeBalanceTransaction.reporting_category,
        )
    ):
        if payout_id and category != "payout":
            nets[payout_id] = nets.get(payout_id, 0) + net
        if not fee or not inside(created):
            continue
        result.fees_cents += fee
        if txn_id in done["fee"]:
            result.fees_booked_cents += done["fee"][txn_id]
        else:
            result.mismatches.append(
                Mismatch(
                    key=f"fee_unbooked:{txn_id}",
                    kind="fee_unbooked",
                    reference=txn_id,
                    stripe_cents=fee,
                    ledger_cents=0,
                    card="",
                    resolution=_("frais de {amount} vers stripe:fees").format(amount=_eur(fee)),
                    at=created,
                )
            )
    for payout in session.scalars(select(StripePayout)):
        if not inside(payout.arrival_date) or payout.status not in ("paid", "in_transit"):
            continue
        result.payouts_cents += payout.amount
        if payout.id in done["payout"]:
            result.payouts_booked_cents += done["payout"][payout.id]
        else:
            result.mismatches.append(
                Mismatch(
                    key=f"payout_unbooked:{payout.id}",
                    kind="payout_unbooked",
                    reference=payout.id,
                    stripe_cents=payout.amount,
                    ledger_cents=0,
                    card="",
                    resolution=_("virement de {amount} vers bank").format(
                        amount=_eur(payout.amount)
                    ),
                    at=payout.arrival_date,
                )
            )
        if payout.id in nets and nets[payout.id] != payout.amount:
            result.mismatches.append(
                Mismatch(
                    key=f"payout_differs:{payout.id}",
                    kind="payout_differs",
                    reference=payout.id,
                    stripe_cents=payout.amount,
                    ledger_cents=nets[payout.id],
                    card="",
                    resolution="",
                    at=payout.arrival_date,
                )
            )


def _refunds(
    session: Session,
    result: Reconciliation,
    done: dict[str, dict[str, int]],
    ledger: dict[str, LedgerTopup],
) -> None:
    stripe_refunds = {
        row.id: row
        for row in session.scalars(select(StripeRefund).where(StripeRefund.status == "succeeded"))
    }
    for refund in stripe_refunds.values():
        topup = ledger.get(refund.payment_intent)
        if topup is None:
            continue  # a refund of a payment this ledger does not know
        result.refunds_cents += refund.amount
        if refund.id not in done["refund"]:
            card = topup.wallet.removeprefix("wallet:")
            result.mismatches.append(
                Mismatch(
                    key=f"refund_unbooked:{refund.id}",
                    kind="refund_unbooked",
                    reference=refund.id,
                    stripe_cents=refund.amount,
                    ledger_cents=0,
                    card=card,
                    resolution=_("{amount} retirés de la carte {card}").format(
                        amount=_eur(refund.amount), card=card
                    ),
                    at=refund.created,
                )
            )
    if not stripe_refunds and not result.stripe_topups_cents:
        return  # nothing synced from Stripe: cannot tell
    for refund_id, amount in done["refund"].items():
        if refund_id not in stripe_refunds and refund_id not in done["adjust"]:
            result.mismatches.append(
                Mismatch(
                    key=f"refund_not_in_stripe:{refund_id}",
                    kind="refund_not_in_stripe",
                    reference=refund_id,
                    stripe_cents=0,
                    ledger_cents=amount,
                    card="",
                    resolution=_("{amount} rendus à la carte").format(amount=_eur(amount)),
                    at=0,
                )
            )

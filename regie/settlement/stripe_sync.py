"""Synchronise Stripe through its API: PaymentIntents, Charges, Refunds, Balance
Transactions and Payouts, page by page, with retries on network errors.

Reads only. The key comes from the keyring (``regie.stripe_key``) and is passed per request;
it is never stored nor logged.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.settlement import stripe_store as store
from regie.settlement.models import (
    StripeBalanceTransaction,
    StripePayment,
    StripePayout,
    StripeRefund,
    StripeSync,
)

RETRY_DELAYS = (0.2, 0.6, 1.5)  # seconds between tries of a page on a network error
PAGE = 100
T = TypeVar("T")

#: ``progress(step, fetched)``: which list is being read and how many objects so far;
#: return False to stop (nothing is written then).
SyncProgress = Callable[[str, int], bool]


class StripeUnreachable(UserError):
    pass


@dataclass(kw_only=True)
class SyncResult:
    payments: int = 0
    charges: int = 0
    refunds: int = 0
    balance_transactions: int = 0
    payouts: int = 0
    payouts_itemised: int = 0
    warnings: list[str] = field(default_factory=list)


def with_retries(call: Callable[[], T], what: str) -> T:
    """``call()``, tried again after network errors and rate limits; then a UserError."""
    import stripe  # not at import: 0.2 s, only a sync or a refund needs it

    for attempt in range(len(RETRY_DELAYS) + 1):
        try:
            return call()
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            if attempt == len(RETRY_DELAYS):
                raise StripeUnreachable(
                    f"Stripe injoignable ({what}) : {error.user_message or error}"
                ) from error
            time.sleep(RETRY_DELAYS[attempt])
        except stripe.AuthenticationError as error:
            raise UserError(
                _("Stripe refuse la clé enregistrée : changez-la (Règlement › Stripe)"),
                command=_("Stripe refuse la clé enregistrée (regie stripe key set)"),
            ) from error
        except stripe.StripeError as error:
            raise UserError(
                _("Stripe a refusé {what} : {user_message}").format(
                    what=what, user_message=error.user_message or error
                )
            ) from error
    raise AssertionError("unreachable")


def pages(resource: Any, api_key: str, what: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every object of a list, following ``has_more`` / ``starting_after``."""
    after: str | None = None
    while True:
        extra = {"starting_after": after} if after else {}

        def fetch(extra: dict[str, Any] = extra) -> Any:
            return resource.list(api_key=api_key, limit=PAGE, **params, **extra)

        page = with_retries(fetch, what)
        data = [item.to_dict() for item in page.data]
        yield from data
        if not page.has_more or not data:
            return
        after = data[-1]["id"]


def fetch_all(api_key: str, progress: SyncProgress | None = None) -> dict[str, list[Any]]:
    """Read every list; raises UserError when Stripe cannot be reached or refuses."""
    import stripe

    fetched: dict[str, list[Any]] = {}
    lists = (
        ("payment_intents", stripe.PaymentIntent, _("les paiements")),
        ("charges", stripe.Charge, _("les débits")),
        ("refunds", stripe.Refund, _("les remboursements")),
        ("balance_transactions", stripe.BalanceTransaction, _("les mouvements du solde")),
        ("payouts", stripe.Payout, _("les virements")),
    )
    for name, resource, what in lists:
        items: list[Any] = []
        for item in pages(resource, api_key, what):
            items.append(item)
            if progress and len(items) % 500 == 0 and not progress(name, len(items)):
                raise UserError(_("synchronisation annulée : rien n'a été enregistré"))
        fetched[name] = items
        if progress and not progress(name, len(items)):
            raise UserError(_("synchronisation annulée : rien n'a été enregistré"))
    return fetched


def payout_contents(
    api_key: str, payouts: list[dict[str, Any]], result: SyncResult
) -> dict[str, str]:
    """Balance transaction id → automatic payout id, through ``?payout=po_…``."""
    import stripe

    contents: dict[str, str] = {}
    for payout in payouts:
        if not payout.get("automatic", True):
            continue  # Stripe cannot say what a manual payout contains
        try:
            what = _("le contenu du virement {payout}").format(payout=payout["id"])
            for txn in pages(stripe.BalanceTransaction, api_key, what, payout=payout["id"]):
                contents[txn["id"]] = payout["id"]
            result.payouts_itemised += 1
        except StripeUnreachable:
            raise
        except UserError as error:
            result.warnings.append(f"virement {payout['id']} : contenu illisible ({error})")
    return contents


def sync_stripe(db: Database, api_key: str, progress: SyncProgress | None = None) -> SyncResult:
    """Fetch everything, then write it in one transaction (nothing half-written)."""
    result = SyncResult()
    fetched = fetch_all(api_key, progress)
    contents = payout_contents(api_key, fetched["payouts"], result)
    payment_of: dict[str, str] = {}
    for charge in fetched["charges"]:
        if charge.get("payment_intent"):
            payment_of[charge["id"]] = store._id(charge["payment_intent"])
    refunds = [store.refund_row(obj, payment_of) for obj in fetched["refunds"]]
    for refund in refunds:
        if refund["payment_intent"]:
            payment_of[refund["id"]] = refund["payment_intent"]
    payments = [store.payment_row(obj) for obj in fetched["payment_intents"]]
    refunded: dict[str, int] = {}
    for charge in fetched["charges"]:
        refunded[payment_of.get(charge["id"], "")] = int(charge.get("amount_refunded") or 0)
    for row in payments:
        row["amount_refunded"] = max(row["amount_refunded"], refunded.get(row["id"], 0))
    txns = [
        store.balance_row(obj, payment_of, payout=contents.get(obj["id"], ""))
        for obj in fetched["balance_transactions"]
    ]
    with db.session() as session:
        store.upsert(session, StripePayment, payments)
        store.upsert(session, StripeRefund, refunds)
        store.upsert(session, StripeBalanceTransaction, txns, keep=("payout",))
        store.upsert(session, StripePayout, [store.payout_row(obj) for obj in fetched["payouts"]])
        result.payments = len(payments)
        result.charges = len(fetched["charges"])
        result.refunds = len(refunds)
        result.balance_transactions = len(txns)
        result.payouts = len(fetched["payouts"])
        session.add(StripeSync(origin="api", at=clock.now(), summary=summary_json(result)))
    return result


def summary_json(result: SyncResult) -> str:
    return orjson.dumps(result.__dict__).decode()


def last_sync(db: Database) -> tuple[str, dt.datetime] | None:
    """(origin, when) of the newest synchronisation or import, for the settlement screen."""
    from sqlalchemy import select

    with db.session() as session:
        row = session.execute(
            select(StripeSync.origin, StripeSync.at).order_by(StripeSync.id.desc()).limit(1)
        ).first()
    return (row[0], row[1]) if row else None

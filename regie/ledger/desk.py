"""Operations at the office desk: cash top-up, correction, payment split, cash refund,
balance move to a replacement card. Each is one entry, written whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock, limits
from regie.db import durable_commit
from regie.errors import UserError
from regie.i18n import N_, _, format_money, local_time
from regie.ledger.entries import Entry, Leg, pos_account, wallet_name
from regie.ledger.models import Account, Balance, LedgerAsset, PointOfSale, Transfer
from regie.ledger.posting import (
    IdempotencyConflict,
    InsufficientFunds,
    Posted,
    Writer,
    keyed_legs,
)
from regie.models import Prestation
from regie.people.actor import require
from regie.people.roles import Permission

DESK = "Caisse centrale"
REFUND_FEES = "fees:refund"
SOURCE = "Bureau"


def _entry(
    op: str,
    method: str,
    legs: tuple[Leg, ...],
    *,
    pos: str | None,
    key: str | None,
    details: str = "",
    at: dt.datetime | None = None,
    event: str | None = None,
) -> Entry:
    _within(N_("point de vente"), limits.text, pos or "", limits.length_of(PointOfSale.name))
    _within(N_("clé d'idempotence"), limits.text, key or "", limits.length_of(Transfer.idem_key))
    _within(N_("motif"), limits.free_text, details, limits.MAX_NOTE)
    _within(N_("prestation"), limits.text, event or "", limits.length_of(Prestation.name))
    for leg in legs:
        for name in leg[:2]:
            _within(N_("carte"), limits.text, name, limits.length_of(Account.name))
        _within(N_("monnaie"), limits.text, leg[2], limits.length_of(LedgerAsset.code))
    moment = at or clock.now()
    offset = local_time(moment).utcoffset()  # the events' clock: the hour buckets follow it
    return Entry(
        source=SOURCE,
        source_kind="desk",
        op=op,
        method=method,
        at=int(moment.timestamp()),
        tz_minutes=int(offset.total_seconds() // 60) if offset else 0,
        legs=legs,
        pos=pos,
        idem_key=key,
        details=details,
        event=event or None,
    )


def _within(field: str, check: Callable[..., object], *values: object) -> None:
    """The desk's values in their bounds (the columns' lengths on every base, the hard limit
    of an amount), else a UserError naming the field; nothing is written then."""
    try:
        check(*values)
    except limits.OutOfBounds as error:
        raise UserError(_("{field} : {error}").format(field=_(field), error=error)) from None


def _amount(amount: int, *, negative: bool = False) -> int:
    _within(N_("montant"), lambda: limits.amount(amount, negative=negative))
    return amount


def _post(session: Session, entry: Entry) -> Posted:
    durable_commit(session)  # money handed over at the desk: synced before « OK »
    writer = Writer(session)
    posted = writer.post(entry)
    writer.flush()
    return posted


def balances_of(session: Session, uid: str) -> dict[str, int]:
    """A card's balance per asset (assets with a zero balance left out)."""
    return {
        code: amount
        for code, amount in session.execute(
            select(LedgerAsset.code, Balance.amount)
            .join(Balance, Balance.asset_id == LedgerAsset.id)
            .join(Account, Balance.account_id == Account.id)
            .where(Account.name == wallet_name(uid), Balance.amount != 0)
            .order_by(LedgerAsset.payment_rank)
        )
    }


def cash_topup(
    session: Session,
    uid: str,
    amount: int,
    *,
    asset: str = "EUR",
    key: str | None = None,
    pos: str = DESK,
    at: dt.datetime | None = None,
    event: str | None = None,
) -> Posted:
    """Cash handed over at the desk, loaded on the card. A retry with the same ``key`` and
    ``at`` (a window's second click) replays the first posting. ``event``: the prestation it
    belongs to (else the one whose days hold the moment: see regie.ledger.attribution)."""
    if amount.__class__ is int and amount <= 0:
        raise UserError(_("le montant d'une recharge doit être positif"))
    _amount(amount)
    leg = Leg(pos_account(pos, "cash"), wallet_name(uid), asset, amount)
    return _post(session, _entry("topup", "cash", (leg,), pos=pos, key=key, at=at, event=event))


def correction(
    session: Session,
    uid: str,
    amount: int,
    reason: str,
    *,
    asset: str = "EUR",
    key: str | None = None,
    at: dt.datetime | None = None,
    event: str | None = None,
) -> Posted:
    """Add (amount > 0) or remove (amount < 0) money on a card, with the reason recorded."""
    require(session, Permission.CORRECT_BALANCE)
    if not reason.strip():
        raise UserError(_("une correction demande un motif"))
    if amount == 0:
        raise UserError(_("une correction de 0 ne change rien"))
    _amount(amount, negative=True)
    wallet = wallet_name(uid)
    leg = (
        Leg("correction", wallet, asset, amount)
        if amount > 0
        else Leg(wallet, "correction", asset, -amount)
    )
    entry = _entry(
        "correction", "desk", (leg,), pos=None, key=key, details=reason, at=at, event=event
    )
    return _post(session, entry)


def split_payment(session: Session, uids: list[str], amount: int) -> list[Leg]:
    """Legs paying ``amount`` from these cards, each in the payment order (gift, local, fed)."""
    ranks = dict(session.execute(select(LedgerAsset.code, LedgerAsset.payment_rank)).all())
    legs, left = [], amount
    for uid in uids:
        for code, balance in sorted(balances_of(session, uid).items(), key=lambda i: ranks[i[0]]):
            take = min(balance, left)
            if take > 0:
                legs.append(Leg(wallet_name(uid), "", code, take))
                left -= take
    if left:
        raise InsufficientFunds(f"solde insuffisant : il manque {left} centimes")
    return legs


def pay(
    session: Session,
    uids: list[str],
    amount: int,
    *,
    pos: str,
    key: str | None = None,
    event: str | None = None,
) -> Posted:
    """A cashless payment split across assets and cards, as linked transfers."""
    _amount(amount)
    legs = tuple(
        Leg(leg.debit, pos_account(pos, "revenue"), leg.asset, leg.amount)
        for leg in split_payment(session, uids, amount)
    )
    return _post(session, _entry("sale", "cashless", legs, pos=pos, key=key, event=event))


@dataclass(frozen=True)
class RefundRules:
    """End-of-event refunds, at the desk or to Stripe (every number a setting)."""

    fee_cents: int = 0
    minimum_cents: int = 0
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None

    def open_at(self, moment: dt.datetime) -> bool:
        return not (self.opens and moment < self.opens) and not (
            self.closes and moment > self.closes
        )


@dataclass(frozen=True)
class RefundResult:
    paid: dict[str, int]  # asset → cents handed back
    fee: int
    kept: dict[str, int]  # non-refundable balances left on the card
    posted: Posted


@dataclass(frozen=True)
class RefundQuote:
    """What a card would get back in cash now, before anything is written."""

    paid: dict[str, int]  # refundable balances (asset → cents), the fee not yet taken
    fee: int
    kept: dict[str, int]  # non-refundable balances that stay on the card
    refusal: str  # why the desk cannot refund it now; "" when it can

    @property
    def cash(self) -> int:
        """The cash to hand over (the refundable balances less the fee)."""
        return max(sum(self.paid.values()) - self.fee, 0)


def refund_quote(
    session: Session, uid: str, rules: RefundRules, *, at: dt.datetime | None = None
) -> RefundQuote:
    """What :func:`cash_refund` would hand back, and why not when it would refuse."""
    at = at or clock.now()
    refundable = dict(session.execute(select(LedgerAsset.code, LedgerAsset.refundable)).all())
    balances = balances_of(session, uid)
    paid = {code: amount for code, amount in balances.items() if refundable[code] and amount > 0}
    kept = {code: amount for code, amount in balances.items() if not refundable[code]}
    total, refusal = sum(paid.values()), ""
    if not rules.open_at(at):
        refusal = _("hors de la période de remboursement")
    elif total == 0:
        refusal = _("rien de remboursable sur cette carte")
    elif total - rules.fee_cents < rules.minimum_cents or total <= rules.fee_cents:
        refusal = _(
            "sous le minimum de remboursement : {total} remboursables, frais {fee}, "
            "minimum {minimum}"
        ).format(
            total=format_money(total),
            fee=format_money(rules.fee_cents),
            minimum=format_money(rules.minimum_cents),
        )
    return RefundQuote(paid=paid, fee=rules.fee_cents, kept=kept, refusal=refusal)


def cash_refund(
    session: Session,
    uid: str,
    rules: RefundRules,
    *,
    key: str | None = None,
    at: dt.datetime | None = None,
    expected_cash: int | None = None,
    event: str | None = None,
) -> RefundResult:
    """Hand back a card's refundable balance in cash, less the fee; gift tokens stay.

    ``expected_cash``: the cash the person at the desk was shown (and is counting out); if
    the card changed meanwhile (a pull, another laptop), nothing is written."""
    require(session, Permission.REFUND)
    earlier = _refund_under(session, key, uid) if key is not None else None
    if earlier is not None:
        return earlier
    at = at or clock.now()
    quote = refund_quote(session, uid, rules, at=at)
    if quote.refusal:
        raise UserError(quote.refusal)
    if expected_cash is not None and quote.cash != expected_cash:
        raise UserError(
            _(
                "le solde de la carte a changé depuis l'aperçu : {cash} à rendre maintenant au "
                "lieu de {expected} ; rien n'a été écrit, vérifiez et recommencez"
            ).format(cash=format_money(quote.cash), expected=format_money(expected_cash))
        )
    wallet, drawer = wallet_name(uid), pos_account(DESK, "cash")
    legs, fee_left = [], rules.fee_cents
    for code, amount in quote.paid.items():
        fee = min(fee_left, amount)
        fee_left -= fee
        if fee:
            legs.append(Leg(wallet, REFUND_FEES, code, fee))
        if amount - fee:
            legs.append(Leg(wallet, drawer, code, amount - fee))
    entry = _entry("refund", "cash", tuple(legs), pos=DESK, key=key, at=at, event=event)
    posted = _post(session, entry)
    return RefundResult(paid=quote.paid, fee=rules.fee_cents, kept=quote.kept, posted=posted)


def _refund_under(session: Session, key: str, uid: str) -> RefundResult | None:
    """The refund already written under ``key`` (a retry), as it was; None if there is none.
    The key is the refund's idempotency key: it cannot refund another card."""
    legs = keyed_legs(session, key)
    if not legs:
        return None
    wallet = session.scalar(select(Account.id).where(Account.name == wallet_name(uid)))
    if legs[0].op != "refund" or any(leg.debit_id != wallet for leg in legs):
        raise IdempotencyConflict(
            _("{key} existe déjà avec un autre contenu : non importé").format(key=key)
        )
    codes = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    fees = session.scalar(select(Account.id).where(Account.name == REFUND_FEES))
    paid: dict[str, int] = {}
    for leg in legs:
        paid[codes[leg.asset_id]] = paid.get(codes[leg.asset_id], 0) + leg.amount
    fee = sum(leg.amount for leg in legs if leg.credit_id == fees)
    kept = refund_quote(session, uid, RefundRules()).kept
    return RefundResult(
        paid=paid, fee=fee, kept=kept, posted=Posted(ids=[leg.id for leg in legs], replayed=True)
    )


def move_balance(
    session: Session, old_uid: str, new_uid: str, *, reason: str, key: str | None = None
) -> Posted | None:
    """Move every balance of a lost card to its replacement (None when there is nothing)."""
    if old_uid.upper() == new_uid.upper():
        raise UserError(_("l'ancienne et la nouvelle carte sont la même"))
    legs = tuple(
        Leg(wallet_name(old_uid), wallet_name(new_uid), code, amount)
        for code, amount in balances_of(session, old_uid).items()
        if amount > 0
    )
    if not legs:
        return None
    return _post(session, _entry("move", "desk", legs, pos=None, key=key, details=reason))

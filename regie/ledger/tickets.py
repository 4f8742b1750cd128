"""What an X or a Z ticket prints, as plain values: the figures of its scope per token, per
point of sale and per payment, the cash drawer, and for a Z its grand total, the journal's
chain head it seals and whether its signature holds.

A Z ticket is read back from the closure itself (its recorded figures, its span of transfers,
which never change), so a ticket printed a month later says what the Z said the night it was
closed. An X ticket reads the figures since the scope's last Z, changing nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import NotFound, UserError
from regie.i18n import _
from regie.ledger.browse import z_preview
from regie.ledger.closures import Figures, is_event_scope, scope_span, voids_a_sale
from regie.ledger.labels import OP_LABELS
from regie.ledger.models import Closure, LedgerAsset, PointOfSale, Transfer
from regie.ledger.z_signing import signature_holds, signatures
from regie.settings.office import invoicing_organisation

# The state of a Z's signature, as the ticket says it (regie.ledger.ticket_pdf words them).
SIGNED, BAD_SIGNATURE, UNSIGNED = "signed", "bad", "unsigned"
# The order a ticket lists operations in: money in, money spent, then what corrects them.
OPS = list(OP_LABELS)


@dataclass(frozen=True, kw_only=True)
class PosSales:
    """The net sales of one point of sale in one token (voided sales taken off)."""

    pos: str
    asset: str
    cents: int


@dataclass(frozen=True, kw_only=True)
class Payment:
    """One line of the figures: an operation paid one way in one token."""

    op: str
    method: str
    asset: str
    count: int
    cents: int


@dataclass(frozen=True, kw_only=True)
class Ticket:
    kind: str  # "X" (a reading) or "Z" (a closure)
    scope: str
    moment: dt.datetime  # when the Z was closed, or when the X was read
    figures: Figures
    tokens: dict[str, str]  # code → name (« Jeton cadeau »), in the order they pay
    by_pos: list[PosSales]
    cash_float: int
    cash_expected: int
    number: int | None = None
    organisation: str = ""  # who runs the tills (the organisation that invoices), if known
    period: str = ""
    cash_counted: int | None = None
    grand_total: int | None = None  # as sealed: the scope's net sales, every token added
    running: dict[str, int] = field(default_factory=dict)  # token → the scope's net sales so far
    chain_head: str = ""  # hex: the journal's head this Z seals
    signature: str = ""  # SIGNED, BAD_SIGNATURE or UNSIGNED for a Z
    key: str = ""  # the fingerprint of the key that signed it

    @property
    def counts_cash(self) -> bool:
        """A till's ticket has a drawer; the event's has none."""
        return not is_event_scope(self.scope)

    @property
    def cash_difference(self) -> int | None:
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected

    def payments(self) -> list[Payment]:
        """Every operation by payment method and token, as the X and the Z count them."""
        rows = []
        for key, cents in self.figures.totals.items():
            op, method, asset = key.split("/")
            count = self.figures.counts.get(key, 0)
            rows.append(Payment(op=op, method=method, asset=asset, count=count, cents=cents))
        tokens = list(self.tokens)
        return sorted(rows, key=lambda r: (_rank(OPS, r.op), r.method, _rank(tokens, r.asset)))

    def per_token(self) -> dict[str, dict[str, int]]:
        """Token → operation → cents: one total per token, never two tokens added up."""
        found: dict[str, dict[str, int]] = {}
        for payment in self.payments():
            ops = found.setdefault(payment.asset, {})
            ops[payment.op] = ops.get(payment.op, 0) + payment.cents
        for row in self.by_pos:  # net sales, voided ones taken off
            found.setdefault(row.asset, {})
        order = list(self.tokens)
        return dict(sorted(found.items(), key=lambda item: _rank(order, item[0])))

    def net_sales(self) -> dict[str, int]:
        """Token → net sales of the ticket, from its points of sale."""
        totals: dict[str, int] = {}
        for row in self.by_pos:
            totals[row.asset] = totals.get(row.asset, 0) + row.cents
        return totals


def _rank(order: list[str], code: str) -> tuple[int, str]:
    return (order.index(code) if code in order else len(order), code)


def organisation(session: Session) -> str:
    """The name printed at the top of the ticket: the organisation that runs the tills and
    invoices (the convention's partner); nothing when the base does not know it yet."""
    try:
        return invoicing_organisation(session).name
    except NotFound:
        return ""


def tokens(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(LedgerAsset.code, LedgerAsset.name).order_by(LedgerAsset.payment_rank)
        ).all()
    )


def sales_by_pos(session: Session, scope: str, first: int, last: int) -> list[PosSales]:
    """Net sales per point of sale and token of a scope's transfers ``first..last``."""
    net = case(
        (Transfer.op == "sale", Transfer.amount), (voids_a_sale(), -Transfer.amount), else_=0
    )
    query = (
        select(func.coalesce(PointOfSale.name, ""), LedgerAsset.code, func.sum(net))
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .outerjoin(PointOfSale, Transfer.pos_id == PointOfSale.id)
        .where(*scope_span(session, scope, first, last), Transfer.op.in_(("sale", "void")))
        .group_by(PointOfSale.name, LedgerAsset.code)
        .order_by(PointOfSale.name, LedgerAsset.code)
    )
    return [
        PosSales(pos=pos, asset=asset, cents=int(cents))
        for pos, asset, cents in session.execute(query)
        if cents
    ]


def x_ticket(session: Session, scope: str) -> Ticket:
    """The X of a scope now: what its next Z would close."""
    preview = z_preview(session, scope)
    figures = preview.figures
    return Ticket(
        kind="X",
        scope=scope,
        organisation=organisation(session),
        moment=clock.now(),
        figures=figures,
        tokens=tokens(session),
        by_pos=sales_by_pos(session, scope, figures.first_transfer_id, figures.last_transfer_id),
        cash_float=preview.cash_float,
        cash_expected=preview.cash_expected,
    )


def z_ticket(session: Session, number: int) -> Ticket:
    """The ticket of the Z numbered ``number``, from what the closure recorded."""
    closure = session.scalar(select(Closure).where(Closure.number == number))
    if closure is None:
        last = session.scalar(select(func.max(Closure.number))) or 0
        raise UserError(
            _("aucun Z n°{number} (les Z vont de 1 à {last})").format(number=number, last=last)
            if last
            else _("aucun Z n°{number} : aucun Z n'a encore été fait").format(number=number)
        )
    figures = Figures.from_closure(closure)
    signed = signatures(session).get(number)
    state, key = UNSIGNED, ""
    if signed is not None:
        public, signature, key = signed
        holds = public is not None and signature_holds(public, closure, signature)
        state = SIGNED if holds else BAD_SIGNATURE
    first, last = closure.first_transfer_id, closure.last_transfer_id
    known = tokens(session)
    running: dict[str, int] = {}  # every Z of a scope follows the one before: from the first
    for row in sales_by_pos(session, closure.scope, 1, last):
        running[row.asset] = running.get(row.asset, 0) + row.cents
    order = list(known)
    return Ticket(
        kind="Z",
        number=number,
        organisation=organisation(session),
        scope=closure.scope,
        period=closure.period,
        moment=closure.closed_at,
        figures=figures,
        tokens=known,
        by_pos=sales_by_pos(session, closure.scope, first, last),
        cash_float=closure.cash_float,
        cash_expected=closure.cash_expected,
        cash_counted=closure.cash_counted,
        grand_total=closure.grand_total,
        running=dict(sorted(running.items(), key=lambda item: _rank(order, item[0]))),
        chain_head=closure.chain_head.hex(),
        signature=state,
        key=key,
    )

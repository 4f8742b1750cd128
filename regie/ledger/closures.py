"""X reports and Z closures: per point of sale (a session, a shift) or for one event.

Scopes: ``pos:<name>`` (a till's transfers), ``event:<name>`` (the transfers attributed to
that prestation, see regie.ledger.attribution) and, for Z closed before events owned their
transfers, ``event`` (the whole ledger: kept so that those Z still verify).

A Z covers every transfer of its scope since the previous Z of that scope, up to the chain
head. It is numbered without gaps across the ledger, immutable, and carries its figures, the
running grand total of its scope, the chain head, and its own hash chained to the previous Z.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import orjson
from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session, aliased

from regie import clock
from regie.db import durable_commit
from regie.errors import UserError
from regie.i18n import _
from regie.ledger.entries import Entry, Leg
from regie.ledger.models import (
    Account,
    Closure,
    LedgerAsset,
    LedgerHead,
    PointOfSale,
    Transfer,
)
from regie.ledger.posting import Writer
from regie.ledger.z_signing import sign_z
from regie.models import Prestation
from regie.money import cents_within as cash_within
from regie.people.actor import require
from regie.people.roles import Permission

EVENT = "event"  # the whole ledger (the Z of the event before a base held several)
EVENT_PREFIX = "event:"
PERIODS = ("session", "day", "event")


@dataclass(frozen=True, kw_only=True)
class Figures:
    """What an X or a Z shows. Amounts in cents; keys are ``op/method/asset``; counts are
    transfers (a payment split across two assets counts in each)."""

    scope: str
    first_transfer_id: int
    last_transfer_id: int
    totals: dict[str, int]
    counts: dict[str, int]
    vat: dict[str, int]  # VAT rate (basis points) → sales incl. VAT, voided sales taken off
    sales_total: int  # net sales (sales minus voided sales), all assets
    cash_in: int
    cash_out: int

    def canonical(self) -> str:
        return orjson.dumps(
            {
                "totals": self.totals,
                "counts": self.counts,
                "vat": self.vat,
                "sales_total": self.sales_total,
                "cash_in": self.cash_in,
                "cash_out": self.cash_out,
            },
            option=orjson.OPT_SORT_KEYS,
        ).decode()

    @classmethod
    def from_closure(cls, closure: Closure) -> Figures:
        """The figures a Z recorded (the inverse of :meth:`canonical`), to print it again."""
        recorded = orjson.loads(closure.totals)
        return cls(
            scope=closure.scope,
            first_transfer_id=closure.first_transfer_id,
            last_transfer_id=closure.last_transfer_id,
            totals=recorded["totals"],
            counts=recorded["counts"],
            vat=recorded["vat"],
            sales_total=recorded["sales_total"],
            cash_in=recorded["cash_in"],
            cash_out=recorded["cash_out"],
        )


def event_scope(name: str) -> str:
    """The scope of the Z of the prestation called ``name``."""
    return f"{EVENT_PREFIX}{name}"


def is_event_scope(scope: str) -> bool:
    return scope == EVENT or scope.startswith(EVENT_PREFIX)


def scope_event(session: Session, scope: str) -> int:
    """The prestation of an ``event:<name>`` scope (a clear message if there is none)."""
    name = scope.removeprefix(EVENT_PREFIX)
    found = session.scalar(select(Prestation.id).where(Prestation.name == name))
    if found is None:
        known = ", ".join(session.scalars(select(Prestation.name).order_by(Prestation.starts_on)))
        raise UserError(
            _("prestation inconnue : « {name} » (connues : {known})").format(
                name=name, known=known or _("aucune")
            )
        )
    return found


def scope_conditions(session: Session, scope: str) -> list[ColumnElement[bool]]:
    """Which transfers a scope holds (besides its id range)."""
    if scope == EVENT:
        return []
    if scope.startswith(EVENT_PREFIX):
        return [Transfer.event_id == scope_event(session, scope)]
    pos_id = scope_pos(session, scope)
    return [] if pos_id is None else [Transfer.pos_id == pos_id]


def scope_pos(session: Session, scope: str) -> int | None:
    if is_event_scope(scope):
        return None
    if not scope.startswith("pos:"):
        raise UserError(
            _("portée inconnue « {scope} » (pos:<nom>, event:<prestation> ou event)").format(
                scope=scope
            )
        )
    pos_id = session.scalar(select(PointOfSale.id).where(PointOfSale.name == scope[4:]))
    if pos_id is None:
        raise UserError(_("point de vente inconnu : « {scope} »").format(scope=scope[4:]))
    return pos_id


def last_z(session: Session, scope: str) -> Closure | None:
    return session.scalar(
        select(Closure).where(Closure.scope == scope).order_by(Closure.number.desc()).limit(1)
    )


def voids_a_sale() -> ColumnElement[bool]:
    """« This transfer cancels a sale »: a void whose entry carries the sale's lines, read on
    its first leg only, so every leg of a voided split sale looks at its first one (link_id)."""
    head = aliased(Transfer)
    return (Transfer.op == "void") & (
        select(head.details).where(head.id == Transfer.link_id).scalar_subquery().startswith("[")
    )


def scope_span(session: Session, scope: str, first: int, last: int) -> list[ColumnElement[bool]]:
    """The transfers ``first..last`` of a scope: what an X or a Z covers."""
    return [Transfer.id >= first, Transfer.id <= last, *scope_conditions(session, scope)]


def figures(session: Session, scope: str, first: int, last: int) -> Figures:
    """The figures of the transfers ``first..last`` of a scope, added up by the database (a
    festival's Z covers a million transfers)."""
    assets = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    cash = select(Account.id).where(Account.name.like("pos:%:cash"))
    cancels_sale = voids_a_sale()
    in_scope = scope_span(session, scope, first, last)
    totals: dict[str, int] = {}
    counts: dict[str, int] = {}
    sales = cash_in = cash_out = 0
    for op, method, asset_id, count, total, debited, credited, cancelled in session.execute(
        select(
            Transfer.op,
            Transfer.method,
            Transfer.asset_id,
            func.count(),
            func.sum(Transfer.amount),
            func.sum(case((Transfer.debit_id.in_(cash), Transfer.amount), else_=0)),
            func.sum(case((Transfer.credit_id.in_(cash), Transfer.amount), else_=0)),
            func.sum(case((cancels_sale, Transfer.amount), else_=0)),
        )
        .where(*in_scope)
        .group_by(Transfer.op, Transfer.method, Transfer.asset_id)
    ):
        key = f"{op}/{method}/{assets[asset_id]}"
        totals[key], counts[key] = int(total), int(count)
        sales += int(total) if op == "sale" else -int(cancelled)
        cash_in += int(debited)
        cash_out += int(credited)
    return Figures(
        scope=scope,
        first_transfer_id=first,
        last_transfer_id=last,
        totals=totals,
        counts=counts,
        vat=_vat(session, in_scope),
        sales_total=sales,
        cash_in=cash_in,
        cash_out=cash_out,
    )


def _vat(session: Session, in_scope: list[ColumnElement[bool]]) -> dict[str, int]:
    """Net sales per VAT rate (basis points): the lines of the sales less those of the voided
    ones. A festival sells the same few baskets all night: each is read once, with its count."""
    vat: dict[str, int] = {}
    for op, details, count in session.execute(
        select(Transfer.op, Transfer.details, func.count())
        .where(*in_scope, Transfer.leg == 0, Transfer.op.in_(("sale", "void")))
        .where(Transfer.details.startswith("["))
        .group_by(Transfer.op, Transfer.details)
    ):
        sign = count if op == "sale" else -count
        for _product, quantity, unit, rate in orjson.loads(details):
            vat[str(rate)] = vat.get(str(rate), 0) + sign * quantity * unit
    return vat


def x_report(session: Session, scope: str) -> Figures:
    """An X: the figures since the scope's last Z, changing nothing."""
    previous = last_z(session, scope)
    first = previous.last_transfer_id + 1 if previous else 1
    head = session.get_one(LedgerHead, 1)
    return figures(session, scope, first, head.last_transfer_id)


@dataclass(frozen=True, kw_only=True)
class ZResult:
    number: int
    figures: Figures
    grand_total: int
    cash_float: int
    cash_expected: int
    cash_counted: int | None
    chain_head: str = ""  # the journal's chain head this Z seals (hex), printed on the ticket
    key: str = ""  # the fingerprint of the key that signed it

    @property
    def cash_difference(self) -> int | None:
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected


def close_z(
    session: Session,
    scope: str,
    *,
    period: str = "session",
    cash_counted: int | None = None,
    now: dt.datetime | None = None,
) -> ZResult:
    """Close a Z; a cash count is compared with the drawer and the difference booked."""
    require(session, Permission.CLOSE_Z)
    if period not in PERIODS:
        raise UserError(
            _("période inconnue « {period} » ({known})").format(
                period=period, known=", ".join(PERIODS)
            )
        )
    scope_conditions(session, scope)  # an unknown till or event: said before anything
    if cash_counted is not None and is_event_scope(scope):
        raise UserError(_("le comptage de caisse se fait par point de vente"))
    if cash_counted is not None and cash_counted < 0:
        raise UserError(_("un comptage de caisse ne peut pas être négatif"))
    if cash_counted is not None:
        cash_within(cash_counted)
    now = now or clock.now()
    durable_commit(session)  # a Z is final: synced before its ticket is printed
    writer = Writer(session)  # locks the chain head: numbering without gaps
    previous = last_z(session, scope)
    first = previous.last_transfer_id + 1 if previous else 1
    cash_float = (previous.cash_counted or 0) if previous else 0
    before = figures(session, scope, first, writer.last_id)
    expected = cash_float + before.cash_in - before.cash_out
    if cash_counted is not None and cash_counted != expected:
        pos = scope[4:]
        difference = cash_counted - expected
        drawer = f"pos:{pos}:cash"
        leg = (
            Leg(drawer, "cash:difference", "EUR", difference)
            if difference > 0
            else Leg("cash:difference", drawer, "EUR", -difference)
        )
        writer.post(
            Entry(
                source="Régie",
                source_kind="system",
                op="cash_diff",
                method="cash",
                at=int(now.timestamp()),
                tz_minutes=0,
                legs=(leg,),
                pos=pos,
                details=f"écart de caisse au Z (attendu {expected}, compté {cash_counted})",
            )
        )
        writer.flush()
    final = before  # unless a cash difference was just booked:
    if writer.last_id != before.last_transfer_id:
        final = figures(session, scope, first, writer.last_id)
    grand_total = (previous.grand_total if previous else 0) + final.sales_total
    head = session.get_one(LedgerHead, 1)
    number = head.last_closure_number + 1
    closure = Closure(
        number=number,
        scope=scope,
        period=period,
        first_transfer_id=first,
        last_transfer_id=writer.last_id,
        totals=final.canonical(),
        grand_total=grand_total,
        cash_float=cash_float,
        cash_expected=expected,
        cash_counted=cash_counted,
        chain_head=writer.last_hash,
        closed_at=now,
        hash=b"",
    )
    closure.hash = closure_hash(head.last_closure_hash, closure)
    session.add(closure)
    session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == 1)
        .values(last_closure_number=number, last_closure_hash=closure.hash)
    )
    session.flush()
    key = sign_z(session, closure)
    session.flush()
    return ZResult(
        number=number,
        chain_head=closure.chain_head.hex(),
        key=key,
        figures=final,
        grand_total=grand_total,
        cash_float=cash_float,
        cash_expected=expected,
        cash_counted=cash_counted,
    )


def closure_hash(previous: bytes, closure: Closure) -> bytes:
    fields = (
        closure.number,
        closure.scope,
        closure.period,
        closure.first_transfer_id,
        closure.last_transfer_id,
        closure.totals,
        closure.grand_total,
        closure.cash_float,
        closure.cash_expected,
        closure.cash_counted,
        closure.chain_head.hex(),
        int(closure.closed_at.timestamp()),
    )
    return hashlib.sha256(previous + "\x1f".join(map(str, fields)).encode()).digest()

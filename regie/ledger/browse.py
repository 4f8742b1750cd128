"""What the ledger screens read: the journal by pages, the past Z, a closure before it is made.

A festival's journal holds a million transfers; a screen never reads them all. It asks for
the *index* of a filter (how many transfers match, and the id each page starts at), then
for one page at a time by id range (keyset), never by OFFSET. Without a filter the index
is the chain head alone: transfer ids are the journal positions 1..N, without gaps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import orjson
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from regie.i18n import local_time
from regie.inventory.models import Asset, AssetModel
from regie.ledger.closures import Figures, last_z, x_report
from regie.ledger.entries import wallet_name
from regie.ledger.models import (
    Account,
    Closure,
    LedgerAsset,
    LedgerHead,
    PointOfSale,
    Source,
    Transfer,
)
from regie.models import Prestation

OPS = ("topup", "sale", "refund", "void", "correction", "move", "melt", "cash_diff")
# The ``event`` of a filter that shows the transfers no event owns (« hors prestation »).
OUTSIDE_EVENTS = "<hors prestation>"


@dataclass(frozen=True, kw_only=True)
class JournalFilter:
    """Which transfers a journal view shows; empty fields do not filter."""

    card: str = ""  # full UID in hex
    pos: str = ""
    asset: str = ""
    op: str = ""
    event: str = ""  # a prestation's name, or OUTSIDE_EVENTS
    # A time range, seconds since the epoch (UTC): the screen reads the moments typed on the
    # events' clock, as it shows them; ``since`` included, ``until`` excluded.
    since: int | None = None
    until: int | None = None

    @property
    def empty(self) -> bool:
        return self == JournalFilter()

    @property
    def indexed(self) -> bool:
        """Answered from an index (a card's transfers), not by reading the whole journal."""
        return self.empty or bool(self.card)


@dataclass(frozen=True)
class JournalIndex:
    """Where each page of a filtered journal starts, on the journal as it was read."""

    total: int
    last_id: int  # the last id shown: later transfers (an import meanwhile) wait for a reload
    page_size: int
    anchors: tuple[int, ...] | None = None  # first id of each page; None: row n is id n + 1

    @property
    def pages(self) -> int:
        return -(-self.total // self.page_size)


@dataclass(frozen=True)
class JournalRow:
    id: int
    link_id: int
    at: int
    tz_minutes: int
    source: str
    seq: int
    op: str
    method: str
    debit: str
    credit: str
    asset: str
    amount: int
    pos: str
    details: str
    model: str = ""  # the terminal's model, from the inventory item of the same tag

    @property
    def local_time(self) -> dt.datetime:
        """The moment on the events' clock (the office's time zone), as every face shows it."""
        return local_time(self.at)


def _conditions(session: Session, where: JournalFilter) -> list[ColumnElement[bool]] | None:
    """SQL conditions of a filter; None when a name is unknown (nothing can match)."""
    conditions: list[ColumnElement[bool]] = []
    if where.card:
        uid = "".join(where.card.split()).upper()
        account = session.scalar(select(Account.id).where(Account.name == wallet_name(uid)))
        if account is None:
            return None
        conditions.append(or_(Transfer.debit_id == account, Transfer.credit_id == account))
    for name, table, column, target in (
        (where.pos, PointOfSale, PointOfSale.name, Transfer.pos_id),
        (where.asset.upper(), LedgerAsset, LedgerAsset.code, Transfer.asset_id),
    ):
        if name:
            found = session.scalar(select(table.id).where(column == name))
            if found is None:
                return None
            conditions.append(target == found)
    if where.op:
        conditions.append(Transfer.op == where.op)
    if where.event == OUTSIDE_EVENTS:
        conditions.append(Transfer.event_id.is_(None))
    elif where.event:
        event = session.scalar(select(Prestation.id).where(Prestation.name == where.event))
        if event is None:
            return None
        conditions.append(Transfer.event_id == event)
    if where.since is not None:
        conditions.append(Transfer.at >= where.since)
    if where.until is not None:
        conditions.append(Transfer.at < where.until)
    return conditions


def journal_index(session: Session, where: JournalFilter, page_size: int = 200) -> JournalIndex:
    """Count the transfers a filter shows and find where each page starts (one pass)."""
    head = session.get_one(LedgerHead, 1).last_transfer_id
    if where.empty:
        return JournalIndex(head, head, page_size)
    conditions = _conditions(session, where)
    if conditions is None:
        return JournalIndex(total=0, last_id=head, page_size=page_size, anchors=())
    numbered = (
        select(Transfer.id, func.row_number().over(order_by=Transfer.id).label("n"))
        .where(Transfer.id <= head, *conditions)
        .subquery()
    )
    rows = session.execute(
        select(numbered.c.id, numbered.c.n)
        .where((numbered.c.n - 1) % page_size == 0)
        .order_by(numbered.c.id)
    ).all()
    if not rows:
        return JournalIndex(total=0, last_id=head, page_size=page_size, anchors=())
    in_last_page, last = session.execute(
        select(func.count(), func.max(Transfer.id)).where(
            Transfer.id >= rows[-1][0], Transfer.id <= head, *conditions
        )
    ).one()
    total = (len(rows) - 1) * page_size + int(in_last_page)
    # The last page ends at the last match: its read never runs on to the end of the journal.
    return JournalIndex(
        total=total, last_id=int(last), page_size=page_size, anchors=tuple(row[0] for row in rows)
    )


def journal_page(
    session: Session, where: JournalFilter, index: JournalIndex, page: int
) -> list[JournalRow]:
    """The transfers of one page of the index, in journal order."""
    size = index.page_size
    if not 0 <= page < index.pages:
        return []
    debit, credit = aliased(Account), aliased(Account)
    query = (
        select(
            Transfer.id,
            Transfer.link_id,
            Transfer.at,
            Transfer.tz_minutes,
            Source.name,
            Transfer.seq,
            Transfer.op,
            Transfer.method,
            debit.name,
            credit.name,
            LedgerAsset.code,
            Transfer.amount,
            func.coalesce(PointOfSale.name, ""),
            Transfer.details,
            func.coalesce(AssetModel.name, ""),
        )
        .join(Source, Transfer.source_id == Source.id)
        # one name per device: a terminal's journal is named by its inventory tag
        .outerjoin(Asset, Asset.tag == Source.name)
        .outerjoin(AssetModel, AssetModel.id == Asset.model_id)
        .join(debit, Transfer.debit_id == debit.id)
        .join(credit, Transfer.credit_id == credit.id)
        .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
        .outerjoin(PointOfSale, Transfer.pos_id == PointOfSale.id)
        .order_by(Transfer.id)
    )
    if index.anchors is None:
        first = page * size + 1
        query = query.where(Transfer.id >= first, Transfer.id < first + size)
    else:
        conditions = _conditions(session, where) or []
        query = query.where(Transfer.id >= index.anchors[page], *conditions).limit(size)
        if page + 1 < len(index.anchors):
            query = query.where(Transfer.id < index.anchors[page + 1])
    query = query.where(Transfer.id <= index.last_id)
    return [JournalRow(*tuple(row)) for row in session.execute(query)]


def event_names(session: Session) -> tuple[str, ...]:
    """The prestations, in the order of their days (the journal's event filter)."""
    return tuple(
        session.scalars(select(Prestation.name).order_by(Prestation.starts_on, Prestation.id))
    )


@dataclass(frozen=True)
class FilterChoices:
    points_of_sale: list[str]
    assets: list[tuple[str, str]]  # code, name
    first: dt.datetime | None  # the first and last transfers, on the events' clock
    last: dt.datetime | None
    events: tuple[str, ...] = ()  # the prestations, in the order of their days


def filter_choices(session: Session) -> FilterChoices:
    """What the filters offer: points of sale, assets, and the journal's time span."""
    head = session.get_one(LedgerHead, 1).last_transfer_id
    ends = (
        session.execute(select(Transfer.at).where(Transfer.id.in_((1, head))).order_by(Transfer.id))
        .scalars()
        .all()
    )
    first, last = (local_time(ends[0]), local_time(ends[-1])) if ends else (None, None)
    return FilterChoices(
        points_of_sale=list(session.scalars(select(PointOfSale.name).order_by(PointOfSale.name))),
        assets=[
            (code, name)
            for code, name in session.execute(
                select(LedgerAsset.code, LedgerAsset.name).order_by(LedgerAsset.payment_rank)
            )
        ],
        first=first.replace(tzinfo=None) if first else None,
        last=last.replace(tzinfo=None) if last else None,
        events=event_names(session),
    )


@dataclass(frozen=True, kw_only=True)
class ZRow:
    """A past Z as the closures list shows it."""

    number: int
    scope: str
    period: str
    closed_at: dt.datetime
    first_transfer_id: int
    last_transfer_id: int
    sales_total: int
    grand_total: int
    cash_float: int
    cash_expected: int
    cash_counted: int | None

    @property
    def cash_difference(self) -> int | None:
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected


def past_z(session: Session) -> list[ZRow]:
    """Every Z, the last one first."""
    rows = []
    for closure in session.scalars(select(Closure).order_by(Closure.number.desc())):
        totals = orjson.loads(closure.totals)
        rows.append(
            ZRow(
                number=closure.number,
                scope=closure.scope,
                period=closure.period,
                closed_at=closure.closed_at,
                first_transfer_id=closure.first_transfer_id,
                last_transfer_id=closure.last_transfer_id,
                sales_total=int(totals.get("sales_total", 0)),
                grand_total=closure.grand_total,
                cash_float=closure.cash_float,
                cash_expected=closure.cash_expected,
                cash_counted=closure.cash_counted,
            )
        )
    return rows


@dataclass(frozen=True)
class ZPreview:
    """The X of a scope and the cash its drawer should hold if it were closed now."""

    figures: Figures
    cash_float: int  # counted at the scope's previous Z
    cash_expected: int


def z_preview(session: Session, scope: str) -> ZPreview:
    """What :func:`regie.ledger.closures.close_z` would find, changing nothing."""
    figures = x_report(session, scope)
    previous = last_z(session, scope)
    cash_float = (previous.cash_counted or 0) if previous else 0
    return ZPreview(figures, cash_float, cash_float + figures.cash_in - figures.cash_out)

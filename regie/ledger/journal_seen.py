"""What the ledger already holds of each terminal, in a lean form: the import's idempotency map.

``(terminal, seq)`` is a line's key. Per terminal the map keeps two sorted arrays of 64-bit
integers (the seqs, and the id of each line's first transfer: 16 bytes a line, where a dict of
tuples took ten times that), and the seqs its voids cancelled. A terminal numbers its lines
in order, so a new line is appended; a line out of order is inserted where it belongs.
Each terminal is read from the base once, the first time one of its lines comes; the
entries themselves are read back (:func:`stored_entries`) only to compare a replay or to void.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from regie.ledger.accounts import Directory
from regie.ledger.entries import Entry, Leg, SaleLine
from regie.ledger.models import Transfer


@dataclass(kw_only=True)
class TerminalSeen:
    """One terminal's lines: sorted seqs, their first transfer ids, the seqs voided."""

    seqs: array[int] = field(default_factory=lambda: array("q"))
    first_ids: array[int] = field(default_factory=lambda: array("q"))
    voided: set[int] = field(default_factory=set)

    def first_id(self, seq: int) -> int | None:
        seqs = self.seqs
        if not seqs or seq > seqs[-1]:
            return None  # the usual case: a terminal's next line
        index = bisect_left(seqs, seq)
        return self.first_ids[index] if index < len(seqs) and seqs[index] == seq else None

    def add(self, seq: int, first_id: int) -> None:
        seqs = self.seqs
        if not seqs or seq > seqs[-1]:
            seqs.append(seq)
            self.first_ids.append(first_id)
            return
        index = bisect_left(seqs, seq)
        seqs.insert(index, seq)
        self.first_ids.insert(index, first_id)


class Seen:
    """The map of every terminal an import meets, each read once by ``read`` (from the
    session, :func:`terminal_seen`; or asked of the importing process, in its child)."""

    def __init__(self, read: Callable[[str], TerminalSeen]) -> None:
        self.read = read
        self.terminals: dict[str, TerminalSeen] = {}

    def of(self, terminal: str) -> TerminalSeen:
        found = self.terminals.get(terminal)
        if found is None:
            found = self.terminals[terminal] = self.read(terminal)
        return found


def terminal_seen(session: Session, directory: Directory, terminal: str) -> TerminalSeen:
    """What the base holds of one terminal; its source id from the writer's directory."""
    seen = TerminalSeen()
    source = directory.sources.get(terminal)
    if source is None:
        return seen
    for seq, first_id, op, ref in session.execute(
        select(Transfer.seq, Transfer.id, Transfer.op, Transfer.ref_id)
        .where(Transfer.source_id == source, Transfer.leg == 0)
        .order_by(Transfer.seq)
    ):
        seen.seqs.append(seq)
        seen.first_ids.append(first_id)
        if op == "void" and ref is not None:
            seen.voided.add(ref)
    return seen


def stored_entries(session: Session, first_ids: list[int]) -> dict[int, Entry]:
    """Rebuild the entries whose first transfers are ``first_ids``, a few queries in all."""
    from regie.ledger.models import Account, LedgerAsset, PointOfSale, Source

    rows: dict[int, list[Any]] = {}
    wanted = sorted(set(first_ids))
    # The first legs by primary key, their other legs through (source, seq): both indexed
    # (link_id is not: an index more would slow every import).
    head, leg = aliased(Transfer), aliased(Transfer)
    for start in range(0, len(wanted), 900):  # SQLite's limit on bound values
        for row in session.execute(
            select(
                leg.link_id,
                leg.source_id,
                leg.op,
                leg.method,
                leg.at,
                leg.tz_minutes,
                leg.seq,
                leg.pos_id,
                leg.ref_id,
                leg.details,
                leg.debit_id,
                leg.credit_id,
                leg.asset_id,
                leg.amount,
            )
            .join(head, (leg.source_id == head.source_id) & (leg.seq == head.seq))
            .where(head.id.in_(wanted[start : start + 900]))
            .order_by(leg.link_id, leg.leg)
        ):
            rows.setdefault(row.link_id, []).append(row)
    account_ids = {r.debit_id for legs in rows.values() for r in legs}
    account_ids |= {r.credit_id for legs in rows.values() for r in legs}
    names: dict[int, str] = {}
    ids = sorted(account_ids)
    for start in range(0, len(ids), 900):
        names.update(
            session.execute(
                select(Account.id, Account.name).where(Account.id.in_(ids[start : start + 900]))
            ).all()
        )
    assets = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    points = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
    sources = dict(session.execute(select(Source.id, Source.name)).all())
    entries = {}
    for first_id, legs in rows.items():
        head = legs[0]
        lines: tuple[SaleLine, ...] = ()
        if head.op in ("sale", "void") and head.details.startswith("["):
            lines = tuple(SaleLine(*item) for item in orjson.loads(head.details))
        entries[first_id] = Entry(
            source=sources.get(head.source_id, ""),
            op=head.op,
            method=head.method,
            at=head.at,
            tz_minutes=head.tz_minutes,
            seq=head.seq,
            pos=points.get(head.pos_id),
            ref=head.ref_id,
            details=head.details,
            lines=lines,
            legs=tuple(
                Leg(names[r.debit_id], names[r.credit_id], assets[r.asset_id], r.amount)
                for r in legs
            ),
        )
    return entries

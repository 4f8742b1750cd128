"""What the base holds of the journal, read for an import: a terminal's lines (the lean map
of :mod:`regie.ledger.journal_seen`) and the entries a replay is compared with or a void
cancels, rebuilt from their transfers."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from regie.ledger.accounts import Directory
from regie.ledger.entries import Entry, Leg, SaleLine
from regie.ledger.journal_seen import TerminalSeen
from regie.ledger.models import Account, LedgerAsset, PointOfSale, Source, Transfer


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

"""What the ledger already holds of each terminal, in a lean form: the import's idempotency map.

``(terminal, seq)`` is a line's key. Per terminal the map keeps two sorted arrays of 64-bit
integers (the seqs, and the id of each line's first transfer: 16 bytes a line, where a dict of
tuples took ten times that), and the seqs its voids cancelled. A terminal numbers its lines
in order, so a new line is appended; a line out of order is inserted where it belongs.
Each terminal is read from the base once, the first time one of its lines comes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.ledger.models import Source, Transfer


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
    """The map of every terminal an import meets (read from ``session`` on first use)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.terminals: dict[str, TerminalSeen] = {}

    def of(self, terminal: str) -> TerminalSeen:
        found = self.terminals.get(terminal)
        if found is None:
            found = self.terminals[terminal] = self._read(terminal)
        return found

    def _read(self, terminal: str) -> TerminalSeen:
        seen = TerminalSeen()
        source = self.session.scalar(select(Source.id).where(Source.name == terminal))
        if source is None:
            return seen
        for seq, first_id, op, ref in self.session.execute(
            select(Transfer.seq, Transfer.id, Transfer.op, Transfer.ref_id)
            .where(Transfer.source_id == source, Transfer.leg == 0)
            .order_by(Transfer.seq)
        ):
            seen.seqs.append(seq)
            seen.first_ids.append(first_id)
            if op == "void" and ref is not None:
                seen.voided.add(ref)
        return seen

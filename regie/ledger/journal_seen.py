"""What the ledger already holds of each terminal, in a lean form: the import's idempotency map.

``(terminal, seq)`` is a line's key. Per terminal the map keeps two sorted arrays of 64-bit
integers (the seqs, and the id of each line's first transfer: 16 bytes a line, where a dict of
tuples took ten times that), and the seqs its voids cancelled. A terminal numbers its lines
in order, so a new line is appended; a line out of order is inserted where it belongs.
Each terminal is read from the base once, the first time one of its lines comes; the
entries themselves are read back (:func:`regie.ledger.journal_stored.stored_entries`) only
to compare a replay or to void.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field


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
    session, :func:`regie.ledger.journal_stored.terminal_seen`; or asked of the importing
    process, in its child)."""

    def __init__(self, read: Callable[[str], TerminalSeen]) -> None:
        self.read = read
        self.terminals: dict[str, TerminalSeen] = {}

    def of(self, terminal: str) -> TerminalSeen:
        found = self.terminals.get(terminal)
        if found is None:
            found = self.terminals[terminal] = self.read(terminal)
        return found

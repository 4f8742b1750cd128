"""What the importer and its second process say to each other (:mod:`journal_parent`,
:mod:`journal_child`): the kinds of the messages, and the snapshot of the ledger the child
posts against. A module of its own: the child runs as ``__main__``, and a class it unpickles
from a module it runs would be imported a second time under its own name."""

from __future__ import annotations

from dataclasses import dataclass

from regie.ledger.attribution import AttributionState
from regie.ledger.books import WriterState
from regie.ledger.journal_rules import LineRules

# What the child says: (kind, ...).
INSERT, UPSERT, HEAD, PROGRESS, ASK, DONE = range(6)
# What it asks.
SEEN, ENTRIES, POINT_OF_SALE, SOURCE = range(4)


@dataclass(frozen=True)
class Snapshot:
    """Where the ledger stands when the import begins, read under the chain head's lock."""

    writer: WriterState
    accounts: dict[str, int]
    may_go_negative: dict[int, bool]
    assets: dict[str, int]
    points_of_sale: dict[str, int]
    sources: dict[str, int]
    next_account_id: int
    attribution: AttributionState
    rules: LineRules
    write_every: int  # lines posted between two frames of rows sent

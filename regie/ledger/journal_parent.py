"""The importer's side of an import posted by a second process (:mod:`journal_child`).

The importer locks the chain head, reads where the ledger stands (a :class:`Snapshot`:
balances, names, the attribution rules, the line rules) and hands it to the child with the
files; then it writes what the child sends — accounts, transfers (sealed here by their chain
hash), the caches and the head — in its own transaction, and answers what only the base
knows: what a terminal already sent, the entries a replay is compared with or a void
cancels, the id of a point of sale or a terminal met for the first time (created here).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy.orm import Session

from regie.ledger.accounts import Directory
from regie.ledger.books import Books, Sealer, UnknownKey
from regie.ledger.journal_checks import refuse
from regie.ledger.journal_mapper import Mapper, Signatures
from regie.ledger.journal_messages import (
    ASK,
    DONE,
    ENTRIES,
    HEAD,
    INSERT,
    POINT_OF_SALE,
    PROGRESS,
    SEEN,
    UPSERT,
    Snapshot,
)
from regie.ledger.journal_posting import WRITE_EVERY
from regie.ledger.journal_result import ImportCancelled, ImportResult
from regie.ledger.journal_rules import LineRules
from regie.ledger.journal_stored import stored_entries, terminal_seen
from regie.ledger.posting import SessionStore


def snapshot_of(writer: Books, rules: LineRules, write_every: int = WRITE_EVERY) -> Snapshot:
    d = writer.directory
    return Snapshot(
        writer=writer.state(),
        accounts=d.accounts,
        may_go_negative=d.may_go_negative,
        assets=d.assets,
        points_of_sale=d.pos,
        sources=d.sources,
        next_account_id=d.next_account_id(),
        attribution=writer.attribution.state(),
        rules=rules,
        write_every=write_every,
    )


def post_through(
    helper: Mapper,
    session: Session,
    writer: Books,
    rules: LineRules,
    signatures: Signatures,
    paths: list[Path],
    progress: Callable[[int, int], bool] | None,
    write_every: int = WRITE_EVERY,
) -> ImportResult | None:
    """The importer's side: give the child the files and the snapshot, write what it sends,
    answer what it asks. None when the child stopped before the end (the caller rolls back
    what was written and imports alone)."""
    directory = writer.directory
    store = SessionStore(session)
    # The keys of each transfer are checked as it is sealed (its ids read back as names):
    # no query over the rows written, and the same refusal as the foreign keys'.
    events = set(writer.attribution.state()[0].values())
    sealer = Sealer(directory, writer.last_hash, events)
    if not helper.give(paths, signatures, snapshot_of(writer, rules, write_every)):
        return None
    while True:
        message = helper.receive()
        if message is None:
            return None
        kind = message[0]
        if kind == INSERT:
            _, table, columns, rows = message
            if table == "transfer":
                try:
                    sealer.write(store, rows)
                except UnknownKey as unknown:
                    refuse([str(unknown)])
            else:
                if table == "account":
                    directory.learn_accounts(rows)
                store.insert(table, columns, rows)
        elif kind == UPSERT:
            store.upsert(*message[1:])
        elif kind == HEAD:
            store.head(message[1], sealer.last_hash, message[3])
        elif kind == PROGRESS:
            if progress is not None and not progress(message[1], message[2]):
                raise ImportCancelled()
        elif kind == ASK:
            helper.reply(_answer(session, directory, message[1], message[2]))
        elif kind == DONE:
            helper.done()
            return cast("ImportResult", message[1])


def _answer(session: Session, directory: Directory, question: int, about: Any) -> object:
    if question == SEEN:
        seen = terminal_seen(session, directory, about)
        return seen.seqs.tobytes(), seen.first_ids.tobytes(), sorted(seen.voided)
    if question == ENTRIES:
        return stored_entries(session, list(about))
    if question == POINT_OF_SALE:
        return directory.point_of_sale(about)
    name, kind = about
    return directory.source(name, kind)

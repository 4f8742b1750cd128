"""Import terminal journals (JSON Lines, DESIGN §4) into the ledger.

Every line is checked (file, line number, field); a file with any bad line imports nothing.
``(terminal, seq)`` is the idempotency key: the same line again changes nothing, the same key
with other content is a conflict. Progress is reported and the import can be cancelled:
both leave the database as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from regie.bulk import bulk_work
from regie.db import foreign_keys_checked_by_caller, sync_once_committed
from regie.ledger import bulk
from regie.ledger import journal_mapper as mapping
from regie.ledger.journal_checks import check_caches, check_new_transfers
from regie.ledger.journal_mapper import Mapper
from regie.ledger.journal_parent import post_through
from regie.ledger.journal_posting import SERVER_WRITE_EVERY, WRITE_EVERY, JournalPoster
from regie.ledger.journal_result import ImportCancelled, ImportResult, JournalRejected, LineProblem
from regie.ledger.journal_seen import Seen
from regie.ledger.journal_stored import stored_entries, terminal_seen
from regie.ledger.journal_trust import Trust, line_rules, record_unsigned, signatures_of
from regie.ledger.posting import Writer

__all__ = [  # the results and refusals are defined in journal_result, given here too
    "ImportCancelled",
    "ImportResult",
    "JournalImporter",
    "JournalRejected",
    "LineProblem",
    "import_journals",
]


class JournalImporter(JournalPoster):
    """Imports files into one transaction of the session: its head locked, its balances and
    names read, what a terminal already sent asked of it; ``progress(done_bytes,
    total_bytes)`` may cancel. In a big import the lines are posted by a second process
    (:meth:`import_through`), this one writes them."""

    writer: Writer

    def __init__(
        self,
        session: Session,
        progress: Callable[[int, int], bool] | None = None,
        trust: Trust | None = None,
    ) -> None:
        self.session = session
        writer = Writer(session, preload=True)
        super().__init__(
            writer,
            line_rules(session, trust),
            signatures_of(trust),
            Seen(functools.partial(terminal_seen, session, writer.directory)),
            functools.partial(stored_entries, session),
            progress,
            SERVER_WRITE_EVERY if bulk.dialect(session) == "postgresql" else WRITE_EVERY,
        )

    def import_through(self, helper: Mapper, paths: list[Path]) -> ImportResult | None:
        """The same import, its lines posted by the second process ``helper`` while this one
        writes; None when the helper stopped: what it sent is rolled back (a savepoint), the
        caller imports alone."""
        savepoint = self.session.begin_nested()
        try:
            result = post_through(
                helper,
                self.session,
                self.writer,
                self.rules,
                self.signatures,
                paths,
                self.progress,
                self.write_every,
            )
        except BaseException:
            savepoint.rollback()
            raise
        if result is None or result.problems:
            savepoint.rollback()
            if result is None:
                return None
            raise JournalRejected(result)
        savepoint.commit()
        if self.progress is not None:
            self.progress(1, 1)
        return result


def import_journals(
    session: Session,
    paths: list[Path],
    progress: Callable[[int, int], bool] | None = None,
    mapper: Mapper | None = None,
    trust: Trust | None = None,
) -> ImportResult:
    """Import journal files in the session's transaction: all of them, or nothing.
    ``mapper``: a second process started beforehand (this closes it); else one is started
    when the files are big enough. ``trust``: the fleet (:mod:`regie.ledger.journal_trust`):
    lines from paired terminals, signed, at their points of sale; None for Régie's own
    journals (the demo, tests), which only get the checks every import makes."""
    sync_once_committed(session)  # NORMAL while it writes, one full sync once committed
    if mapper is None:
        mapper = mapping.start(paths)
    try:
        foreign_keys_checked_by_caller(session)  # SQLite: once, over the new rows
        importer = JournalImporter(session, progress, trust)
        with bulk_work():  # regie.bulk: no collection pause while the rows pile up
            result = None if mapper is None else importer.import_through(mapper, paths)
            if result is None:  # alone: no second process, or it stopped
                if mapper is not None:
                    importer = JournalImporter(session, progress, trust)
                result = importer.import_files(paths)
                check_new_transfers(session, importer.first_new)  # (else checked as written)
        check_caches(session)
        if trust is not None and not trust.signed:
            record_unsigned(session, trust, result.files, result.lines)
        return result
    finally:
        if mapper is not None:
            mapper.close()

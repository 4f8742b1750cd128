"""The import's second process: it reads, checks and posts the lines; the importer writes them.

A big import is two loops of about the same weight: reading and posting the lines (decode,
checks, idempotency, voids, wallets, sales), and sealing (the hash chain) and writing the
rows. The importer locks the chain head, reads where the ledger stands (a
:class:`~regie.ledger.journal_messages.Snapshot`:
balances, names, the attribution rules, the line rules) and hands it to the child with the
files; the child posts every line exactly as the importer would (the same
:class:`~regie.ledger.journal_posting.JournalPoster` and :class:`~regie.ledger.books.Books`,
their rows sent through the pipe instead of written) and the importer seals and writes what
comes, in its own transaction, while the child goes on (:mod:`journal_parent`). It imports
neither SQLAlchemy nor the models: it starts in a tenth of a second.

What only the base knows is asked of the importer, which reads it in its transaction (so it
sees the rows it has just written): what a terminal already sent, the entries a replay is
compared with or a void cancels, and the id of a point of sale or a terminal met for the
first time (the importer creates them). Everything else the child keeps in memory.

Frames, both ways (:func:`journal_mapper.write_frame`): a length, a kind (``m``: marshal,
builtin values only, the rows; ``p``: pickle, the snapshot, stored entries and the result),
an Adler-32 of all three, then the body.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, cast

import orjson

from regie.i18n import set_language
from regie.ledger.accounts import Directory
from regie.ledger.attribution import Attribution
from regie.ledger.books import Books
from regie.ledger.entries import Entry
from regie.ledger.journal_mapper import Signatures, read_frame, write_frame
from regie.ledger.journal_messages import (
    ASK,
    DONE,
    ENTRIES,
    HEAD,
    INSERT,
    POINT_OF_SALE,
    PROGRESS,
    SEEN,
    SOURCE,
    UPSERT,
    Snapshot,
)
from regie.ledger.journal_posting import JournalPoster
from regie.ledger.journal_result import JournalRejected
from regie.ledger.journal_seen import Seen, TerminalSeen


class Parent:
    """The pipe to the importer: frames out, answers in."""

    def __init__(self, given: IO[bytes], out: IO[bytes]) -> None:
        self.given, self.out = given, out

    def say(self, value: object, *, builtin: bool = True) -> None:
        write_frame(self.out, value, builtin=builtin)

    def ask(self, question: int, about: object) -> Any:
        self.say((ASK, question, about))
        self.out.flush()
        return read_frame(self.given)

    def progress(self, done: int, total: int) -> bool:
        self.say((PROGRESS, done, total))
        self.out.flush()  # now, not with the next rows: a file of refused lines sends none
        return True  # a cancel is the importer's: it stops this process

    def seen(self, terminal: str) -> TerminalSeen:
        seqs, first_ids, voided = self.ask(SEEN, terminal)
        seen = TerminalSeen(voided=set(voided))
        seen.seqs.frombytes(seqs)
        seen.first_ids.frombytes(first_ids)
        return seen

    def entries(self, first_ids: list[int]) -> dict[int, Entry]:
        return cast("dict[int, Entry]", self.ask(ENTRIES, first_ids))


class PipeStore:
    """The writer's rows, sent to the importer that writes them."""

    def __init__(self, parent: Parent) -> None:
        self.parent = parent

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.parent.say((INSERT, table, tuple(columns), rows))

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        add: Sequence[str] = (),
        keep_existing: bool = False,
    ) -> None:
        if rows:
            self.parent.say(
                (UPSERT, table, tuple(key), tuple(columns), rows, tuple(add), keep_existing)
            )

    def head(self, last_id: int, last_hash: bytes, next_desk_seq: int) -> None:
        self.parent.say((HEAD, last_id, last_hash, next_desk_seq))


class ChildDirectory(Directory):
    """Every name the base held, loaded; a new point of sale or terminal is the importer's
    to create (it asks), a new account gets the next id here, as in the importer."""

    def __init__(self, snapshot: Snapshot, parent: Parent) -> None:
        super().__init__()
        self.parent = parent
        self.accounts, self.may_go_negative = snapshot.accounts, snapshot.may_go_negative
        self.assets, self.pos, self.sources = (
            snapshot.assets,
            snapshot.points_of_sale,
            snapshot.sources,
        )
        self._next_account_id = snapshot.next_account_id
        self.complete = True

    def _stored_asset(self, code: str) -> int | None:
        return None  # every asset the base holds is in the snapshot

    def _new_point_of_sale(self, name: str) -> int:
        return int(self.parent.ask(POINT_OF_SALE, name))

    def _new_source(self, name: str, kind: str) -> int:
        return int(self.parent.ask(SOURCE, (name, kind)))


def serve(language: str, given: IO[bytes], out: IO[bytes]) -> None:
    """The child: read the file names and the signatures' secrets (one JSON line), then post
    the files against the snapshot that follows."""
    set_language(language)  # the messages of bad lines in the user's language
    header = orjson.loads(given.readline() or b"{}")
    serve_posting(header, given, out)


def serve_posting(header: dict[str, Any], given: IO[bytes], out: IO[bytes]) -> None:
    """Post every line of the header's files against the snapshot the importer sends."""
    gc.disable()  # a short life that makes no cyclic garbage: nothing to collect
    snapshot: Snapshot = read_frame(given)
    parent = Parent(given, out)
    directory = ChildDirectory(snapshot, parent)
    writer = Books.resumed(
        snapshot.writer, PipeStore(parent), directory, Attribution.resumed(snapshot.attribution)
    )
    signatures = Signatures.from_plain(header)

    def seen(terminal: str) -> TerminalSeen:
        """What the base holds of a terminal: nothing, when it has no source there (the
        importer's answer too, :func:`regie.ledger.journal_stored.terminal_seen`), else asked."""
        if terminal not in directory.sources:
            return TerminalSeen()
        return parent.seen(terminal)

    importer = JournalPoster(
        writer,
        snapshot.rules,
        signatures,
        Seen(seen),
        parent.entries,
        parent.progress,
        snapshot.write_every,
    )
    paths = [Path(name) for name in header.get("paths", [])]
    try:
        result = importer.import_files(paths)
    except JournalRejected as rejected:
        result = rejected.result
    parent.say((DONE, result), builtin=False)
    out.flush()


def main(argv: list[str]) -> int:
    """Entry point of the child (``python -m regie.ledger.journal_child LANG``; in the
    bundle, ``regie --regie-journal-mapper LANG``)."""
    try:
        serve(argv[0] if argv else "fr", sys.stdin.buffer, sys.stdout.buffer)
    except (OSError, ValueError, EOFError):  # an unreadable file, or the importer left
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The lines of terminal journals read, checked and posted: one path for every line.

:class:`JournalPoster` is what an import does with its files, without a session: the importer
(:mod:`regie.ledger.journal_import`) runs it against its session, the import's second process
(:mod:`regie.ledger.journal_child`) against a snapshot, its rows sent through a pipe.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from regie.errors import UserError, unreadable
from regie.i18n import _
from regie.ledger import journal_mapper as mapping
from regie.ledger.books import Books
from regie.ledger.entries import Entry
from regie.ledger.journal_entry import BadLine, void_entry
from regie.ledger.journal_fast import WALLETS, unusual
from regie.ledger.journal_lines import blank, read_blocks, to_entry
from regie.ledger.journal_mapper import Signatures
from regie.ledger.journal_quick import quick_poster
from regie.ledger.journal_result import ImportCancelled, ImportResult, JournalRejected, LineProblem
from regie.ledger.journal_rules import LineRules
from regie.ledger.journal_seen import Seen

# Lines posted between two writes of their transfers: in a big import, the second process's
# frames. On SQLite small, so that the importer starts writing a tenth of a second after the
# first line, and is done a few hundredths after the last (10,000 kept it idle 0.1 s at each
# end). On PostgreSQL each statement that adds transfers runs the key check over them
# (migration 0015), which costs mostly per statement: the million took 33 s in frames of
# 2,500 lines, 18.9 s in frames of 10,000 and 16.3 s in frames of 20,000.
WRITE_EVERY = 2_500
SERVER_WRITE_EVERY = 20_000
# Lines whose entries stay in memory once written, twice over: a void or a replay of a line
# posted minutes before finds it there, not in the base.
KEEP_POSTED = 10_000
REPLAY_BATCH = 5_000


class JournalPoster:
    """Reads, checks and posts the lines of files into its books; ``progress(done_bytes,
    total_bytes)`` may cancel.

    One path for every line: decoded (fast path first), checked, found or not in the lean map
    of what the ledger holds (:mod:`journal_seen`: a replay, a conflict or a new line), posted
    by the one writer. Transfers are written every ``write_every`` lines, the caches once
    at the end. It reads nothing from the base itself: what it must know is asked through
    ``seen`` and ``stored`` — of the session (:class:`regie.ledger.journal_import.
    JournalImporter`), or of the importing process in the import's second process
    (:mod:`journal_child`)."""

    def __init__(
        self,
        writer: Books,
        rules: LineRules,
        signatures: Signatures,
        seen: Seen,
        stored: Callable[[list[int]], dict[int, Entry]],
        progress: Callable[[int, int], bool] | None,
        write_every: int = WRITE_EVERY,
    ) -> None:
        self.writer, self.rules, self.signatures, self.seen = writer, rules, signatures, seen
        self.write_every = write_every
        self.stored, self.progress = stored, progress
        self.first_new = writer.last_id + 1
        self.result = ImportResult()
        # The entries posted last (those not written yet among them: their transfers are not
        # readable from the base), and the batch before: a void or a replay is most often of
        # a line posted minutes before, found here rather than asked of the base.
        self.recent: dict[tuple[str, int], Entry | bytes] = {}
        self.before: dict[tuple[str, int], Entry | bytes] = {}
        self.replays: list[tuple[str, int, Entry, int]] = []  # path, line, entry, first id

    def _original(self, terminal: str, seq: int) -> Entry | None:
        recent = self._posted(terminal, seq)
        if recent is not None:
            return recent
        first = self.seen.of(terminal).first_id(seq)
        return None if first is None else self.stored([first])[first]

    def _posted(self, terminal: str, seq: int) -> Entry | None:
        """An entry of this import's last lines (:data:`KEEP_POSTED` of them at least, and
        every one not written yet), if it is one (the tight loop keeps the line itself: it
        is mapped again on the rare day a void or a replay asks)."""
        key = (terminal, seq)
        found = self.recent.get(key)
        if found is None:
            found = self.before.get(key)
        if type(found) is bytes:
            kind, payload = mapping.map_line(found, self.signatures)
            if kind != mapping.ENTRY:  # the tight loop took it: the fast path takes it too
                raise RuntimeError(f"{terminal} n°{seq} : ligne retenue illisible")
            return cast(Entry, payload)
        return cast("Entry | None", found)

    def import_files(self, paths: list[Path]) -> ImportResult:
        """Import ``paths`` in order: every line posted and written, or JournalRejected.
        The common lines go through the tight loop, the others are mapped and taken."""
        total = 0
        for path in paths:
            try:
                total += path.stat().st_size
            except OSError as error:  # before a single line is read
                raise unreadable(path, error) from None
        total = total or 1
        done = 0
        progress, signatures = self.progress, self.signatures
        self.result.files.extend(str(path) for path in paths)
        quick = quick_poster(
            self.writer, self.rules, signatures, self.seen, self.result, self.remember
        )
        try:
            for path in paths:
                done = self._read(path, quick, done, total)
        finally:
            WALLETS.clear()  # a card's look is kept for one import
        self._check_replays()
        if self.result.problems:
            order = {name: index for index, name in enumerate(self.result.files)}
            self.result.problems.sort(key=lambda problem: (order[problem.path], problem.line))
            raise JournalRejected(self.result)
        self.writer.write_journal()
        self.writer.write_caches()
        if progress is not None:
            progress(total, total)
        return self.result

    def _read(self, path: Path, quick: Callable[[bytes, bool], bool], done: int, total: int) -> int:
        """Each line of ``path`` posted by the tight loop, or taken by the general path; the
        bytes done after it."""
        progress, mapped, signatures, number = self.progress, self._mapped, self.signatures, 0
        try:
            for lines in read_blocks(path):
                if progress and not progress(done, total):  # 100 % once written
                    raise ImportCancelled()
                block = lines[0] if len(lines) == 1 else b"".join(lines)
                usual = not unusual(block)  # then no line of it needs the look
                for raw in lines:
                    number += 1
                    if not quick(raw, usual) and not blank(raw):
                        mapped(path, number, *mapping.map_line(raw, signatures))
                done += len(block)
        except OSError as error:
            raise unreadable(path, error) from error
        return done

    def _mapped(self, path: Path, number: int, kind: int, payload: Any) -> None:
        """One line, decoded here or by the mapper: post it, or say why it cannot be."""
        self.result.lines += 1
        try:
            if kind == mapping.ENTRY:
                entry = payload
            elif kind == mapping.VOID:
                terminal, seq, at, tz, ref = payload
                entry = void_entry(terminal, seq, at, tz, ref, self._original(terminal, ref))
            elif kind == mapping.DECODED:
                entry = to_entry(payload, self._original)
            elif kind == mapping.BAD_LINE:
                raise BadLine(*payload)
            elif kind == mapping.BAD_JSON:
                message = _("JSON illisible (coupé ou mal formé au caractère {n})")
                raise BadLine("", message.format(n=payload))
            else:
                raise BadLine("", "objet JSON attendu")
            self._take(path, number, entry)
        except BadLine as error:
            self._problem(path, number, error.field, str(error))
        except UserError as error:
            self._problem(path, number, "", str(error))

    def _problem(self, path: Path, number: int, field: str, message: str) -> None:
        self.result.problems.append(LineProblem(str(path), number, field, message))

    def _take(self, path: Path, number: int, entry: Entry) -> None:
        """Post a checked entry, or replay it (the same line again), or raise why not."""
        self.rules.check_entry(entry)
        seq = entry.seq or 0
        terminal = self.seen.of(entry.source)
        first = terminal.first_id(seq)
        if first is not None:
            self._replay(entry, path, number, first)
            return
        if entry.op == "void" and (entry.ref or 0) in terminal.voided:
            raise BadLine("ref", _("l'opération n°{ref} est déjà annulée").format(ref=entry.ref))
        terminal.add(seq, self.writer.append(entry))
        if entry.op == "void":
            terminal.voided.add(entry.ref or 0)
        self.remember(entry.source, seq, entry)
        result = self.result
        result.imported += 1
        result.transfers += len(entry.legs)

    def remember(self, source: str, seq: int, entry: Entry | bytes) -> None:
        """A line just posted (its entry, or the line itself); its transfers written every
        :attr:`write_every` lines. The entries not written yet are always in memory: the
        base cannot give them back."""
        recent = self.recent
        recent[(source, seq)] = entry
        if not len(recent) % self.write_every:
            self.writer.write_journal()
            if len(recent) >= KEEP_POSTED:
                self.before, self.recent = recent, {}

    def _replay(self, entry: Entry, path: Path, number: int, first: int) -> None:
        """A line the ledger holds: the same content is a replay, other content a conflict.
        Lines written before are compared in batches (a few queries per thousand)."""
        earlier = self._posted(entry.source, entry.seq or 0)
        if earlier is None:
            self.replays.append((str(path), number, entry, first))
            if len(self.replays) >= REPLAY_BATCH:
                self._check_replays()
            return
        if earlier != entry:
            raise UserError(_conflict(entry))
        self.result.replayed += 1

    def _check_replays(self) -> None:
        pending, self.replays = self.replays, []
        if not pending:
            return
        stored = self.stored([first for *_, first in pending])
        for path, number, entry, first in pending:
            if stored[first] == entry:
                self.result.replayed += 1
            else:
                self.result.problems.append(LineProblem(path, number, "", _conflict(entry)))


def _conflict(entry: Entry) -> str:
    return _("{source} n°{seq} existe déjà avec un autre contenu (conflit)").format(
        source=entry.source, seq=entry.seq
    )

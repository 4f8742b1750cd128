"""Import terminal journals (JSON Lines, DESIGN §4) into the ledger.

Every line is checked (file, line number, field); a file with any bad line imports nothing.
``(terminal, seq)`` is the idempotency key: the same line again changes nothing, the same key
with other content is a conflict. Progress is reported and the import can be cancelled:
both leave the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from regie.bulk import bulk_work
from regie.db import foreign_keys_checked_by_caller, sync_once_committed
from regie.errors import UserError, unreadable
from regie.i18n import _, format_number, ngettext
from regie.ledger import journal_mapper as mapping
from regie.ledger.entries import Entry
from regie.ledger.journal_checks import check_new_rows
from regie.ledger.journal_entry import BadLine, void_entry
from regie.ledger.journal_lines import read_lines, to_entry
from regie.ledger.journal_mapper import Mapper
from regie.ledger.journal_seen import Seen, stored_entries
from regie.ledger.journal_trust import LineRules, Trust, record_unsigned, signatures_of
from regie.ledger.posting import Writer

WRITE_EVERY = 20_000  # lines posted between two writes of their transfers
REPLAY_BATCH = 5_000


@dataclass(frozen=True)
class LineProblem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}, ligne {self.line}"
        return (
            f"{where}, champ {self.field} : {self.message}"
            if self.field
            else (f"{where} : {self.message}")
        )


@dataclass
class ImportResult:
    files: list[str] = field(default_factory=list)
    lines: int = 0
    imported: int = 0
    replayed: int = 0
    transfers: int = 0
    problems: list[LineProblem] = field(default_factory=list)

    def summary(self) -> str:
        """« 12 lignes lues : 10 importées (2 transferts), 2 déjà connues. »"""
        return _("{lines} : {imported} ({transfers}), {replayed}.").format(
            lines=ngettext("{n} ligne lue", "{n} lignes lues", self.lines).format(
                n=format_number(self.lines)
            ),
            imported=ngettext("{n} importée", "{n} importées", self.imported).format(
                n=format_number(self.imported)
            ),
            transfers=ngettext("{n} transfert", "{n} transferts", self.transfers).format(
                n=format_number(self.transfers)
            ),
            replayed=ngettext("{n} déjà connue", "{n} déjà connues", self.replayed).format(
                n=format_number(self.replayed)
            ),
        )


class JournalRejected(UserError):
    def __init__(self, result: ImportResult) -> None:
        shown = [str(problem) for problem in result.problems[:50]]
        more = len(result.problems) - len(shown)
        if more:
            shown.append(
                ngettext("… et {more} autre erreur", "… et {more} autres erreurs", more).format(
                    more=more
                )
            )
        shown.append(_("Rien n'a été importé."))
        super().__init__("\n".join(shown))
        self.result = result


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__(_("import annulé : rien n'a été importé"))


class JournalImporter:
    """Imports files into one transaction; ``progress(done_bytes, total_bytes)`` may cancel.

    One path for every line: decoded (here or by the mapper, fast path first), checked,
    found or not in the lean map of what the ledger holds (:mod:`journal_seen`: a replay, a
    conflict or a new line), posted by the one writer. Transfers are written every
    :data:`WRITE_EVERY` lines, the caches once at the end."""

    def __init__(
        self,
        session: Session,
        progress: Callable[[int, int], bool] | None = None,
        trust: Trust | None = None,
    ) -> None:
        self.session = session
        self.progress = progress
        self.rules = LineRules.load(session, trust)
        self.signatures = signatures_of(trust)
        self.writer = Writer(session, preload=True)
        self.first_new = self.writer.last_id + 1
        self.result = ImportResult()
        self.seen = Seen(session, self.writer.directory)
        # Entries posted since the last write (their transfers not readable from the base yet).
        self.recent: dict[tuple[str, int], Entry] = {}
        self.replays: list[tuple[str, int, Entry, int]] = []  # path, line, entry, first id

    def _original(self, terminal: str, seq: int) -> Entry | None:
        recent = self.recent.get((terminal, seq))
        if recent is not None:
            return recent
        first = self.seen.of(terminal).first_id(seq)
        return None if first is None else stored_entries(self.session, [first])[first]

    def import_files(self, paths: list[Path], mapper: Mapper | None = None) -> ImportResult:
        """Import ``paths`` in order; ``mapper`` (a child process) may decode and check the
        lines meanwhile: the result is the same, only sooner."""
        total = 0
        for path in paths:
            try:
                total += path.stat().st_size
            except OSError as error:  # before a single line is read
                raise unreadable(path, error) from None
        total = total or 1
        done = 0
        for index, path in enumerate(paths):
            self.result.files.append(str(path))
            mapped = 0  # lines the mapper handled; the importer reads the others itself
            try:
                if mapper is not None:
                    for _file, number, size, kind, payload in mapper.items(index):
                        done += size
                        mapped = number
                        self._mapped(path, number, kind, payload)
                        if self.progress and number % 5000 == 0 and not self.progress(done, total):
                            raise ImportCancelled()
                    if mapper.alive:
                        continue
                for number, raw in read_lines(path):
                    if number <= mapped:
                        continue
                    done += len(raw)
                    kind, payload = mapping.map_line(raw, self.signatures)
                    self._mapped(path, number, kind, payload)
                    if self.progress and number % 5000 == 0 and not self.progress(done, total):
                        raise ImportCancelled()
            except OSError as error:
                raise unreadable(path, error) from error
        self._check_replays()
        if self.result.problems:
            order = {name: index for index, name in enumerate(self.result.files)}
            self.result.problems.sort(key=lambda problem: (order[problem.path], problem.line))
            raise JournalRejected(self.result)
        self.writer.write_journal()
        self.writer.write_caches()
        check_new_rows(self.session, self.first_new)
        if self.progress is not None:
            self.progress(total, total)
        return self.result

    def _mapped(self, path: Path, number: int, kind: int, payload: Any) -> None:
        """One line, decoded here or by the mapper: post it, or say why it cannot be."""
        self.result.lines += 1
        try:
            if kind == mapping.ENTRY:
                entry = payload if type(payload) is Entry else mapping.from_plain(payload)
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
        posted = self.writer.post(entry, check_existing=False)
        terminal.add(seq, posted.ids[0])
        if entry.op == "void":
            terminal.voided.add(entry.ref or 0)
        self.recent[(entry.source, seq)] = entry
        if len(self.recent) >= WRITE_EVERY:
            self.writer.write_journal()
            self.recent = {}
        self.result.imported += 1
        self.result.transfers += len(posted.ids)

    def _replay(self, entry: Entry, path: Path, number: int, first: int) -> None:
        """A line the ledger holds: the same content is a replay, other content a conflict.
        Lines written before are compared in batches (a few queries per thousand)."""
        earlier = self.recent.get((entry.source, entry.seq or 0))
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
        stored = stored_entries(self.session, [first for *_, first in pending])
        for path, number, entry, first in pending:
            if stored[first] == entry:
                self.result.replayed += 1
            else:
                self.result.problems.append(LineProblem(path, number, "", _conflict(entry)))


def _conflict(entry: Entry) -> str:
    return _("{source} n°{seq} existe déjà avec un autre contenu (conflit)").format(
        source=entry.source, seq=entry.seq
    )


def import_journals(
    session: Session,
    paths: list[Path],
    progress: Callable[[int, int], bool] | None = None,
    mapper: Mapper | None = None,
    trust: Trust | None = None,
) -> ImportResult:
    """Import journal files in the session's transaction: all of them, or nothing.
    ``mapper``: a child process started beforehand (this closes it); else one is started when
    the files are big enough. ``trust``: the fleet (:mod:`regie.ledger.journal_trust`): lines
    from paired terminals, signed, at their points of sale; None for Régie's own journals
    (the demo, tests), which only get the checks every import makes."""
    sync_once_committed(session)  # NORMAL while it writes, one full sync once committed
    signatures = signatures_of(trust)
    if mapper is None:
        mapper = mapping.start(paths, signatures=signatures)
    else:
        mapper.read(paths, signatures)
    try:
        foreign_keys_checked_by_caller(session)  # SQLite: once, over the new rows
        importer = JournalImporter(session, progress, trust)
        with bulk_work():  # regie.bulk: no collection pause while the lines pile up
            result = importer.import_files(paths, mapper)
        if trust is not None and not trust.signed:
            record_unsigned(session, trust, result.files, result.lines)
        return result
    finally:
        if mapper is not None:
            mapper.close()

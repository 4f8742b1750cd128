"""Pull a terminal's journal over the link and hand it to the ledger, exactly once.

Régie asks for the lines after the last one it already holds (``terminal.last_seq``), imports
what came (all of it, or what arrived before the cable was pulled: the next pull resumes
there), then tells the terminal how far it may consider its journal handed over. The lines
are kept as received in the data directory (``journaux/<terminal>/``).

Importing is idempotent by (terminal, seq) in the ledger; a run of lines already pulled is
recognised by its SHA-256 and skipped without asking the ledger line by line.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlalchemy import select

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import _, ngettext
from regie.ledger import journal_mapper as mapping
from regie.ledger.journal_import import import_journals
from regie.ledger.journal_mapper import Mapper
from regie.paths import data_dir
from regie.terminals.link import LinkError, LinkStats, Progress, TerminalLink
from regie.terminals.models import JournalPull
from regie.terminals.pairing import NotPaired, WrongTerminal, check_identity, identity, pull_secret
from regie.terminals.registry import find_terminal, note_hello, record_event
from regie.terminals.trust import fleet_trust

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class PullResult:
    terminal: str
    port: str
    ok: bool
    message: str
    received: int = 0
    imported: int = 0
    already: int = 0  # received again, already in the ledger
    since: int = 0
    last_seq: int = 0  # Régie now holds the journal up to here
    newest: int = 0  # the terminal's newest line
    seconds: float = 0.0
    stats: LinkStats = field(default_factory=LinkStats)
    command: str | None = None  # the message in the command line's words, when they differ

    @property
    def complete(self) -> bool:
        return self.ok and self.last_seq >= self.newest

    def on_command_line(self) -> str:
        """What ``regie terminals pull`` prints (``message`` is the window's)."""
        return self.command if self.command is not None else self.message

    def refused(self, error: UserError) -> None:
        """Nothing was pulled: ``error`` says why, each face in its words."""
        self.message = f"{self.terminal} : {error}"
        if error.command is not None:
            self.command = f"{self.terminal} : {error.command}"


@dataclass
class Received:
    lines: list[bytes] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)


def archive_dir() -> Path:
    return data_dir() / "journaux"


def _parse(name: str, batch: bytes, since: int, into: Received) -> None:
    for raw in batch.split(b"\n"):
        if not raw:
            continue
        try:
            line = orjson.loads(raw)
            terminal, seq = line["terminal"], int(line["seq"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise LinkError(
                _("le terminal a envoyé une ligne illisible après le n°{since}").format(since=since)
            ) from None
        last = into.seqs[-1] if into.seqs else since
        if terminal != name or seq <= last:
            raise LinkError(
                _(
                    "ligne n°{seq} de {terminal} incohérente (attendu {name}, après le n°{last})"
                ).format(seq=seq, terminal=terminal, name=name, last=last)
            )
        into.lines.append(raw + b"\n")
        into.seqs.append(seq)


def pull_terminal(
    db: Database,
    name: str,
    port: str,
    *,
    since: int | None = None,
    progress: Progress | None = None,
    timeout: float = 3.0,
    line_rate: int | None = None,
    archive: Path | None = None,
) -> PullResult:
    """Fetch the journal lines Régie does not hold yet and import them into the ledger."""
    report = progress or (lambda _stage, _done, _total: None)
    started = time.monotonic()
    with db.session() as session:
        terminal = find_terminal(session, name)
        start = terminal.last_seq if since is None else since
        who = identity(session, name)
    result = PullResult(terminal=name, port=port, ok=False, message="", since=start, last_seq=start)
    received = Received()
    interrupted: LinkError | None = None
    mapper: Mapper | None = None
    link = TerminalLink(port, timeout=timeout, line_rate=line_rate)
    try:
        link.open()
        report("connexion", 0, 0)
        hello = link.greet()
        check_identity(hello, name, who.serial, port)
        secret = pull_secret(hello, who, port)  # a terminal that cannot sign is not pulled
        result.newest = hello.journal_last
        # A big journal: the process that will read it gets ready while the lines come.
        mapper = mapping.start(lines=result.newest - start)
        position = start
        while position < result.newest:
            batch, last, newest = link.journal_batch(position, secret=secret)
            result.newest = newest
            if not batch:
                break
            _parse(name, batch, position, received)
            position = last
            report(_("relevé"), position - start, max(newest - start, 1))
    except (NotPaired, WrongTerminal) as error:  # refused before a single line came
        result.refused(error)
        _record(db, result, link)
        link.close()
        report(_("échec"), 0, 1)
        return result
    except LinkError as error:
        interrupted = error
    result.received = len(received.lines)
    try:
        if received.lines:
            report("import", 0, result.received)
            _import(db, result, received, archive or archive_dir(), mapper)
    except UserError as error:  # the ledger refused the lines: nothing was imported
        result.refused(error)
        _record(db, result, link)
        link.close()
        return result
    finally:
        if mapper is not None:
            mapper.close()
    if interrupted is None and result.last_seq > 0:
        try:
            link.acknowledge(result.last_seq)
        except LinkError as error:  # the terminal learns it at the next pull
            log.info("acquittement non transmis à %s : %s", name, error)
    link.close()
    result.ok = interrupted is None
    result.seconds, result.stats = time.monotonic() - started, link.stats
    result.message = _message(result, interrupted)
    _record(db, result, link)
    report(_("terminé") if result.ok else _("échec"), result.received, max(result.received, 1))
    return result


def _message(result: PullResult, interrupted: LinkError | None) -> str:
    got = ngettext(
        "{received} opération reçue", "{received} opérations reçues", result.received
    ).format(received=result.received)
    if result.received:
        got += ngettext(
            ", {imported} importée au grand livre",
            ", {imported} importées au grand livre",
            result.imported,
        ).format(imported=result.imported)
        if result.already:
            got += ngettext(
                ", {already} déjà présente", ", {already} déjà présentes", result.already
            ).format(already=result.already)
    if interrupted is None:
        if not result.received:
            return _("{terminal} : rien de nouveau (journal relevé jusqu'au n°{last_seq})").format(
                terminal=result.terminal, last_seq=result.last_seq
            )
        return _("{terminal} : {got} (journal relevé jusqu'au n°{last_seq})").format(
            terminal=result.terminal, got=got, last_seq=result.last_seq
        )
    return _(
        "{terminal} : {interrupted}. {capitalize} ; le prochain relevé reprendra au n°{last_seq}."
    ).format(
        terminal=result.terminal,
        interrupted=interrupted,
        capitalize=got.capitalize(),
        last_seq=result.last_seq + 1,
    )


def _import(
    db: Database, result: PullResult, received: Received, folder: Path, mapper: Mapper | None
) -> None:
    """Skip the runs already pulled byte for byte, import the rest, move the mark forward:
    one transaction."""
    lines, seqs = received.lines, received.seqs
    with db.session() as session:
        terminal = find_terminal(session, result.terminal)
        index = {seq: i for i, seq in enumerate(seqs)}
        dropped: set[int] = set()
        for run in session.scalars(
            select(JournalPull).where(
                JournalPull.terminal_id == terminal.id,
                JournalPull.last_seq >= seqs[0],
                JournalPull.first_seq <= seqs[-1],
            )
        ):
            i, j = index.get(run.first_seq), index.get(run.last_seq)
            if i is None or j is None or j - i + 1 != run.lines:
                continue
            if hashlib.sha256(b"".join(lines[i : j + 1])).hexdigest() == run.digest:
                dropped.update(range(i, j + 1))
        fresh = [k for k in range(len(lines)) if k not in dropped]
        result.already = len(dropped)
        if fresh:
            body = b"".join(lines[k] for k in fresh)
            first, last = seqs[fresh[0]], seqs[fresh[-1]]
            path = _archive_path(folder, result.terminal, first, last)
            path.write_bytes(body)
            imported = import_journals(session, [path], mapper=mapper, trust=fleet_trust(session))
            result.imported = imported.imported
            result.already += imported.replayed
            session.add(
                JournalPull(
                    terminal_id=terminal.id,
                    at=clock.now(),
                    first_seq=first,
                    last_seq=last,
                    lines=len(fresh),
                    imported=imported.imported,
                    digest=hashlib.sha256(body).hexdigest(),
                    archive=str(path),
                )
            )
        terminal.last_seq = max(terminal.last_seq, seqs[-1])
        result.last_seq = terminal.last_seq


def _archive_path(folder: Path, terminal: str, first: int, last: int) -> Path:
    where = folder / terminal
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"{terminal}-{first:09d}-{last:09d}.jsonl"
    if path.exists():  # the same run received again with other bytes: keep both
        path = path.with_name(f"{path.stem}-{int(time.time())}.jsonl")
    return path


def _record(db: Database, result: PullResult, link: TerminalLink) -> None:
    with db.session() as session:
        terminal = find_terminal(session, result.terminal)
        if link.hello is not None:
            note_hello(session, terminal, link.hello, result.port)
        record_event(session, terminal, "pull", result.ok, result.port, result.message)

"""Decoding and checking journal lines in a second process while the importer posts them.

A line costs about as much to decode and check (orjson, :func:`to_entry`) as to post and
write; a production-office laptop has two cores or more. For a big import a child process reads
the files, maps each line and sends the results back in batches, as plain tuples (``marshal``:
a few µs a line); the importer posts them in the files' order, in its own transaction, exactly
as it would have mapped them itself.

Void lines come back decoded but not mapped: only the importer knows the entries they cancel.
When the child cannot start, or stops, the importer maps the lines it did not get itself: an
import never depends on the child to be right or complete.

``REGIE_JOURNAL_MAPPER=process`` or ``inline`` forces one way (tests, the bundle check).
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from regie.i18n import _, language, set_language
from regie.ledger.entries import Entry
from regie.ledger.journal_fast import VoidLine, fast_entry
from regie.ledger.journal_lines import MAX_LINE_BYTES, BadLine, read_lines, to_entry, too_long
from regie.ledger.journal_signature import mac_matches, split_mac

log = logging.getLogger(__name__)

MAPPER_ENV = "REGIE_JOURNAL_MAPPER"
WORTH_IT = 4_000_000  # bytes of journal (about 15,000 lines) below which one process is quicker
LINE_SIZE = 260  # bytes of a typical journal line
BATCH = 2_000

# What the child says about one line: (file index, line number, bytes, kind, payload).
ENTRY, VOID, DECODED, BAD_LINE, BAD_JSON, NOT_OBJECT = range(6)
Item = tuple[int, int, int, int, Any]


@dataclass(frozen=True, kw_only=True)
class Signatures:
    """The paired terminals' secrets, and whether every line must be signed by its own."""

    secrets: dict[str, bytes] = field(default_factory=dict)
    required: bool = False

    def check(self, body: bytes, mac: bytes | None, terminal: object) -> None:
        """Raise BadLine unless ``mac`` is the line's signature by its terminal (when
        required); ``body``: the line without its MAC (:func:`opened`)."""
        if not self.required:
            return
        secret = self.secrets.get(terminal) if isinstance(terminal, str) else None
        if secret is None:
            raise BadLine("terminal", unpaired(terminal))
        if mac is None:
            raise BadLine("mac", _("ligne non signée par le terminal"))
        if not mac_matches(secret, body, mac):
            raise BadLine("mac", _("signature fausse : ligne modifiée ou d'un autre terminal"))

    def plain(self) -> dict[str, Any]:
        return {"required": self.required, "secrets": {k: v.hex() for k, v in self.secrets.items()}}

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Signatures:
        secrets = {str(k): bytes.fromhex(v) for k, v in (data.get("secrets") or {}).items()}
        return cls(secrets=secrets, required=bool(data.get("required")))


NO_SIGNATURES = Signatures()


def unpaired(terminal: object) -> str:
    return _(
        "{terminal} n'est pas un terminal appairé à cet ordinateur : envoyez-lui sa "
        "configuration par le câble, ou importez le fichier comme non signé (un responsable, "
        "en disant pourquoi)"
    ).format(terminal=terminal)


def _forced() -> bool | None:
    forced = os.environ.get(MAPPER_ENV, "")
    return forced == "process" if forced in ("process", "inline") else None


def wanted(paths: list[Path]) -> bool:
    """Whether a child process is worth its start (a tenth of a second of the other core)."""
    forced = _forced()
    if forced is not None:
        return forced
    try:
        size = sum(path.stat().st_size for path in paths)
    except OSError:
        return False  # the importer says which file it cannot read
    return size >= WORTH_IT and (os.cpu_count() or 1) > 1


def wanted_for(lines: int) -> bool:
    """The same, before the files exist: a pull that expects ``lines`` lines."""
    forced = _forced()
    if forced is not None:
        return forced
    return lines * LINE_SIZE >= WORTH_IT and (os.cpu_count() or 1) > 1


def plain(entry: Entry) -> tuple[Any, ...]:
    """An entry as builtin tuples (what ``marshal`` carries)."""
    return (
        *entry[:5],
        tuple(map(tuple, entry.legs)),
        *entry[6:11],
        tuple(map(tuple, entry.lines)),
        entry.source_kind,
        entry.event,
    )


def from_plain(values: tuple[Any, ...]) -> Entry:
    """The entry back from ``marshal``: its legs and lines stay plain tuples (readers unpack
    them; rebuilding a million named tuples would cost a tenth of the import)."""
    return tuple.__new__(Entry, values)


def opened(raw: bytes) -> tuple[bytes, bytes | None]:
    """A line without its MAC (decoded as fast as an unsigned one), and the MAC if any."""
    parts = split_mac(raw) if raw.endswith((b'"}\n', b'"}')) else None
    return parts if parts is not None else (raw, None)


def decode(raw: bytes) -> tuple[int, Any]:
    """A line's JSON object (DECODED), or why it has none."""
    if len(raw) > MAX_LINE_BYTES:
        return BAD_LINE, ("", too_long(len(raw)))
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return BAD_JSON, error.pos + 1  # where it breaks; the parser's own words are English
    if not isinstance(data, dict):
        return NOT_OBJECT, None
    return DECODED, data


def map_line(raw: bytes, signatures: Signatures = NO_SIGNATURES) -> tuple[int, Any]:
    """One line mapped: its entry (ENTRY), a void's values (VOID: the entry it cancels is the
    importer's to find), a line decoded for the importer to word (DECODED), or what is wrong.
    The fast path first (:mod:`journal_fast`); the field checks for what it does not take."""
    body, mac = opened(raw)
    fast = fast_entry(body)
    if fast is not None:
        terminal = fast.terminal if isinstance(fast, VoidLine) else fast.source
        try:
            signatures.check(body, mac, terminal)
        except BadLine as error:
            return BAD_LINE, (error.field, str(error))
        if isinstance(fast, VoidLine):
            return VOID, (fast.terminal, fast.seq, fast.at, fast.tz_minutes, fast.ref)
        return ENTRY, fast
    kind, data = decode(body)
    if kind != DECODED:
        return kind, data
    try:
        signatures.check(body, mac, data.get("terminal"))
        if data.get("op") == "void":
            return kind, data
        return ENTRY, to_entry(data, _no_original)
    except BadLine as error:
        return BAD_LINE, (error.field, str(error))


def _no_original(_terminal: str, _seq: int) -> Entry | None:  # pragma: no cover - voids stay
    return None


CHILD_FLAG = "--regie-journal-mapper"  # how the bundled executable knows it is the child
HEADER = struct.Struct("<I")  # each message: its length, then marshal bytes


def child_command(language: str) -> list[str]:
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: the regie executable itself
        return [sys.executable, CHILD_FLAG, language]
    return [sys.executable, "-m", "regie.ledger.journal_mapper", language]


def serve(language: str, paths_in: BinaryIO, out: BinaryIO) -> None:
    """The child: read the file names (one JSON line), map every line of every file in order,
    and say when each file ends."""
    set_language(language)  # the messages of bad lines in the user's language

    def send(message: list[Item] | int) -> None:
        body = marshal.dumps(message)
        out.write(HEADER.pack(len(body)))
        out.write(body)

    given = orjson.loads(paths_in.readline() or b"[]")
    paths: list[str] = given["paths"] if isinstance(given, dict) else given
    signatures = Signatures.from_plain(given) if isinstance(given, dict) else NO_SIGNATURES
    for index, name in enumerate(paths):
        batch: list[Item] = []
        for number, raw in read_lines(Path(name)):
            kind, payload = map_line(raw, signatures)
            if kind == ENTRY:
                payload = plain(payload)
            batch.append((index, number, len(raw), kind, payload))
            if len(batch) >= BATCH:
                send(batch)
                batch = []
        if batch:
            send(batch)
        send(index)  # this file is complete
        out.flush()


def main(argv: list[str]) -> int:
    """Entry point of the child (``python -m regie.ledger.journal_mapper LANG``)."""
    try:
        serve(argv[0] if argv else "fr", sys.stdin.buffer, sys.stdout.buffer)
    except (OSError, ValueError):  # an unreadable file, or the importer left: it goes on alone
        return 1
    return 0


class Mapper:
    """The child process: start it early (it takes a tenth of a second to be ready), give it
    the files with :meth:`read`, then iterate :meth:`items` for one file after another."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            child_command(language()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.alive = True
        self.files_left = -1  # no files given yet

    def read(self, paths: list[Path], signatures: Signatures = NO_SIGNATURES) -> None:
        """Give the child its files (and the secrets that sign their lines, through the pipe:
        never on a command line or in the environment, where other programs could read them)."""
        self.files_left = len(paths)
        assert self.process.stdin is not None
        given = {"paths": [str(path) for path in paths], **signatures.plain()}
        try:
            self.process.stdin.write(orjson.dumps(given) + b"\n")
            self.process.stdin.close()
        except OSError as error:
            log.warning("le processus de lecture du journal ne répond pas : %r", error)
            self.alive = False

    def _receive(self) -> object:
        stream = self.process.stdout
        assert stream is not None
        header = stream.read(HEADER.size)
        if len(header) < HEADER.size:
            raise EOFError("fin du flux")
        (size,) = HEADER.unpack(header)
        body = stream.read(size)
        if len(body) < size:
            raise EOFError("message tronqué")
        return marshal.loads(body)

    def items(self, index: int) -> Iterator[Item]:
        """The lines of file ``index`` as far as the child mapped them; ends early (and
        :attr:`alive` turns false) when the child stopped before the end of the file."""
        while self.alive:
            try:
                message = self._receive()
            except (EOFError, OSError, ValueError) as error:
                log.warning("le processus de lecture du journal s'est arrêté : %r", error)
                self.alive = False
                return
            if isinstance(message, int):
                self.files_left -= 1
                return  # file ``message`` (== index) is complete
            yield from message  # type: ignore[misc]

    def close(self) -> None:
        """Let a child that sent everything end by itself; stop one that has more to say."""
        self.alive = False
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            self.process.wait(timeout=2 if self.files_left == 0 else 0.01)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            return
        if self.files_left == 0 and self.process.returncode == 0:
            log.info("journal lu et vérifié par un second processus (%s)", self.process.pid)


def start(
    paths: list[Path] | None = None, lines: int = 0, signatures: Signatures = NO_SIGNATURES
) -> Mapper | None:
    """A mapper for these files, or for about ``lines`` lines to come (its files given later
    with :meth:`Mapper.read`); None when this process had better map them itself."""
    if not (wanted(paths) if paths is not None else wanted_for(lines)):
        return None
    try:
        mapper = Mapper()
    except OSError as error:  # no process for us: one core it is
        log.warning("lecture du journal dans un second processus impossible : %r", error)
        return None
    if paths is not None:
        mapper.read(paths, signatures)
    return mapper


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

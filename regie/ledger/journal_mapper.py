"""The import's second process, and how a journal line is read and checked (in either process).

A line costs about as much to read, check and post as to write; a production-office laptop
has two cores or more. For a big import a child process reads, checks and posts the lines
(:mod:`regie.ledger.journal_child`) while the importer writes the rows it sends. When the
child cannot start, or stops, the importer rolls back what it wrote of its rows and imports
the files alone: an import never depends on the child to be right or complete.

This module starts before the cable has delivered a big journal: it loads neither the
database layer nor Qt (the child loads the ledger once it has its files).

``REGIE_JOURNAL_MAPPER=process`` or ``inline`` forces one way (tests, the bundle check).
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import pickle
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from regie.i18n import _, language
from regie.ledger.entries import Entry
from regie.ledger.journal_fast import VoidLine, fast_entry
from regie.ledger.journal_lines import MAX_LINE_BYTES, BadLine, to_entry, too_long
from regie.ledger.journal_signature import mac_matches, split_mac

log = logging.getLogger(__name__)

MAPPER_ENV = "REGIE_JOURNAL_MAPPER"
WORTH_IT = 4_000_000  # bytes of journal (about 15,000 lines) below which one process is quicker
LINE_SIZE = 260  # bytes of a typical journal line

# What a line is: its entry, a void to look up, a line to word, or what is wrong with it.
ENTRY, VOID, DECODED, BAD_LINE, BAD_JSON, NOT_OBJECT = range(6)


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
# Each frame: its length, its kind (m: marshal, p: pickle), the Adler-32 of both and of the
# body, the body. A frame that does not add up (a pipe that lost or mixed bytes) stops the
# child like its death does: the importer rolls back what it wrote and imports alone, it
# never writes a bad row.
HEAD = struct.Struct("<IB")
FRAME = struct.Struct("<IBI")
MARSHAL, PICKLE = ord("m"), ord("p")
MAX_FRAME = 1 << 30  # bytes: far above any frame (10,000 rows make about 1.5 MB)


def _checksum(size: int, kind: int, body: bytes) -> int:
    return zlib.adler32(body, zlib.adler32(HEAD.pack(size, kind)))


def write_frame(stream: IO[bytes], value: Any, *, builtin: bool = True) -> None:
    """``builtin``: values marshal carries (the rows: faster both ways); else pickled."""
    body = marshal.dumps(value) if builtin else pickle.dumps(value, protocol=5)
    kind = MARSHAL if builtin else PICKLE
    stream.write(FRAME.pack(len(body), kind, _checksum(len(body), kind, body)))
    stream.write(body)


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame's value; EOFError when the other side is gone, ValueError when the
    frame does not add up."""
    header = stream.read(FRAME.size)
    if len(header) < FRAME.size:
        raise EOFError("fin du flux")
    size, kind, checksum = FRAME.unpack(header)
    if size > MAX_FRAME or kind not in (MARSHAL, PICKLE):
        raise ValueError("trame abîmée (en-tête)")
    body = stream.read(size)
    if len(body) < size:
        raise EOFError("message tronqué")
    if _checksum(size, kind, body) != checksum:
        raise ValueError("trame abîmée")
    # Only ever from the other Régie process of this import, through its own pipe.
    return marshal.loads(body) if kind == MARSHAL else pickle.loads(body)


def child_command(language: str) -> list[str]:
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: the regie executable itself
        return [sys.executable, CHILD_FLAG, language]
    return [sys.executable, "-m", "regie.ledger.journal_child", language]


class Mapper:
    """The child process: start it early (it takes a tenth of a second to be ready), then
    :meth:`give` it the files and the snapshot; :meth:`receive` what it sends, :meth:`reply`
    what it asks (:func:`regie.ledger.journal_child.post_through`)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            child_command(language()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.alive = True
        self.finished = False  # it said it is done
        self.closed = False

    def give(self, paths: list[Path], signatures: Signatures, snapshot: object) -> bool:
        """The files, the secrets that sign their lines (through the pipe: never on a command
        line or in the environment, where other programs could read them) and the snapshot."""
        given = {"paths": [str(path) for path in paths], **signatures.plain()}
        stream = self.process.stdin
        assert stream is not None
        try:
            stream.write(orjson.dumps(given) + b"\n")
            write_frame(stream, snapshot, builtin=False)
            stream.flush()
        except OSError as error:
            return self._lost(error)
        return True

    def _lost(self, error: BaseException) -> bool:
        log.warning("le second processus de l'import s'est arrêté : %r", error)
        self.alive = False
        return False

    def receive(self) -> Any:
        """What the child sends next; None when it stopped (:attr:`alive` turns false)."""
        stream = self.process.stdout
        assert stream is not None
        try:
            message = read_frame(stream)
        except (EOFError, OSError, ValueError, pickle.UnpicklingError) as error:
            self._lost(error)
            return None
        return message

    def reply(self, value: object) -> None:
        stream = self.process.stdin
        assert stream is not None
        try:
            write_frame(stream, value, builtin=False)
            stream.flush()
        except OSError as error:  # the next receive says it is gone
            self._lost(error)

    def done(self) -> None:
        self.finished = True

    def close(self) -> None:
        """Let a child that sent everything end by itself; stop one that has more to say (or
        that was never given files). Once: closing it again does nothing."""
        if self.closed:
            return
        self.closed = True
        self.alive = False
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            self.process.wait(timeout=2 if self.finished else 0.01)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            return
        if self.finished and self.process.returncode == 0:
            log.info("journal lu et posté par un second processus (%s)", self.process.pid)


def start(paths: list[Path] | None = None, lines: int = 0) -> Mapper | None:
    """A second process for these files, or for about ``lines`` lines to come (their files
    given later); None when this process had better import them alone."""
    if not (wanted(paths) if paths is not None else wanted_for(lines)):
        return None
    try:
        return Mapper()
    except OSError as error:  # no process for us: one core it is
        log.warning("second processus de l'import impossible : %r", error)
        return None

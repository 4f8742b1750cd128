"""The terminal's state directory: the configuration it runs, the one being received, and its
journal of transactions. Every switch is atomic: a power cut leaves the old configuration or
the new one, never a mix.

Layout of ``--state DIR``::

    identity.json          {"terminal": name, "serial": hardware serial}
    active.json            the configuration in force: version, hash, file, previous one
    config/NNNNNN-HASH.json  committed bundles (the active one and the previous one)
    staging/HASH.part      the bundle being received (kept across restarts: a push resumes)
    journal.jsonl          the transactions, DESIGN §4, one per line, seq 1, 2, 3…
    journal-acked.json     {"seq": n}: Régie has the journal up to n
    pairing.json           {"secret": hex, "key": its public name}: signs what goes to Régie
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from regie.faults import crash_point
from regie.i18n import _
from regie.ledger.journal_signature import SECRET_SIZE, key_id, sign_line

MAX_CONFIG = 64 * 1024 * 1024
SIGNED_EXTRA = len(sign_line(bytes(SECRET_SIZE), b"{}")) - 2  # ,"mac":"<64 hex>"
CONFIG_FORMAT = 1


class AgentRefusal(Exception):
    """A request the terminal understood and refuses; ``code`` is for programs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new one, even after a crash."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_dir(path.parent)


def sync_dir(path: Path) -> None:
    if os.name == "posix":  # a rename is durable once its directory is synced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(kw_only=True)
class Staging:
    hash: str
    size: int
    version: int
    path: Path
    have: int
    verified: bool = False
    terminal: str = ""


class AgentState:
    def __init__(self, root: Path, name: str | None = None, serial: str | None = None) -> None:
        self.root = root
        for folder in (root, root / "config", root / "staging"):
            folder.mkdir(parents=True, exist_ok=True)
        self.identity = _read_json(root / "identity.json")
        changed = False
        for key, value in (("terminal", name), ("serial", serial)):
            if value and self.identity.get(key) != value:
                self.identity[key] = value
                changed = True
        if changed:
            write_atomic(root / "identity.json", orjson.dumps(self.identity))
        self.active = _read_json(root / "active.json")
        self.staging: Staging | None = None
        self.journal = Journal(root / "journal.jsonl", root / "journal-acked.json")
        pairing = _read_json(root / "pairing.json")
        self.secret: bytes | None = bytes.fromhex(pairing["secret"]) if pairing else None

    @property
    def paired(self) -> str | None:
        """The public name of the secret this terminal signs with, None before pairing."""
        return key_id(self.secret) if self.secret is not None else None

    def pair(self, terminal: str, serial: str, secret: bytes) -> str:
        """Keep the secret Régie hands over the cable; refuse it meant for another terminal."""
        if len(secret) != SECRET_SIZE:
            raise AgentRefusal("bad_request", _("secret d'appairage de 32 octets attendu"))
        if (self.name and terminal != self.name) or (self.serial and serial != self.serial):
            raise AgentRefusal(
                "wrong_terminal",
                _("ce terminal est {name} ({serial}) : secret refusé").format(
                    name=self.name or "—", serial=self.serial or "—"
                ),
            )
        path = self.root / "pairing.json"
        write_atomic(path, orjson.dumps({"secret": secret.hex(), "key": key_id(secret)}))
        path.chmod(0o600)
        self.secret = secret
        return key_id(secret)

    @property
    def name(self) -> str | None:
        return self.identity.get("terminal") or None

    @property
    def serial(self) -> str | None:
        return self.identity.get("serial") or None

    def config(self) -> dict[str, Any]:
        """The configuration in force (parsed), or {} before the first one."""
        if not self.active:
            return {}
        return _read_json(self.root / self.active["file"])

    def describe(self) -> dict[str, Any]:
        config = None
        if self.active:
            config = {key: self.active[key] for key in ("version", "hash", "committed_at")}
        staged = None
        if self.staging is not None:
            staged = {"hash": self.staging.hash, "size": self.staging.size}
            staged["have"] = self.staging.have
        return {
            "terminal": self.name,
            "serial": self.serial,
            "config": config,
            "journal": {"last": self.journal.last, "acked": self.journal.acked},
            "staged": staged,
            "paired": self.paired,
        }

    # -- receiving a configuration -----------------------------------------------------------
    def offer(self, version: int, digest: str, size: int, terminal: str) -> int:
        """Get ready to receive a bundle; return how many of its bytes are already here."""
        if size <= 0 or size > MAX_CONFIG:
            raise AgentRefusal(
                "too_big", _("taille de configuration impossible : {size} o").format(size=size)
            )
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise AgentRefusal("bad_request", "empreinte SHA-256 attendue (64 hex)")
        if self.name and terminal != self.name:
            raise AgentRefusal(
                "wrong_terminal",
                _("ce terminal est {name}, pas {terminal} : rien n'est reçu").format(
                    name=self.name, terminal=terminal
                ),
            )
        path = self.root / "staging" / f"{digest}.part"
        for other in (self.root / "staging").glob("*.part"):
            if other != path:
                other.unlink()
        have = path.stat().st_size if path.exists() else 0
        if have > size:
            path.unlink()
            have = 0
        path.touch()
        self.staging = Staging(hash=digest, size=size, version=version, path=path, have=have)
        return have

    def write_chunk(self, offset: int, data: bytes) -> int:
        staging = self.staging
        if staging is None:
            raise AgentRefusal("no_offer", _("aucune configuration annoncée (OFFER d'abord)"))
        if offset > staging.have:
            return staging.have  # a chunk went missing: ask again from where we are
        if offset + len(data) > staging.size:
            raise AgentRefusal("too_big", _("ce morceau dépasse la taille annoncée"))
        with staging.path.open("r+b") as handle:
            handle.seek(offset)
            handle.write(data)
            handle.truncate()
        staging.have = offset + len(data)
        staging.verified = False
        return staging.have

    def verify(self, digest: str) -> dict[str, Any]:
        staging = self.staging
        if staging is None or staging.hash != digest:
            raise AgentRefusal("no_offer", _("cette configuration n'a pas été annoncée"))
        with staging.path.open("rb") as handle:
            os.fsync(handle.fileno())
            body = handle.read()
        computed = hashlib.sha256(body).hexdigest()
        problem = ""
        if len(body) != staging.size:
            problem = _("{n} o reçus sur {size}").format(n=len(body), size=staging.size)
        elif computed != digest:
            problem = _("empreinte {computed}… au lieu de {digest}…").format(
                computed=computed[:12], digest=digest[:12]
            )
        else:
            problem = self._check_bundle(body, staging)
        if problem:
            staging.path.unlink(missing_ok=True)  # the next push starts over from zero
            self.staging = None
            return {"ok": False, "hash": computed, "size": len(body), "problem": problem}
        staging.verified = True
        return {"ok": True, "hash": computed, "size": len(body)}

    def _check_bundle(self, body: bytes, staging: Staging) -> str:
        try:
            bundle = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            return f"JSON illisible ({error})"
        if not isinstance(bundle, dict) or bundle.get("format") != CONFIG_FORMAT:
            return _("format de configuration inconnu (attendu {CONFIG_FORMAT})").format(
                CONFIG_FORMAT=CONFIG_FORMAT
            )
        terminal = bundle.get("terminal")
        if not isinstance(terminal, str) or not terminal:
            return _("configuration sans nom de terminal")
        if self.name and terminal != self.name:
            return _("configuration de {terminal}, ce terminal est {name}").format(
                terminal=terminal, name=self.name
            )
        staging.terminal = terminal
        return ""

    def commit(self, version: int, digest: str) -> dict[str, Any]:
        """Switch to the verified bundle in one rename of ``active.json``."""
        if self.active.get("hash") == digest:
            return self.describe()["config"] or {}
        staging = self.staging
        if staging is None or staging.hash != digest or not staging.verified:
            raise AgentRefusal("not_verified", _("configuration non vérifiée : rien n'est changé"))
        file = Path("config") / f"{version:06d}-{digest[:16]}.json"
        os.replace(staging.path, self.root / file)
        sync_dir(self.root / "config")
        crash_point("agent-commit")  # the new file is there, the switch not yet made
        previous = {k: v for k, v in self.active.items() if k != "previous"} or None
        active = {
            "version": version,
            "hash": digest,
            "file": str(file),
            "committed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "previous": previous,
        }
        write_atomic(self.root / "active.json", orjson.dumps(active))
        self.active = active
        self.staging = None
        if not self.name:
            self.identity["terminal"] = staging.terminal
            write_atomic(self.root / "identity.json", orjson.dumps(self.identity))
        keep = {str(file), str(previous["file"]) if previous else ""}
        for old in (self.root / "config").glob("*.json"):
            if str(old.relative_to(self.root)) not in keep:
                old.unlink()
        return self.describe()["config"] or {}


class Journal:
    """The terminal's transactions, append-only, with an index seq -> byte offset."""

    def __init__(self, path: Path, acked_path: Path) -> None:
        self.path = path
        self.acked_path = acked_path
        self.seqs: list[int] = []
        self.offsets: list[int] = []
        self.end = 0
        if path.exists():
            with path.open("rb") as handle:
                for raw in handle:
                    if raw.endswith(b"\n"):
                        self.seqs.append(int(orjson.loads(raw)["seq"]))
                        self.offsets.append(self.end)
                        self.end += len(raw)
            if self.end != path.stat().st_size:  # a line cut by a power failure: drop it
                with path.open("r+b") as handle:
                    handle.truncate(self.end)
        self.acked = int(_read_json(acked_path).get("seq", 0))

    @property
    def last(self) -> int:
        return self.seqs[-1] if self.seqs else 0

    def append(self, lines: list[dict[str, Any]]) -> None:
        """Record transactions (their seq must follow the last one); durable on return."""
        with self.path.open("ab") as handle:
            for line in lines:
                seq = int(line["seq"])
                if seq <= self.last:
                    raise ValueError(_("seq {seq} après {last}").format(seq=seq, last=self.last))
                raw = orjson.dumps(line) + b"\n"
                handle.write(raw)
                self.seqs.append(seq)
                self.offsets.append(self.end)
                self.end += len(raw)
            handle.flush()
            os.fsync(handle.fileno())

    def batch(self, since: int, max_bytes: int, secret: bytes | None = None) -> tuple[bytes, int]:
        """Whole lines after ``since``, at most ``max_bytes`` (at least one line); with
        ``secret``, each line signed (a signature adds the same bytes to every line)."""
        first = bisect.bisect_right(self.seqs, since)
        if first >= len(self.seqs):
            return b"", since
        start = self.offsets[first]
        extra = SIGNED_EXTRA if secret is not None else 0
        count = len(self.offsets)

        def size(stop: int) -> int:  # bytes of the lines first … stop-1 as sent
            end = self.offsets[stop] if stop < count else self.end
            return end - start + extra * (stop - first)

        if size(count) <= max_bytes:
            stop = count  # index of the first line left out
        else:
            stop = max(
                bisect.bisect_right(range(count + 1), max_bytes, first + 1, key=size) - 1, first + 1
            )
        end = self.offsets[stop] if stop < count else self.end
        with self.path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        if secret is not None:
            data = b"".join(sign_line(secret, raw) + b"\n" for raw in data.splitlines())
        return data, self.seqs[stop - 1]

    def acknowledge(self, seq: int) -> int:
        seq = min(seq, self.last)
        if seq > self.acked:
            write_atomic(self.acked_path, orjson.dumps({"seq": seq}))
            self.acked = seq
        return self.acked

"""Each Z is signed: Ed25519, the private key in the OS keyring, the public key in the base.

The key is made at the first Z a laptop closes and kept in the keyring (``regie`` /
``z-signing-key``); where no keyring works (a headless machine, the tests), in a file of the
user data dir readable by its owner only. The base stores the public key with its
fingerprint; each Z's signature covers its hash, which covers its figures, its number, its
scope and the journal's chain head. Outside the base, the laptop writes one line per Z to
``z-archive.jsonl`` in the user data dir: what a rewound base cannot take back.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from regie import clock
from regie.ledger.models import Closure, LedgerHead, ZKey, ZSignature
from regie.paths import data_dir

if TYPE_CHECKING:  # cryptography is imported when a Z is signed or checked, not at start
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEYRING_SERVICE = "regie"
KEYRING_USER = "z-signing-key"
KEY_FILE = "z-signing-key"
ARCHIVE_FILE = "z-archive.jsonl"
DOMAIN = b"regie-z-v1\x1e"  # what a signature of a Z signs: never anything else's bytes
PENDING = "regie_z_archive"


def fingerprint(public_key: bytes) -> str:
    """``9f3c 41d0 7a2e 55b1``: what the Z ticket prints, short enough to compare by eye."""
    digest = hashlib.sha256(public_key).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _load(secret: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(secret))


def _new_secret() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return base64.b64encode(raw).decode()


def _from_keyring() -> str | None:
    """The secret from the OS keyring, made there if missing; None when no keyring works."""
    import keyring
    from keyring.errors import KeyringError

    try:
        secret = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
        if secret is None:
            secret = _new_secret()
            keyring.set_password(KEYRING_SERVICE, KEYRING_USER, secret)
    except (KeyringError, RuntimeError):  # no backend, or a broken one (D-Bus down)
        return None
    return secret


def _from_file() -> str:
    path = data_dir() / KEY_FILE
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(_new_secret())
    return path.read_text().strip()


def signing_key() -> Ed25519PrivateKey:
    """This laptop's private key (an ``Ed25519PrivateKey``)."""
    return _load(_from_keyring() or _from_file())


def public_bytes(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signed_bytes(closure: Closure) -> bytes:
    return DOMAIN + closure.hash


def sign_z(session: Session, closure: Closure) -> str:
    """Sign a Z just added (flushed); returns the key's fingerprint for the ticket."""
    key = signing_key()
    public = public_bytes(key)
    found = fingerprint(public)
    if session.get(ZKey, found) is None:
        session.add(ZKey(fingerprint=found, public_key=public, created_at=clock.now()))
    session.add(
        ZSignature(
            number=closure.number,
            key_fingerprint=found,
            signature=key.sign(signed_bytes(closure)),
        )
    )
    head = session.get_one(LedgerHead, 1)
    # Kept with the transaction it was made in: a savepoint rolled back takes its own Z only.
    made_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(PENDING, []).append(
        (made_in, archive_line(head.base_id, closure, found))
    )
    _archive_at_commit()
    return found


def signature_holds(public_key: bytes, closure: Closure, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed_bytes(closure))
    except (InvalidSignature, ValueError):
        return False
    return True


def signatures(session: Session) -> dict[int, tuple[bytes, bytes, str]]:
    """Z number → (public key, signature, fingerprint)."""
    return {
        number: (public, signature, key)
        for number, signature, key, public in session.execute(
            select(
                ZSignature.number,
                ZSignature.signature,
                ZSignature.key_fingerprint,
                ZKey.public_key,
            ).join(ZKey, ZKey.fingerprint == ZSignature.key_fingerprint, isouter=True)
        )
    }


@dataclass(frozen=True, kw_only=True)
class ArchivedZ:
    number: int
    scope: str
    chain_head: str
    hash: str
    key: str


def archive_line(base_id: str, closure: Closure, key: str) -> bytes:
    closed_at = closure.closed_at
    return orjson.dumps(
        {
            "base": base_id,
            "number": closure.number,
            "scope": closure.scope,
            "chain_head": closure.chain_head.hex(),
            "hash": closure.hash.hex(),
            "key": key,
            "closed_at": closed_at.astimezone(dt.UTC).isoformat(),
        }
    )


def archive_path() -> Path:
    return data_dir() / ARCHIVE_FILE


def archived(base_id: str) -> dict[int, ArchivedZ]:
    """The Z of the base ``base_id`` this laptop archived, by number (a torn last line is
    skipped: the archive is appended to, never rewritten)."""
    path = archive_path()
    if not base_id or not path.exists():
        return {}
    found = {}
    for raw in path.read_bytes().splitlines():
        try:
            line = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if line.get("base") == base_id:
            found[int(line["number"])] = ArchivedZ(
                number=int(line["number"]),
                scope=str(line["scope"]),
                chain_head=str(line["chain_head"]),
                hash=str(line["hash"]),
                key=str(line["key"]),
            )
    return found


def _write_archive(session: Session) -> None:
    # SQLAlchemy says « committed » when a savepoint is released too: nothing is committed
    # until the outermost transaction is.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING, None)
    if pending:
        with archive_path().open("ab") as handle:
            handle.write(b"".join(line + b"\n" for _made_in, line in pending))
            handle.flush()
            os.fsync(handle.fileno())


def _drop_archive(session: Session, rolled_back: SessionTransaction) -> None:
    """A rollback takes the Z made in the transaction rolled back, or in one inside it."""
    pending = session.info.get(PENDING)
    if not pending:
        return
    kept = [(made_in, line) for made_in, line in pending if not _within(made_in, rolled_back)]
    if kept:
        session.info[PENDING] = kept
    else:
        session.info.pop(PENDING)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _archive_at_commit() -> None:
    """The archive gets a Z once its transaction committed (a rolled back Z never was)."""
    for name, listener in (
        ("after_commit", _write_archive),
        ("after_soft_rollback", _drop_archive),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

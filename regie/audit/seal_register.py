"""Writing the seal register: each write of a sealed record appends its digest, chained.

The audit recorder calls :func:`seal_flushed` after every flush (the people and invoices
written) and :func:`seal` for the audit lines it inserts. Lines are chained in id order, so
appending takes the same lock as the journal's writers (PostgreSQL: the ledger head's row;
SQLite: the database's write lock): the register never forks and no lock order can cross.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, insert, text
from sqlalchemy.orm import Session

from regie.audit.seal_content import GONE, READERS, TABLES
from regie.audit.seal_models import SealRecord

Seal = tuple[str, str, str, bytes]  # kind, subject, label, digest


def chain(previous: bytes, kind: str, subject: str, label: str, digest: bytes) -> bytes:
    return hashlib.sha256(
        previous + f"{kind}\x1f{subject}\x1f{label}\x1f".encode() + digest
    ).digest()


def seal(connection: Connection, seals: Sequence[Seal]) -> None:
    """Append ``seals`` to the register, in the caller's transaction."""
    if not seals:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT id FROM ledger_head WHERE id = 1 FOR UPDATE"))
    else:  # the write lock before the read: no other writer can read the same head
        connection.execute(text("UPDATE seal_head SET count = count WHERE id = 1"))
    count, last = connection.execute(
        text("SELECT count, last_hash FROM seal_head WHERE id = 1")
    ).one()
    rows = []
    for kind, subject, label, digest in seals:
        last = chain(last, kind, subject, label[:120], digest)
        rows.append(
            {"kind": kind, "subject": subject, "label": label[:120], "digest": digest, "hash": last}
        )
    connection.execute(insert(SealRecord), rows)
    connection.execute(
        text("UPDATE seal_head SET count = :count, last_hash = :last WHERE id = 1"),
        {"count": count + len(rows), "last": last},
    )


def seal_rows(
    connection: Connection, kind: str, ids: Iterable[int], gone: Iterable[int] = ()
) -> None:
    """Seal the current content of rows of ``kind`` (and mark ``gone`` ones removed)."""
    wanted = sorted(set(ids))
    found = READERS[kind](connection, wanted) if wanted else {}
    seals: list[Seal] = [
        (kind, subject, label, digest) for subject, (digest, label) in found.items()
    ]
    seals += [(kind, str(id_), "", GONE) for id_ in sorted(set(gone)) if str(id_) not in found]
    seal(connection, seals)


def seal_flushed(session: Session) -> None:
    """After a flush: seal again every person and invoice it wrote (lines included)."""
    written: dict[str, set[int]] = {}
    removed: dict[str, set[int]] = {}
    for objects, into in (
        (session.new, written),
        (session.dirty, written),
        (session.deleted, removed),
    ):
        for obj in objects:
            if objects is session.dirty and not session.is_modified(obj):
                continue
            target = TABLES.get(getattr(type(obj), "__tablename__", ""))
            if target is None:
                continue
            kind, column = target
            value = getattr(obj, column, None)
            if value is not None:
                into.setdefault(kind, set()).add(int(value))
    for kind in sorted(set(written) | set(removed)):
        seal_rows(
            session.connection(),
            kind,
            written.get(kind, set()) | removed.get(kind, set()),
            removed.get(kind, set()),
        )

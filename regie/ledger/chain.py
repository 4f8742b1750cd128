"""The journal's hash chain: each transfer's hash covers the previous hash and the row."""

from __future__ import annotations

import hashlib

GENESIS = hashlib.sha256(b"regie-ledger-genesis").digest()

# The columns of a transfer, in the order the chain hashes them (and rows are written).
COLUMNS = (
    "id",
    "link_id",
    "source_id",
    "seq",
    "leg",
    "op",
    "method",
    "at",
    "tz_minutes",
    "debit_id",
    "credit_id",
    "asset_id",
    "amount",
    "pos_id",
    "ref_id",
    "idem_key",
    "details",
)

Row = tuple[
    int,
    int,
    int,
    int,
    int,
    str,
    str,
    int,
    int,
    int,
    int,
    int,
    int,
    int | None,
    int | None,
    str | None,
    str,
]


_TEMPLATE = "\x1f".join(["%s"] * len(COLUMNS))


def canonical(row: Row) -> bytes:
    """The bytes the hash covers: every column, in order, unit-separated."""
    return (_TEMPLATE % row).encode()


def link(previous: bytes, row: Row) -> bytes:
    return hashlib.sha256(previous + canonical(row)).digest()

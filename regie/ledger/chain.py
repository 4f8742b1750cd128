"""The journal's hash chain: each transfer's hash covers the previous hash and the row.

Two formulas, one per era of the base (``ledger_head.content_from``, set by migration 0012):

- before ``content_from`` (bases written before the seal covered content), the row as stored,
  with the *ids* of its accounts, asset, point of sale and source (:func:`link`);
- from ``content_from`` on, the row with those ids replaced by their *names* — account
  names, asset code, point-of-sale name, source name (:func:`content_link`): renaming an
  account, swapping two cards' account names or changing an asset's code breaks the chain.

Old transfers keep their formula rather than being re-sealed: the Z already closed carry
their chain heads (printed on paper, signed), and rewriting a million hashes at an upgrade
would rewrite that history and look exactly like a forgery.
"""

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
# The same row with names in place of ids (source, debit, credit, asset, point of sale).
NamedRow = tuple[object, ...]


_TEMPLATE = "\x1f".join(["%s"] * len(COLUMNS))
# The content formula is told apart from the old one by a prefix no old row can start with.
_CONTENT = b"regie-content-v2\x1e"
# The content formula's text after the previous hash: its prefix, then the row.
CONTENT_TEMPLATE = _CONTENT.decode() + _TEMPLATE


def canonical(row: Row | NamedRow) -> bytes:
    """The bytes the hash covers: every column, in order, unit-separated."""
    return (_TEMPLATE % row).encode()


def link(previous: bytes, row: Row) -> bytes:
    """The old formula (ids), for the transfers written before ``content_from``."""
    return hashlib.sha256(previous + canonical(row)).digest()


def content_link(previous: bytes, named: NamedRow) -> bytes:
    """The content formula: the row with names where it stores ids."""
    # canonical() written out: a million calls in the import and in the verification.
    return hashlib.sha256(previous + (CONTENT_TEMPLATE % named).encode()).digest()

"""What the journal is made of: entries (one business transaction), their legs (one transfer
each), the lines of a sale, and the names of the accounts they move money between.

Plain named tuples and names, no database: the journal reader builds a million of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import orjson


def wallet_name(uid: str) -> str:
    return f"wallet:{uid.upper()}"


def pos_account(pos: str, what: str) -> str:
    return f"pos:{pos}:{what}"


# Named tuples, not dataclasses: a festival's import builds a million of them.
class Leg(NamedTuple):
    debit: str  # account name
    credit: str
    asset: str
    amount: int


class SaleLine(NamedTuple):
    product: str
    quantity: int
    unit: int
    vat_bp: int


# What an entry holds: a Leg or a SaleLine, or the same values as a plain tuple (the journal
# import's tight loop builds plain tuples). Read them by unpacking, not by field name.
LegValues = tuple[str, str, str, int]
LineValues = tuple[str, int, int, int]


class Entry(NamedTuple):
    """One business transaction: its legs are linked and commit together."""

    source: str
    op: str
    method: str
    at: int
    tz_minutes: int
    legs: tuple[LegValues, ...]
    seq: int | None = None  # terminal sequence; None: allocated (desk, Stripe, system)
    pos: str | None = None
    ref: int | None = None  # id of the transfer this entry reverses
    idem_key: str | None = None
    details: str = ""
    lines: tuple[LineValues, ...] = ()
    source_kind: str = "terminal"
    event: str | None = None  # the prestation it belongs to; None: see regie.ledger.attribution


def lines_json(lines: Iterable[LineValues]) -> str:
    return orjson.dumps([tuple(line) for line in lines]).decode()

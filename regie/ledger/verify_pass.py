"""One reading of a range of the journal for ``regie ledger verify``: the hash chain, the
sums per account, the pieces of every Z's figures and the sales summary, all from the same
rows (a million of them: each is read once, by one process).

Each row is checked against the *stored* hash of the row before it, so two processes can
check two halves of the journal at once and agree with one reading it whole: the first
broken row is the first that does not follow from the stored one before it.

The pieces are sums grouped by what a Z's scope and range select (its segment of ids
between two Z boundaries, point of sale, event), so the 43 Z of a festival are recomputed
from one reading instead of 43 scans (:mod:`regie.ledger.closure_check`).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from regie.ledger.chain import GENESIS, content_link, link

# (segment, point of sale, event, op, method, asset, debits a drawer, credits a drawer,
# cancels a sale) → [transfers, cents]
FigureKey = tuple[int, int | None, int | None, str, str, int, bool, bool, bool]
# (segment, point of sale, event, VAT rate) → cents, sales less voided sales
VatKey = tuple[int, int | None, int | None, int]
# (event or 0, point of sale, product, VAT rate, local hour number) → [quantity, cents]
SalesKey = tuple[int, int, str, int, int]

SELECT = (
    "SELECT id, link_id, source_id, seq, leg, op, method, at, tz_minutes, debit_id, "
    "credit_id, asset_id, amount, pos_id, ref_id, idem_key, details, hash, event_id "
    "FROM transfer WHERE id >= {mark} AND id <= {mark} ORDER BY id"
)
EVERY = 50_000  # rows between two progress notes
# PostgreSQL: rows fetched at each round trip (psycopg's default, 100, made 5,000 a half and
# cost about a tenth of the reading).
FETCH_EVERY = 10_000
_PAST = 1 << 62  # beyond any transfer id: the last segment's end
_SALE_OR_VOID = frozenset(("sale", "void"))


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What a reading needs to know, read by the parent once (sent to a child as is)."""

    first: int
    last: int
    content_from: int
    sealed_heads: frozenset[int]  # the last transfer of every Z: its stored hash is kept
    bounds: tuple[int, ...]  # sorted ends of the Z's ranges (first - 1 and last of each)


@dataclass(kw_only=True)
class Reading:
    """What a range of the journal says. ``broken``: the first row that does not follow,
    as ``(kind, id, next id read)``, kind ``changed`` or ``deleted``."""

    first: int
    last: int
    rows: int = 0
    broken: tuple[str, int, int | None] | None = None
    last_hash: bytes = GENESIS
    heads: dict[int, bytes] = field(default_factory=dict)
    sums: dict[tuple[int, int], int] = field(default_factory=dict)
    figures: dict[FigureKey, list[int]] = field(default_factory=dict)
    vat: dict[VatKey, int] = field(default_factory=dict)
    sales: dict[SalesKey, list[int]] = field(default_factory=dict)


def read_range(
    connection: Any, dialect: str, plan: Plan, progress: Callable[[int], None] | None = None
) -> Reading:
    """Read transfers ``plan.first..plan.last`` through a DB-API connection of ``dialect``
    (``sqlite`` or ``postgresql``; an ``apsw`` connection reads SQLite too) in its own
    transaction."""
    reading = Reading(first=plan.first, last=plan.last)
    accounts, assets, points, sources = _names(connection)
    cash = frozenset(i for i, name in accounts.items() if _is_drawer(name))
    mark = "%s" if dialect == "postgresql" else "?"
    cursor = connection.cursor()
    cursor.execute(
        f"SELECT hash FROM transfer WHERE id < {mark} ORDER BY id DESC LIMIT 1", (plan.first,)
    )
    before = cursor.fetchone()
    previous = GENESIS if before is None else bytes(before[0])
    if dialect == "postgresql":  # a server-side cursor: a million rows are not held at once
        rows = connection.cursor(name="verify_pass")
        rows.itersize = FETCH_EVERY
    else:
        rows = cursor
    expected, content_from, sealed = plan.first, plan.content_from, plan.sealed_heads
    bounds = (*plan.bounds, _PAST)
    segment = bisect.bisect_left(bounds, plan.first)
    edge = bounds[segment]
    heads, figures = reading.heads, reading.figures
    sums: defaultdict[int, int] = defaultdict(int)
    sold: list[tuple[int, int | None, int | None, str, str, int]] = []
    lead_id, lead_sells = 0, False  # the first leg of the entry being read
    broken, read = False, 0
    rows.execute(SELECT.format(mark=mark), (plan.first, plan.last))
    # A million rows: names bound once, no call or tuple that can be avoided.
    for row in rows:
        (tid, link_id, source, seq, leg, op, method, at, tz, debit, credit, asset, amount, pos,
         ref, idem, details, stored, event) = row  # fmt: skip
        if not broken:
            if tid != expected:
                reading.broken, broken = ("deleted", expected, tid), True
            elif tid >= content_from:  # names, not ids (regie.ledger.chain.content_link)
                named = (tid, link_id, sources[source], seq, leg, op, method, at, tz,
                         accounts[debit], accounts[credit], assets[asset], amount, points[pos],
                         ref, idem, details)  # fmt: skip
                if content_link(previous, named) != stored:
                    reading.broken, broken = ("changed", tid, None), True
            elif link(previous, row[:17]) != stored:
                reading.broken, broken = ("changed", tid, None), True
            expected = tid + 1
        previous = stored
        if tid in sealed:
            heads[tid] = stored
        # (account << 32) + asset: an int key, hashed quicker than a pair
        sums[(debit << 32) + asset] -= amount
        sums[(credit << 32) + asset] += amount
        if tid > edge:
            while tid > bounds[segment]:
                segment += 1
            edge = bounds[segment]
        sells = details[:1] == "["
        if tid == link_id:
            lead_id, lead_sells = tid, sells
        cancels = op == "void" and (
            lead_sells if link_id == lead_id else _sells(connection, mark, link_id)
        )
        key = (segment, pos, event, op, method, asset, debit in cash, credit in cash, cancels)
        figure = figures.get(key)
        if figure is None:
            figures[key] = [1, amount]
        else:
            figure[0] += 1
            figure[1] += amount
        if sells and leg == 0 and op in _SALE_OR_VOID:  # its basket, at its local hour
            sold.append((segment, pos, event, op, details, (at + tz * 60) // 3600))
        read += 1
        if progress is not None and not read % EVERY:
            progress(EVERY)
    reading.rows, reading.last_hash = read, previous
    if rows is not cursor:
        rows.close()
    if not broken and expected != plan.last + 1:
        cursor.execute(f"SELECT MIN(id) FROM transfer WHERE id > {mark}", (plan.last,))
        reading.broken = ("deleted", expected, cursor.fetchone()[0])
    cursor.close()
    reading.sums = {(key >> 32, key & 0xFFFFFFFF): cents for key, cents in sums.items()}
    _spread(reading, Counter(sold))
    if progress is not None:
        progress(read % EVERY)
    return reading


class _Names(dict[Any, Any]):
    """Names by id; an id without a name stays the id (a row pointing at a deleted account
    then breaks the chain instead of the verification), ``None`` stays ``None``."""

    def __missing__(self, key: Any) -> Any:
        return key


def _names(connection: Any) -> list[_Names]:
    """Names by id: accounts, asset codes, points of sale, sources (what the chain hashes)."""
    cursor = connection.cursor()
    found = []
    for table, column in (("account", "name"), ("ledger_asset", "code"), ("pos", "name")):
        cursor.execute(f"SELECT id, {column} FROM {table}")
        found.append(_Names(cursor.fetchall()))
    cursor.execute("SELECT id, name FROM ledger_source")
    found.append(_Names(cursor.fetchall()))
    cursor.close()
    return found


def _is_drawer(name: str) -> bool:
    """``pos:<name>:cash``, as :func:`regie.ledger.closures.figures` selects it (``LIKE``)."""
    return name.startswith("pos:") and name.endswith(":cash") and len(name) >= 9


def _sells(connection: Any, mark: str, lead: int) -> bool:
    """Whether the entry whose first leg is ``lead`` carries sale lines (a void whose first
    leg is in the other process's half)."""
    cursor = connection.cursor()
    cursor.execute(f"SELECT details FROM transfer WHERE id = {mark}", (lead,))
    found = cursor.fetchone()
    cursor.close()
    return found is not None and str(found[0])[:1] == "["


def _spread(
    reading: Reading, baskets_sold: Counter[tuple[int, int | None, int | None, str, str, int]]
) -> None:
    """The baskets sold or voided (counted by segment, point of sale, event, operation and
    local hour), spread into VAT rates (for the Z) and products (the sales summary)."""
    baskets: dict[str, tuple[list[Any], dict[int, int]]] = {}
    sales = reading.sales
    vat: dict[tuple[int, int | None, int | None], dict[int, int]] = {}
    for (segment, pos, event, op, details, hour), count in baskets_sold.items():
        basket = baskets.get(details)
        if basket is None:  # a festival sells the same baskets all night: each read once
            lines = orjson.loads(details)
            rates: dict[int, int] = {}
            for _product, quantity, unit, rate in lines:
                rates[rate] = rates.get(rate, 0) + quantity * unit
            basket = baskets[details] = (lines, rates)
        signed = -count if op == "void" else count
        into = vat.get((segment, pos, event))
        if into is None:
            into = vat[segment, pos, event] = {}
        for rate, per_basket in basket[1].items():
            into[rate] = into.get(rate, 0) + signed * per_basket
        if pos is None:
            continue
        for product, quantity, unit, rate in basket[0]:
            key = (event or 0, pos, product, rate, hour)
            total = sales.get(key)
            if total is None:
                sales[key] = [signed * quantity, signed * quantity * unit]
            else:
                total[0] += signed * quantity
                total[1] += signed * quantity * unit
    for (segment, pos, event), rates in vat.items():
        for rate, amount in rates.items():
            reading.vat[segment, pos, event, rate] = amount

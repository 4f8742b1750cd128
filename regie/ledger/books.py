"""A writer's books: what it holds between the base and the rows it writes.

The balances, the names' ids, the next id and hash of the chain, the rows posted and not yet
written, the sales figures: :class:`Books` checks and posts an entry against them — a wallet
never negative, the event it belongs to — and hands its rows to a :class:`Store`. It reads
nothing itself: :class:`regie.ledger.posting.Writer` is the books of a session (the head
locked, the balances read from the base), the import's second process resumes books from a
snapshot (:mod:`regie.ledger.journal_child`) and starts without the database's modules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from regie.errors import Conflict
from regie.i18n import _
from regie.ledger import labels
from regie.ledger.accounts import Directory
from regie.ledger.attribution import Attribution
from regie.ledger.chain import COLUMNS, CONTENT_TEMPLATE
from regie.ledger.entries import Entry, LegValues


class InsufficientFunds(Conflict):
    pass


class Store(Protocol):
    """Where a writer's rows go: the session's tables, or the pipe to the process that
    writes them (:mod:`regie.ledger.journal_child`)."""

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        add: Sequence[str] = (),
        keep_existing: bool = False,
    ) -> None: ...

    def head(self, last_id: int, last_hash: bytes, next_desk_seq: int) -> None: ...


ACCOUNT_COLUMNS = ("id", "name", "kind", "may_go_negative")
# A transfer as the writer makes it, then as it is written: sealed by its chain hash.
UNSEALED_COLUMNS = (*COLUMNS, "event_id")
TRANSFER_COLUMNS = (*UNSEALED_COLUMNS, "hash")
# Nine transfers in ten have neither ref_id nor idem_key: written without them (NULL), they
# spare two Nones to bind, which Python's sqlite3 looks an adapter up for (7 % of the
# importer's instructions).
BARE_COLUMNS = tuple(c for c in TRANSFER_COLUMNS if c not in ("ref_id", "idem_key"))


class UnknownKey(LookupError):
    """A row points at a row its writer does not know: the transfer's id and the column."""

    def __init__(self, transfer: int, column: str) -> None:
        super().__init__(f"transfer n°{transfer}.{column}")
        self.transfer, self.column = transfer, column


class Sealer:
    """The chain's hash of each row as it is written (:func:`regie.ledger.chain.content_link`,
    written out: a million rows), its ids read back as the names the chain covers.

    Reading them back is also a check of the row's keys: the directory holds only rows the
    base holds (read from it, or written in this transaction before the transfers that use
    them), so an id without a name is a row pointing at nothing (:class:`UnknownKey`), as is an
    event not in ``events`` when they are given."""

    def __init__(
        self, directory: Directory, last_hash: bytes, events: set[int] | None = None
    ) -> None:
        self.directory = directory
        self.last_hash = last_hash
        self.events = events
        self._assets: dict[int, str] = {}
        self._points: dict[int, str] = {}
        self._sources: dict[int, str] = {}

    def seal_apart(
        self, rows: Sequence[Sequence[Any]]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The rows with their hash: those without ``ref_id`` and ``idem_key``
        (:data:`BARE_COLUMNS`), and the others (:data:`TRANSFER_COLUMNS`)."""
        d = self.directory
        if (len(self._assets), len(self._points), len(self._sources)) != (
            len(d.assets),
            len(d.pos),
            len(d.sources),
        ):
            self._assets = {i: code for code, i in d.assets.items()}
            self._points = {i: name for name, i in d.pos.items()}
            self._sources = {i: name for name, i in d.sources.items()}
        accounts, assets, points, sources = (
            d.account_names,
            self._assets,
            self._points,
            self._sources,
        )
        sha256, template, last_hash = hashlib.sha256, CONTENT_TEMPLATE, self.last_hash
        events = self.events
        bare, full = [], []
        for row in rows:
            (id_, link, source, seq, leg, op, method, at, tz, debit, credit, asset, amount, pos,
             ref, idem, details, event) = row  # fmt: skip
            try:
                named = (id_, link, sources[source], seq, leg, op, method, at, tz,
                         accounts[debit], accounts[credit], assets[asset], amount,
                         None if pos is None else points[pos], ref, idem, details)  # fmt: skip
            except KeyError:
                raise self._unknown(row) from None
            if events is not None and event is not None and event not in events:
                raise UnknownKey(id_, "event_id")
            last_hash = sha256(last_hash + (template % named).encode()).digest()
            if ref is None and idem is None:
                bare.append((id_, link, source, seq, leg, op, method, at, tz, debit, credit,
                             asset, amount, pos, details, event, last_hash))  # fmt: skip
            else:
                full.append((*row, last_hash))
        self.last_hash = last_hash
        return bare, full

    def write(self, store: Store, rows: Sequence[Sequence[Any]]) -> None:
        """Seal ``rows`` and write them to ``store``."""
        bare, full = self.seal_apart(rows)
        store.insert("transfer", BARE_COLUMNS, bare)
        store.insert("transfer", TRANSFER_COLUMNS, full)

    def _unknown(self, row: Sequence[Any]) -> UnknownKey:
        d = self.directory
        known = {
            "source_id": row[2] in self._sources,
            "debit_id": row[9] in d.account_names,
            "credit_id": row[10] in d.account_names,
            "asset_id": row[11] in self._assets,
            "pos_id": row[13] is None or row[13] in self._points,
        }
        return UnknownKey(row[0], next(column for column, ok in known.items() if not ok))


class WriterState(NamedTuple):
    last_id: int
    last_hash: bytes
    next_desk_seq: int
    balances: dict[tuple[int, int], int]


class Books:
    """The balances, ids and rows of one writer; :meth:`flush` hands them to its store."""

    store: Store
    directory: Directory
    attribution: Attribution
    last_id: int
    last_hash: bytes
    next_desk_seq: int
    balances: dict[tuple[int, int], int]
    sealer: Sealer | None  # None: the rows are sealed where they are written
    rows: list[tuple[object, ...]]  # unsealed, until written
    # The balances moved since the caches were written, and the moment of their last
    # movement (the cache's last_at, which melting reads).
    touched: dict[tuple[int, int], int]
    sales: dict[tuple[int, int, str, int, str], list[int]]
    products: set[str]

    def __init__(
        self,
        state: WriterState,
        store: Store,
        directory: Directory,
        attribution: Attribution,
        *,
        sealer: Sealer | None,
        loaded_all: bool,
    ) -> None:
        self.store, self.directory, self.attribution = store, directory, attribution
        self.last_id, self.last_hash = state.last_id, state.last_hash
        self.next_desk_seq = state.next_desk_seq
        self.balances = state.balances
        self._loaded_all = loaded_all  # every balance is in self.balances
        self.sealer = sealer
        self.rows, self.touched, self.sales, self.products = [], {}, {}, set()

    @staticmethod
    def resumed(
        state: WriterState, store: Store, directory: Directory, attribution: Attribution
    ) -> Books:
        """Books that go on from ``state`` (every balance and name already loaded) and hand
        their rows to ``store``: the import's second process, which holds no session. Books,
        whatever the class it is asked of (a :class:`regie.ledger.posting.Writer` needs one)."""
        return Books(state, store, directory, attribution, sealer=None, loaded_all=True)

    def balance(self, account_id: int, asset_id: int) -> int:
        key = (account_id, asset_id)
        if key not in self.balances:
            self.balances[key] = 0 if self._loaded_all else self._stored_balance(*key)
        return self.balances[key]

    def _stored_balance(self, account_id: int, asset_id: int) -> int:
        """A balance the books do not hold, from the base."""
        raise NotImplementedError

    def state(self) -> WriterState:
        """Where the journal stands, for a writer in another process (:meth:`resumed`)."""
        return WriterState(
            last_id=self.last_id,
            last_hash=self.last_hash,
            next_desk_seq=self.next_desk_seq,
            balances=self.balances,
        )

    def append(self, entry: Entry) -> int:
        """Append a new entry (all its legs or none); its first transfer's id. The caller
        knows it is new (:meth:`post` checks; the import keeps its own map)."""
        d = self.directory
        # The name → id caches are read inline: a festival's import posts a million entries.
        source, pos_name = entry.source, entry.pos or None
        source_id = d.sources.get(source) or d.source(source, entry.source_kind)
        pos_id = (d.pos.get(pos_name) or d.point_of_sale(pos_name)) if pos_name else None
        accounts, assets, negative = d.accounts, d.assets, d.may_go_negative
        balances, touched, at = self.balances, self.touched, entry.at
        legs = entry.legs
        if len(legs) == 1:  # most entries: the same checks, without the general bookkeeping
            ((debit_name, credit_name, code, amount),) = legs
            if amount <= 0:
                raise Conflict(f"montant invalide : {amount}")
            debit = accounts.get(debit_name) or d.account(debit_name)
            credit = accounts.get(credit_name) or d.account(credit_name)
            asset = assets.get(code) or d.asset(code)
            if debit != credit:
                paying, paid = (debit, asset), (credit, asset)
                have = balances.get(paying)
                if have is None:
                    have = self.balance(debit, asset)
                if have < amount and not negative[debit]:
                    raise InsufficientFunds(self._short(debit, asset, have, amount))
                got = balances.get(paid)
                balances[paying] = have - amount
                balances[paid] = (self.balance(credit, asset) if got is None else got) + amount
                touched[paying] = touched[paid] = at
                resolved = [(debit, credit, asset, amount, debit_name, credit_name, code)]
            else:
                resolved = self._resolve(legs, at)
        else:
            resolved = self._resolve(legs, at)
        seq = entry.seq
        if seq is None:
            seq, self.next_desk_seq = self.next_desk_seq, self.next_desk_seq + 1
        tz = entry.tz_minutes
        event_id = (
            self.attribution.event_id(entry.event)
            if entry.event
            else self.attribution.event_of(source, pos_name, at, tz)
        )
        journal, op, method, ref = self.rows, entry.op, entry.method, entry.ref
        first = last_id = self.last_id + 1
        idem, details = entry.idem_key, entry.details  # on the first leg only
        for leg_number, (debit, credit, asset, amount, _debit, _credit, _code) in enumerate(
            resolved
        ):
            if leg_number:
                last_id += 1
                idem, details = None, ""
            journal.append(
                (
                    last_id,
                    first,
                    source_id,
                    seq,
                    leg_number,
                    op,
                    method,
                    at,
                    tz,
                    debit,
                    credit,
                    asset,
                    amount,
                    pos_id,
                    ref,
                    idem,
                    details,
                    event_id,
                )
            )
        self.last_id = last_id
        if entry.lines and pos_id is not None:
            self.add_sales(event_id or 0, pos_id, entry, -1 if op == "void" else 1)
        return first

    def _resolve(
        self, legs: tuple[LegValues, ...], at: int
    ) -> list[tuple[int, int, int, int, str, str, str]]:
        """Every leg's ids, checked against the balances as they will be, then applied."""
        d = self.directory
        accounts, assets, negative, balances = (
            d.accounts,
            d.assets,
            d.may_go_negative,
            self.balances,
        )
        resolved = []
        changes: dict[tuple[int, int], int] = {}
        for debit_name, credit_name, asset_code, amount in legs:
            if amount <= 0:
                raise Conflict(f"montant invalide : {amount}")
            debit = accounts.get(debit_name) or d.account(debit_name)
            credit = accounts.get(credit_name) or d.account(credit_name)
            asset = assets.get(asset_code) or d.asset(asset_code)
            resolved.append((debit, credit, asset, amount, debit_name, credit_name, asset_code))
            key = (debit, asset)
            changes[key] = changes.get(key, 0) - amount
            key = (credit, asset)
            changes[key] = changes.get(key, 0) + amount
        for key, delta in changes.items():
            have = balances.get(key)
            if have is None:
                have = self.balance(*key)
            if delta < 0 and have + delta < 0 and not negative[key[0]]:
                raise InsufficientFunds(self._short(*key, have, -delta))
        touched = self.touched
        for key, delta in changes.items():
            balances[key] += delta
            touched[key] = at
        return resolved

    def _short(self, account: int, asset: int, have: int, needed: int) -> str:
        """« solde insuffisant sur Carte 04A1… : 0,50 €, il en faudrait 1,00 € »."""
        d = self.directory
        name = next(n for n, i in d.accounts.items() if i == account)
        code = next(c for c, i in d.assets.items() if i == asset)
        return _("solde insuffisant sur {name} : {have}, il en faudrait {value}").format(
            name=labels.account_label(name),
            have=labels.amount(have, code),
            value=labels.amount(needed, code),
        )

    def add_sales(self, event_id: int, pos_id: int, entry: Entry, sign: int) -> None:
        hour = local_hour(entry.at, entry.tz_minutes)
        for product, quantity, unit, vat_bp in entry.lines:
            total = self.sales.setdefault((event_id, pos_id, product, vat_bp, hour), [0, 0])
            total[0] += sign * quantity
            total[1] += sign * quantity * unit
            self.products.add(product)

    def flush(self) -> None:
        """Write what was posted; the caller's transaction commits it."""
        self.write_journal()
        self.write_caches()

    def write_journal(self) -> None:
        """Write the accounts and transfers posted so far (a big import, every few thousand
        lines: memory stays flat); the caches wait for :meth:`write_caches`."""
        pending = self.directory.pending
        self.store.insert("account", ACCOUNT_COLUMNS, pending)
        self.directory.pending = []
        if self.sealer is not None:
            self.sealer.write(self.store, self.rows)
            self.last_hash = self.sealer.last_hash
        else:  # the process the store sends them to seals them
            self.store.insert("transfer", UNSEALED_COLUMNS, self.rows)
        self.rows.clear()  # in place: the import's tight loop holds the list

    def write_caches(self) -> None:
        """Write the balances, products, sales figures and the chain head: once per import."""
        store = self.store
        store.upsert(
            "balance",
            ("account_id", "asset_id"),
            ("account_id", "asset_id", "amount", "last_at"),
            [(a, s, self.balances[(a, s)], at) for (a, s), at in self.touched.items()],
        )
        self.touched.clear()
        if self.products:
            store.upsert(
                "product",
                ("name",),
                ("name", "category"),
                # Sorted: product ids in one order, whatever process posted them (a set's
                # order follows the strings' hashes, which differ from one process to another).
                [(name, "") for name in sorted(self.products)],
                keep_existing=True,
            )
            self.products.clear()
        store.upsert(
            "sales_summary",
            ("event_id", "pos_id", "product", "vat_bp", "hour"),
            ("event_id", "pos_id", "product", "vat_bp", "hour", "quantity", "amount"),
            [(*key, qty, amount) for key, (qty, amount) in self.sales.items()],
            add=("quantity", "amount"),
        )
        self.sales.clear()
        store.head(self.last_id, self.last_hash, self.next_desk_seq)


@functools.lru_cache(maxsize=4096)
def _hour(local_hour_number: int) -> str:
    moment = dt.datetime.fromtimestamp(local_hour_number * 3600, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H")


def local_hour(at: int, tz_minutes: int) -> str:
    """``"2026-07-12T21"``: the hour on the terminal's clock (a festival has a few hundred)."""
    return _hour((at + tz_minutes * 60) // 3600)

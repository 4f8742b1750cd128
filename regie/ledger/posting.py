"""The one writer of the journal: lock the head, check, hash, append, update the caches.

Every write to the ledger goes through :class:`Writer`, inside one database transaction:
the head row is locked first, so writers are serialized, balances are read after the lock,
and a wallet can never go negative, even with two laptops on one PostgreSQL database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from regie.changed import note
from regie.errors import Conflict
from regie.i18n import _
from regie.ledger import bulk, labels
from regie.ledger.accounts import Directory
from regie.ledger.attribution import Attribution
from regie.ledger.chain import COLUMNS, CONTENT_TEMPLATE
from regie.ledger.entries import Entry, LegValues
from regie.ledger.models import Balance, LedgerHead, Transfer


class InsufficientFunds(Conflict):
    pass


class IdempotencyConflict(Conflict):
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


class SessionStore:
    """The rows written in the session's transaction (:mod:`regie.ledger.bulk`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        bulk.insert_rows(self.session, table, columns, rows)
        if table == "transfer" and rows:  # ids given in order: the journal on screen appends
            note("transfer", range(rows[0][0], rows[-1][0] + 1))

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        add: Sequence[str] = (),
        keep_existing: bool = False,
    ) -> None:
        bulk.upsert_rows(
            self.session, table, key, columns, rows, add=add, keep_existing=keep_existing
        )

    def head(self, last_id: int, last_hash: bytes, next_desk_seq: int) -> None:
        self.session.execute(
            update(LedgerHead)
            .where(LedgerHead.id == 1)
            .values(last_transfer_id=last_id, last_hash=last_hash, next_desk_seq=next_desk_seq)
        )


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


@dataclass
class Posted:
    ids: list[int] = field(default_factory=list)
    replayed: bool = False


class Writer:
    """Appends entries to the journal within the caller's transaction; call :meth:`flush`."""

    def __init__(self, session: Session, *, preload: bool = False) -> None:
        self.session = session
        self.store: Store = SessionStore(session)
        self.directory = Directory(session)
        self.attribution = Attribution(session)
        self._lock_head()
        head = session.get_one(LedgerHead, 1)
        self.last_id = head.last_transfer_id
        self.last_hash = head.last_hash
        self.next_desk_seq = head.next_desk_seq
        self.balances: dict[tuple[int, int], int] = {}
        self._loaded_all = False
        if preload:
            self.directory.load_all()
            for account_id, asset_id, amount in session.execute(
                select(Balance.account_id, Balance.asset_id, Balance.amount)
            ):
                self.balances[(account_id, asset_id)] = amount
            self._loaded_all = True
        self.rows: list[tuple[object, ...]] = []  # unsealed, until written
        self.sealer: Sealer | None = Sealer(self.directory, self.last_hash)
        # The balances moved since the caches were written, and the moment of their last
        # movement (the cache's last_at, which melting reads).
        self.touched: dict[tuple[int, int], int] = {}
        self.sales: dict[tuple[int, int, str, int, str], list[int]] = {}
        self.products: set[str] = set()

    def state(self) -> WriterState:
        """Where the journal stands, for a writer in another process (:meth:`resumed`)."""
        return WriterState(
            last_id=self.last_id,
            last_hash=self.last_hash,
            next_desk_seq=self.next_desk_seq,
            balances=self.balances,
        )

    @classmethod
    def resumed(
        cls, state: WriterState, store: Store, directory: Directory, attribution: Attribution
    ) -> Writer:
        """A writer that goes on from ``state`` (every balance and name already loaded) and
        hands its rows to ``store``: the import's second process, which holds no session."""
        writer = cls.__new__(cls)
        writer.store, writer.directory, writer.attribution = store, directory, attribution
        writer.last_id, writer.last_hash = state.last_id, state.last_hash
        writer.next_desk_seq = state.next_desk_seq
        writer.balances = state.balances
        writer._loaded_all = True
        writer.sealer = None  # its rows are sealed where they are written
        writer.rows, writer.touched, writer.sales, writer.products = [], {}, {}, set()
        return writer

    def _lock_head(self) -> None:
        if bulk.dialect(self.session) == "postgresql":
            self.session.execute(text("SELECT id FROM ledger_head WHERE id = 1 FOR UPDATE"))
        else:  # SQLite: the first write takes the database's write lock
            self.session.execute(text("UPDATE ledger_head SET id = id WHERE id = 1"))

    def balance(self, account_id: int, asset_id: int) -> int:
        key = (account_id, asset_id)
        if key not in self.balances:
            found = None
            if not self._loaded_all:
                found = self.session.scalar(
                    select(Balance.amount).where(
                        Balance.account_id == account_id, Balance.asset_id == asset_id
                    )
                )
            self.balances[key] = int(found or 0)
        return self.balances[key]

    def existing(self, entry: Entry) -> list[Transfer]:
        if entry.idem_key is not None:
            return keyed_legs(self.session, entry.idem_key)
        if entry.seq is None:
            return []
        source_id = self.directory.source(entry.source, entry.source_kind)
        return entry_legs(self.session, source_id, entry.seq)

    def same_content(self, entry: Entry, rows: list[Transfer]) -> bool:
        if len(rows) != len(entry.legs):
            return False
        d = self.directory
        # A key names an operation, not a moment: its retry a second (or an hour) later is the
        # same operation. A terminal's line keeps its moment: it is what the terminal wrote.
        keyed = entry.idem_key is not None
        for row, (debit, credit, asset, amount) in zip(rows, entry.legs, strict=True):
            expected = (
                entry.op,
                entry.method,
                row.at if keyed else entry.at,
                row.tz_minutes if keyed else entry.tz_minutes,
                d.account(debit),
                d.account(credit),
                d.asset(asset),
                amount,
                d.point_of_sale(entry.pos) if entry.pos else None,
                entry.ref,
                entry.details if row.leg == 0 else "",
            )
            stored = (
                row.op,
                row.method,
                row.at,
                row.tz_minutes,
                row.debit_id,
                row.credit_id,
                row.asset_id,
                row.amount,
                row.pos_id,
                row.ref_id,
                row.details,
            )
            if expected != stored:
                return False
        return True

    def post(self, entry: Entry) -> Posted:
        """Append an entry (all its legs or none). Replays an identical retry."""
        rows = self.existing(entry)
        if rows:
            if not self.same_content(entry, rows):
                key = entry.idem_key or f"{entry.source} n°{entry.seq}"
                raise IdempotencyConflict(
                    _("{key} existe déjà avec un autre contenu : non importé").format(key=key)
                )
            return Posted(ids=[row.id for row in rows], replayed=True)
        first = self.append(entry)
        return Posted(ids=list(range(first, self.last_id + 1)))

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


def entry_legs(session: Session, source_id: int, seq: int) -> list[Transfer]:
    """The transfers of one entry, in order (its legs share the source and the sequence)."""
    return list(
        session.scalars(
            select(Transfer)
            .where(Transfer.source_id == source_id, Transfer.seq == seq)
            .order_by(Transfer.leg)
        )
    )


def keyed_legs(session: Session, key: str) -> list[Transfer]:
    """The transfers of the entry written under the idempotency key ``key`` ([] if none)."""
    first = session.scalar(select(Transfer).where(Transfer.idem_key == key))
    return [] if first is None else entry_legs(session, first.source_id, first.seq)


@functools.lru_cache(maxsize=4096)
def _hour(local_hour_number: int) -> str:
    moment = dt.datetime.fromtimestamp(local_hour_number * 3600, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H")


def local_hour(at: int, tz_minutes: int) -> str:
    """``"2026-07-12T21"``: the hour on the terminal's clock (a festival has a few hundred)."""
    return _hour((at + tz_minutes * 60) // 3600)


def post_entries(session: Session, entries: Iterable[Entry]) -> list[Posted]:
    """Post entries in the session's transaction (each replayed or written whole)."""
    writer = Writer(session)
    results = [writer.post(entry) for entry in entries]
    writer.flush()
    return results

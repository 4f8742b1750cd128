"""The one writer of the journal: lock the head, check, hash, append, update the caches.

Every write to the ledger goes through :class:`Writer`, inside one database transaction:
the head row is locked first, so writers are serialized, balances are read after the lock,
and a wallet can never go negative, even with two laptops on one PostgreSQL database.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from regie.changed import note
from regie.errors import Conflict
from regie.i18n import _
from regie.ledger import bulk, labels
from regie.ledger.accounts import Directory
from regie.ledger.attribution import Attribution
from regie.ledger.chain import COLUMNS, NamedRow, Row, content_link
from regie.ledger.entries import Entry
from regie.ledger.models import Balance, LedgerHead, Transfer


class InsufficientFunds(Conflict):
    pass


class IdempotencyConflict(Conflict):
    pass


@dataclass
class Posted:
    ids: list[int] = field(default_factory=list)
    replayed: bool = False


class Writer:
    """Appends entries to the journal within the caller's transaction; call :meth:`flush`."""

    def __init__(self, session: Session, *, preload: bool = False) -> None:
        self.session = session
        self.directory = Directory(session)
        self.attribution = Attribution(session)
        self._lock_head()
        head = session.get_one(LedgerHead, 1)
        self.last_id = head.last_transfer_id
        self.last_hash = head.last_hash
        self.next_desk_seq = head.next_desk_seq
        self.balances: dict[tuple[int, int], int] = {}
        self.last_at: dict[tuple[int, int], int] = {}
        self._loaded_all = False
        if preload:
            self.directory.load_all()
            for account_id, asset_id, amount, last_at in session.execute(
                select(Balance.account_id, Balance.asset_id, Balance.amount, Balance.last_at)
            ):
                self.balances[(account_id, asset_id)] = amount
                self.last_at[(account_id, asset_id)] = last_at
            self._loaded_all = True
        self.rows: list[tuple[object, ...]] = []
        self.dirty: set[tuple[int, int]] = set()
        self.sales: dict[tuple[int, int, str, int, str], list[int]] = {}
        self.products: set[str] = set()

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

    def post(self, entry: Entry, *, check_existing: bool = True) -> Posted:
        """Append an entry (all its legs or none). Replays an identical retry."""
        if check_existing:
            rows = self.existing(entry)
            if rows:
                if not self.same_content(entry, rows):
                    key = entry.idem_key or f"{entry.source} n°{entry.seq}"
                    raise IdempotencyConflict(
                        _("{key} existe déjà avec un autre contenu : non importé").format(key=key)
                    )
                return Posted(ids=[row.id for row in rows], replayed=True)
        d = self.directory
        # The name → id caches are read inline: a festival's import posts a million entries.
        source_id = d.sources.get(entry.source) or d.source(entry.source, entry.source_kind)
        pos_id = (d.pos.get(entry.pos) or d.point_of_sale(entry.pos)) if entry.pos else None
        accounts, assets, negative = d.accounts, d.assets, d.may_go_negative
        resolved = []
        # Check every leg against the balances as they will be, before touching anything.
        changes: dict[tuple[int, int], int] = {}
        for debit_name, credit_name, asset_code, amount in entry.legs:
            if amount <= 0:
                raise Conflict(f"montant invalide : {amount}")
            debit = accounts.get(debit_name) or d.account(debit_name)
            credit = accounts.get(credit_name) or d.account(credit_name)
            asset = assets.get(asset_code) or d.asset(asset_code)
            resolved.append((debit, credit, asset, amount, debit_name, credit_name, asset_code))
            changes[(debit, asset)] = changes.get((debit, asset), 0) - amount
            changes[(credit, asset)] = changes.get((credit, asset), 0) + amount
        balances = self.balances
        for (account, asset), delta in changes.items():
            if delta < 0 and not negative[account]:
                have = balances.get((account, asset))
                if have is None:
                    have = self.balance(account, asset)
                if have + delta < 0:
                    raise InsufficientFunds(self._short(account, asset, have, -delta))
        last_at, dirty, at = self.last_at, self.dirty, entry.at
        for touched, delta in changes.items():
            have = balances.get(touched)
            balances[touched] = (self.balance(*touched) if have is None else have) + delta
            last_at[touched] = at
            dirty.add(touched)
        seq = entry.seq
        if seq is None:
            seq, self.next_desk_seq = self.next_desk_seq, self.next_desk_seq + 1
        first = self.last_id + 1
        event_id = (
            self.attribution.event_id(entry.event)
            if entry.event
            else self.attribution.event_of(entry.source, entry.pos, at, entry.tz_minutes)
        )
        ids = []
        journal, last_hash, op, method, tz, ref = (
            self.rows,
            self.last_hash,
            entry.op,
            entry.method,
            entry.tz_minutes,
            entry.ref,
        )
        pos_name = entry.pos or None
        for leg_number, (debit, credit, asset, amount, debit_name, credit_name, code) in enumerate(
            resolved
        ):
            self.last_id += 1
            idem, details = (entry.idem_key, entry.details) if leg_number == 0 else (None, "")
            row: Row = (
                self.last_id,
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
            )
            # The chain hashes names, not ids (see regie.ledger.chain).
            named: NamedRow = (
                self.last_id,
                first,
                entry.source,
                seq,
                leg_number,
                op,
                method,
                at,
                tz,
                debit_name,
                credit_name,
                code,
                amount,
                pos_name,
                ref,
                idem,
                details,
            )
            last_hash = content_link(last_hash, named)
            journal.append((*row, last_hash, event_id))
            ids.append(self.last_id)
        self.last_hash = last_hash
        if entry.lines and pos_id is not None:
            self.add_sales(event_id or 0, pos_id, entry, -1 if entry.op == "void" else 1)
        return Posted(ids=ids)

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
        bulk.insert_rows(
            self.session, "account", ("id", "name", "kind", "may_go_negative"), pending
        )
        self.directory.pending = []
        bulk.insert_rows(self.session, "transfer", (*COLUMNS, "hash", "event_id"), self.rows)
        if self.rows:  # ids given in order: the journal on screen appends them
            note("transfer", range(self.last_id - len(self.rows) + 1, self.last_id + 1))
        self.rows = []

    def write_caches(self) -> None:
        """Write the balances, products, sales figures and the chain head: once per import."""
        bulk.upsert_rows(
            self.session,
            "balance",
            ("account_id", "asset_id"),
            ("account_id", "asset_id", "amount", "last_at"),
            [(a, s, self.balances[(a, s)], self.last_at[(a, s)]) for a, s in self.dirty],
        )
        self.dirty = set()
        if self.products:
            bulk.upsert_rows(
                self.session,
                "product",
                ("name",),
                ("name", "category"),
                [(name, "") for name in self.products],
                keep_existing=True,
            )
            self.products = set()
        bulk.upsert_rows(
            self.session,
            "sales_summary",
            ("event_id", "pos_id", "product", "vat_bp", "hour"),
            ("event_id", "pos_id", "product", "vat_bp", "hour", "quantity", "amount"),
            [(*key, qty, amount) for key, (qty, amount) in self.sales.items()],
            add=("quantity", "amount"),
        )
        self.sales = {}
        self.session.execute(
            update(LedgerHead)
            .where(LedgerHead.id == 1)
            .values(
                last_transfer_id=self.last_id,
                last_hash=self.last_hash,
                next_desk_seq=self.next_desk_seq,
            )
        )


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

"""The one writer of the journal: lock the head, check, hash, append, update the caches.

Every write to the ledger goes through :class:`Writer`, inside one database transaction:
the head row is locked first, so writers are serialized, balances are read after the lock,
and a wallet can never go negative, even with two laptops on one PostgreSQL database.
What it checks and posts is its books' (:mod:`regie.ledger.books`, which read nothing);
here is what it reads from and writes to the session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from regie.changed import note
from regie.errors import Conflict
from regie.i18n import _
from regie.ledger import bulk
from regie.ledger.accounts import Directory
from regie.ledger.attribution_rules import stored_attribution
from regie.ledger.books import (
    ACCOUNT_COLUMNS,
    BARE_COLUMNS,
    TRANSFER_COLUMNS,
    UNSEALED_COLUMNS,
    Books,
    InsufficientFunds,
    Sealer,
    UnknownKey,
    WriterState,
    local_hour,
)
from regie.ledger.entries import Entry
from regie.ledger.models import (
    Account,
    Balance,
    LedgerAsset,
    LedgerHead,
    PointOfSale,
    Source,
    Transfer,
)

__all__ = [  # what the books define, given here too: the desk and the settlement write here
    "ACCOUNT_COLUMNS",
    "BARE_COLUMNS",
    "TRANSFER_COLUMNS",
    "UNSEALED_COLUMNS",
    "IdempotencyConflict",
    "InsufficientFunds",
    "Posted",
    "Sealer",
    "SessionStore",
    "StoredDirectory",
    "UnknownKey",
    "Writer",
    "WriterState",
    "entry_legs",
    "keyed_legs",
    "local_hour",
    "post_entries",
]


class IdempotencyConflict(Conflict):
    pass


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


class StoredDirectory(Directory):
    """The names of the session's base: what the caches miss is read, a new point of sale or
    terminal is created in the session's transaction."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def load_all(self) -> None:
        """Every name at once (a bulk import); then unknown names are new, no query needed."""
        for id_, name, negative in self.session.execute(
            select(Account.id, Account.name, Account.may_go_negative)
        ):
            self.accounts[name] = id_
            self.account_names[id_] = name
            self.may_go_negative[id_] = negative
        self.assets = dict(self.session.execute(select(LedgerAsset.code, LedgerAsset.id)).all())
        self.pos = dict(self.session.execute(select(PointOfSale.name, PointOfSale.id)).all())
        self.sources = dict(self.session.execute(select(Source.name, Source.id)).all())
        self.complete = True

    def _stored_account(self, name: str) -> tuple[int, bool] | None:
        row = self.session.execute(
            select(Account.id, Account.may_go_negative).where(Account.name == name)
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def _top_account_id(self) -> int:
        return int(self.session.scalar(select(func.max(Account.id))) or 0)

    def _stored_asset(self, code: str) -> int | None:
        return self.session.scalar(select(LedgerAsset.id).where(LedgerAsset.code == code))

    def _new_point_of_sale(self, name: str) -> int:
        found = self.session.scalar(select(PointOfSale.id).where(PointOfSale.name == name))
        if found is None:
            pos = PointOfSale(name=name)
            self.session.add(pos)
            self.session.flush()
            found = pos.id
        return found

    def _new_source(self, name: str, kind: str) -> int:
        found = self.session.scalar(select(Source.id).where(Source.name == name))
        if found is None:
            source = Source(name=name, kind=kind)
            self.session.add(source)
            self.session.flush()
            found = source.id
        return found


@dataclass
class Posted:
    ids: list[int] = field(default_factory=list)
    replayed: bool = False


class Writer(Books):
    """Appends entries to the journal within the caller's transaction; call :meth:`flush`."""

    directory: StoredDirectory

    def __init__(self, session: Session, *, preload: bool = False) -> None:
        self.session = session
        directory = StoredDirectory(session)
        self._lock_head()
        head = session.get_one(LedgerHead, 1)
        balances: dict[tuple[int, int], int] = {}
        if preload:
            directory.load_all()
            for account_id, asset_id, amount in session.execute(
                select(Balance.account_id, Balance.asset_id, Balance.amount)
            ):
                balances[(account_id, asset_id)] = amount
        super().__init__(
            WriterState(
                last_id=head.last_transfer_id,
                last_hash=head.last_hash,
                next_desk_seq=head.next_desk_seq,
                balances=balances,
            ),
            SessionStore(session),
            directory,
            stored_attribution(session),
            sealer=Sealer(directory, head.last_hash),
            loaded_all=preload,
        )

    def _lock_head(self) -> None:
        if bulk.dialect(self.session) == "postgresql":
            self.session.execute(text("SELECT id FROM ledger_head WHERE id = 1 FOR UPDATE"))
        else:  # SQLite: the first write takes the database's write lock
            self.session.execute(text("UPDATE ledger_head SET id = id WHERE id = 1"))

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

    def _stored_balance(self, account_id: int, asset_id: int) -> int:
        found = self.session.scalar(
            select(Balance.amount).where(
                Balance.account_id == account_id, Balance.asset_id == asset_id
            )
        )
        return int(found or 0)


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


def post_entries(session: Session, entries: Iterable[Entry]) -> list[Posted]:
    """Post entries in the session's transaction (each replayed or written whole)."""
    writer = Writer(session)
    results = [writer.post(entry) for entry in entries]
    writer.flush()
    return results

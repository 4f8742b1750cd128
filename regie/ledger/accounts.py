"""Accounts, assets, points of sale and sources: created on first use, cached by name."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.errors import NotFound
from regie.ledger.models import Account, LedgerAsset, PointOfSale, Source


def account_kind(name: str) -> str:
    head = name.split(":", 1)[0]
    if head in ("wallet", "pos", "fed"):
        return head if head != "pos" else f"pos_{name.rsplit(':', 1)[1]}"
    return name.replace(":", "_")


class Directory:
    """Name → id caches for one session (a bulk import resolves 50,000 wallets once)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.accounts: dict[str, int] = {}
        self.account_names: dict[int, str] = {}  # the other way round (the chain hashes names)
        self.assets: dict[str, int] = {}
        self.pos: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.may_go_negative: dict[int, bool] = {}
        # Accounts created by this directory, written by the ledger writer's flush. Ids are
        # allocated here: writers hold the chain head's lock, so no two allocate at once.
        self.pending: list[tuple[int, str, str, bool]] = []
        self._next_account_id: int | None = None
        self.complete = False  # every existing account is in self.accounts

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

    def account(self, name: str) -> int:
        found = self.accounts.get(name)
        if found is not None:
            return found
        row = None
        if not self.complete:
            row = self.session.execute(
                select(Account.id, Account.may_go_negative).where(Account.name == name)
            ).one_or_none()
        if row is not None:
            account_id, negative = row
        else:
            account_id = self.next_account_id()
            self._next_account_id = account_id + 1
            negative = not name.startswith("wallet:")
            self.pending.append((account_id, name, account_kind(name), negative))
        self.accounts[name] = account_id
        self.account_names[account_id] = name
        self.may_go_negative[account_id] = negative
        return int(account_id)

    def learn_accounts(self, rows: list[tuple[int, str, str, bool]]) -> None:
        """Accounts another process's directory created (id, name, kind, may go negative)."""
        for account_id, name, _kind, negative in rows:
            self.accounts[name] = account_id
            self.account_names[account_id] = name
            self.may_go_negative[account_id] = negative

    def next_account_id(self) -> int:
        """The id the next new account gets."""
        if self._next_account_id is None:
            top = self.session.scalar(select(func.max(Account.id)))
            self._next_account_id = int(top or 0) + 1
        return self._next_account_id

    def asset(self, code: str) -> int:
        found = self.assets.get(code)
        if found is None:
            found = self.session.scalar(select(LedgerAsset.id).where(LedgerAsset.code == code))
            if found is None:
                raise NotFound(f"actif inconnu : {code}")
            self.assets[code] = found
        return found

    def point_of_sale(self, name: str) -> int:
        found = self.pos.get(name)
        if found is None:
            found = self.session.scalar(select(PointOfSale.id).where(PointOfSale.name == name))
            if found is None:
                pos = PointOfSale(name=name)
                self.session.add(pos)
                self.session.flush()
                found = pos.id
            self.pos[name] = found
        return found

    def source(self, name: str, kind: str = "terminal") -> int:
        found = self.sources.get(name)
        if found is None:
            found = self.session.scalar(select(Source.id).where(Source.name == name))
            if found is None:
                source = Source(name=name, kind=kind)
                self.session.add(source)
                self.session.flush()
                found = source.id
            self.sources[name] = found
        return found

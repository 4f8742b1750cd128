"""Accounts, assets, points of sale and sources: created on first use, cached by name.

:class:`Directory` holds the caches and reads nothing: what they miss is asked of the base
by a subclass — :class:`regie.ledger.posting.StoredDirectory` reads the session, the import's
second process asks the importer (:mod:`regie.ledger.journal_child`), which starts without
the database's modules.
"""

from __future__ import annotations

from regie.errors import NotFound


def account_kind(name: str) -> str:
    head = name.split(":", 1)[0]
    if head in ("wallet", "pos", "fed"):
        return head if head != "pos" else f"pos_{name.rsplit(':', 1)[1]}"
    return name.replace(":", "_")


class Directory:
    """Name → id caches for one writer (a bulk import resolves 50,000 wallets once)."""

    def __init__(self) -> None:
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

    def account(self, name: str) -> int:
        found = self.accounts.get(name)
        if found is not None:
            return found
        row = None if self.complete else self._stored_account(name)
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
            self._next_account_id = self._top_account_id() + 1
        return self._next_account_id

    def asset(self, code: str) -> int:
        found = self.assets.get(code)
        if found is None:
            found = self._stored_asset(code)
            if found is None:
                raise NotFound(f"actif inconnu : {code}")
            self.assets[code] = found
        return found

    def point_of_sale(self, name: str) -> int:
        """Its id; a point of sale met for the first time is created by the base."""
        found = self.pos.get(name)
        if found is None:
            found = self.pos[name] = self._new_point_of_sale(name)
        return found

    def source(self, name: str, kind: str = "terminal") -> int:
        """Its id; a terminal met for the first time is created by the base."""
        found = self.sources.get(name)
        if found is None:
            found = self.sources[name] = self._new_source(name, kind)
        return found

    # What the caches miss, from the base.
    def _stored_account(self, name: str) -> tuple[int, bool] | None:
        """(id, may go negative) of an account the caches do not hold yet."""
        raise NotImplementedError

    def _top_account_id(self) -> int:
        raise NotImplementedError

    def _stored_asset(self, code: str) -> int | None:
        raise NotImplementedError

    def _new_point_of_sale(self, name: str) -> int:
        """The id of the point of sale ``name``, found or created."""
        raise NotImplementedError

    def _new_source(self, name: str, kind: str) -> int:
        raise NotImplementedError

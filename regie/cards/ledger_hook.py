"""Where the ledger plugs into the cards: balances on the monitor, balance moves on replacement.

The ledger does not exist yet. When it does, it calls :func:`install` with an object that
follows :class:`CardLedger`; until then the monitor shows no balance (``None``, not zero) and
a replacement moves nothing, saying so.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session


class CardLedger(Protocol):
    def balances(self, session: Session, card_id: int) -> dict[str, int]:
        """Balance per asset code (EUR, GIFT…), in cents."""
        ...

    def move_balances(
        self, session: Session, old_card_id: int, new_card_id: int, *, who: str, key: str
    ) -> dict[str, int]:
        """Move every balance of the old card to the new one, in the caller's transaction.

        ``key`` is the idempotency key of the move; returns what was moved per asset.
        """
        ...


_ledger: CardLedger | None = None


def install(ledger: CardLedger | None) -> None:
    global _ledger
    _ledger = ledger


def ledger() -> CardLedger | None:
    return _ledger

"""Where the ledger meets the cards: balances on the monitor, the move on replacement."""

from __future__ import annotations

from sqlalchemy.orm import Session

from regie.cards.models import Card
from regie.ledger.desk import balances_of, move_balance


def balances(session: Session, card: Card) -> dict[str, int] | None:
    """The card's balance per asset (cents), or None for a card never paired with a chip."""
    if not card.uid:
        return None
    return balances_of(session, card.uid)


def move_balances(session: Session, old: Card, new: Card, *, who: str, key: str) -> dict[str, int]:
    """Move every balance of a lost card to its replacement, in the caller's transaction."""
    if not old.uid or not new.uid:
        return {}
    moved = balances(session, old) or {}
    move_balance(session, old.uid, new.uid, reason=f"remplacement de carte par {who}", key=key)
    return {code: amount for code, amount in moved.items() if amount > 0}

"""The colours the cards screens give to a card's state and to an encoding outcome."""

from __future__ import annotations

from regie.cards.encoding import Outcome
from regie.cards.models import CardState

STATE_COLOURS = {
    CardState.ACTIVE: "#0b6b2f",
    CardState.BLOCKED: "#b3261e",
    CardState.LOST: "#b3261e",
    CardState.RETURNED: "#1d5fa8",
    CardState.DESTROYED: "#5b6b7a",
}

# Text colour, background: the last result is read from across the table.
OUTCOME_COLOURS = {
    Outcome.ENCODED: ("#0b6b2f", "#e3f4e8"),
    Outcome.ALREADY_ENCODED: ("#1d5fa8", "#e4eefa"),
    Outcome.REENCODED: ("#00695c", "#dff3ef"),
    Outcome.FAILED: ("#b3261e", "#fbe7e5"),
}
IDLE_COLOURS = ("#5b6b7a", "#f3f5f7")


def badge_style(colour: str) -> str:
    """A state written white on its colour: a QLabel's style sheet."""
    return (
        f"background: {colour}; color: white; font-weight: bold; border-radius: 4px; "
        "padding: 3px 10px; font-size: 14px;"
    )

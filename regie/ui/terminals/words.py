"""The terminal screens' figures for people, in the language shown: sizes (the core's own
words, shared with the command line) and VAT rates."""

from __future__ import annotations

from regie.ledger.labels import vat_rate
from regie.terminals.sizes import size_text

__all__ = ["size_text", "vat_text"]


def vat_text(bp: int) -> str:
    """``550`` → ``5,5 %`` (``5.5%``)."""
    return vat_rate(bp)

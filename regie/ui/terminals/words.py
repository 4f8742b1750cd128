"""The terminal screens' VAT rates for people, in the language shown (sizes are the core's
own words, shared with the command line: ``regie.terminals.sizes``)."""

from __future__ import annotations

from regie.ledger.labels import vat_rate

__all__ = ["vat_text"]


def vat_text(bp: int) -> str:
    """``550`` → ``5,5 %`` (``5.5%``)."""
    return vat_rate(bp)

"""SoTicket's scheme per structure and calendar year: per-event accruals and the year-end
adjustment that brings the fee up to the floor or down to the cap.

STUB (branch ``screen``): the dataclass is the agreed API; ``structures()`` is written by
another helper and replaces this file at integration.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SoticketStructure:
    structure: str
    events: list[tuple[str, int, int]]  # (prestation, base_cents, accrual_cents)
    accrued_cents: int
    adjustment_cents: int  # > 0 up to the floor, < 0 down to the cap
    fee_cents: int
    floor_cents: int
    cap_cents: int


def structures(session: Session, year: int) -> list[SoticketStructure]:
    """Each structure's fee for ``year`` (stub: the real one comes from the SoTicket branch)."""
    raise NotImplementedError("regie.settlement.soticket.structures is not integrated yet")

"""How many of a stock lot are where: gone for good, out on loan, on the shelf.

Bookings, loans and incidents all count a lot the same way, so the counting lives below
them (an incident releases a booking; a booking needs the lost count).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.inventory.models import Incident, IncidentStatus, LoanLine, StockLot


def lot_lost(session: Session, lot: StockLot) -> int:
    """How many items of a lot are gone for good (lost, stolen, written off)."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Incident.quantity), 0)).where(
                Incident.stock_lot_id == lot.id, Incident.status == IncidentStatus.WRITTEN_OFF
            )
        )
        or 0
    )


def lot_out(session: Session, lot: StockLot) -> int:
    """How many items of a lot are out right now."""
    return int(
        session.scalar(
            select(
                func.coalesce(func.sum(LoanLine.quantity_out - LoanLine.quantity_back), 0)
            ).where(LoanLine.stock_lot_id == lot.id, LoanLine.returned_at.is_(None))
        )
        or 0
    )


def lot_in_stock(session: Session, lot: StockLot) -> int:
    """Items of a lot on the shelf now: acquired, less those lost, less those out."""
    return lot.quantity - lot_lost(session, lot) - lot_out(session, lot)

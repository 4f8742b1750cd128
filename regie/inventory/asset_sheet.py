"""One asset as its detail panel shows it: plain values, history lines, costs to date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from regie import clock
from regie.i18n import _
from regie.inventory.amortisation import GONE, amortised_cents
from regie.inventory.asset_window import AssetRow
from regie.inventory.assets import asset_detail
from regie.inventory.history import LABELS, EventKind


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    event: str  # in French
    detail: str
    cost_cents: int | None


@dataclass(frozen=True, kw_only=True)
class AssetSheet:
    row: AssetRow
    purchase_date: dt.date | None
    amortisation_months: int
    salvage_value_cents: int
    notes: str
    shares: list[tuple[str, int]]  # (owner, basis points)
    history: list[HistoryLine]  # oldest first
    amortised_cents: int  # at ``at``; all of it for an item lost or written off
    running_costs_cents: int  # repairs and maintenance so far

    @property
    def book_value_cents(self) -> int:
        return self.row.purchase_cost_cents - self.amortised_cents


def _label(kind: str) -> str:
    try:
        return _(LABELS[EventKind(kind)])
    except ValueError:  # a kind written by a newer Régie: show it as it is
        return kind


def asset_sheet(session: Session, tag: str, at: dt.date | None = None) -> AssetSheet:
    """The detail of one asset with its history, without any live ORM object."""
    at = at or clock.today()
    detail = asset_detail(session, tag)
    row = detail.row
    if row.status in GONE:
        amortised = row.purchase_cost_cents
    else:
        amortised = amortised_cents(
            row.purchase_cost_cents,
            detail.salvage_value_cents,
            detail.amortisation_months,
            detail.purchase_date,
            at,
        )
    history = [
        HistoryLine(
            at=event.at,
            event=_label(event.kind),
            detail=event.detail,
            cost_cents=event.cost_cents,
        )
        for event in detail.events
    ]
    return AssetSheet(
        row=row,
        purchase_date=detail.purchase_date,
        amortisation_months=detail.amortisation_months,
        salvage_value_cents=detail.salvage_value_cents,
        notes=detail.notes,
        shares=detail.shares,
        history=history,
        amortised_cents=amortised,
        running_costs_cents=sum(line.cost_cents or 0 for line in history),
    )

"""The season at a glance: every prestation of a year in the convention's chronological order,
with its share, cachet, costs, melting payback, phase and the amortisation as it goes.

The figures are those of the season's ledger (:func:`regie.settlement.convention.statements`):
each prestation's « déjà récupéré » is what the prestations before it recovered, whatever the
order they were recorded in. A recorded prestation is « recorded » while its newest version
still holds these figures, « changed » when they now differ (an earlier prestation was
recorded or corrected since), « draft » when never recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from regie.inventory.amortisation import by_owner
from regie.settings.convention import settings_at
from regie.settlement.convention import Statement, statements


@dataclass(frozen=True, kw_only=True)
class SeasonLine:
    name: str
    kind: str  # "external" | "own"
    scheme: str  # "convention" | "flat" | "soticket"
    starts_on: dt.date
    ends_on: dt.date
    base_cents: int
    share_cents: int
    cachet_cents: int
    costs_cents: int
    melting_payback_cents: int  # >= 0: what the cooperative pays back, deducted from total
    total_cents: int  # what the partner owes for this prestation
    phase: str  # N_ word: amortissement / post-amortissement / bascule
    recovered_to_date_cents: int  # cumulative, after this prestation
    left_to_amortise_cents: int  # after this prestation
    status: str  # "draft" | "recorded" | "changed" (recorded, draft now differs)
    version: int  # 0 for a draft


@dataclass(frozen=True)
class Season:
    year: int
    invested_cents: int  # equipment + associated costs
    lines: list[SeasonLine]  # chronological order
    curve: list[tuple[dt.date, int]]  # (prestation end, recovered so far) for the chart


def status_of(statement: Statement) -> tuple[str, int]:
    if statement.version:
        return "recorded", statement.version
    if statement.previous_version:
        return "changed", statement.previous_version
    return "draft", 0


def line_of(statement: Statement) -> SeasonLine:
    status, version = status_of(statement)
    event = statement.event
    return SeasonLine(
        name=event.name,
        kind=statement.kind,
        scheme=statement.scheme,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        base_cents=statement.base_cents,
        share_cents=statement.share_cents,
        cachet_cents=statement.cachet_cents,
        costs_cents=statement.costs_cents,
        melting_payback_cents=statement.melting_payback_cents,
        total_cents=statement.total_cents,
        phase=statement.phase,
        recovered_to_date_cents=statement.recovered_before_cents + statement.recovery_cents,
        left_to_amortise_cents=statement.remaining_after_cents,
        status=status,
        version=version,
    )


def season(session: Session, year: int) -> Season:
    """The prestations that end in ``year``, as the season's ledger computes them."""
    mine = [s for s in statements(session) if s.event.ends_on.year == year]
    lines = [line_of(s) for s in mine]
    if mine:
        invested = mine[-1].invested_cents
    else:
        last_day = dt.date(year, 12, 31)
        values = settings_at(session, last_day)
        owned = by_owner(session, at=last_day, owner=values.text("cooperative"))
        invested = (
            (owned[0].invested_cents if owned else 0)
            + values.cents("invested_hosting_cents")
            + values.cents("invested_bank_fees_cents")
        )
    curve = [(line.ends_on, line.recovered_to_date_cents) for line in lines]
    return Season(year=year, invested_cents=invested, lines=lines, curve=curve)

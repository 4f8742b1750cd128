"""The season ledger: every prestation of a year in chronological order, with what each owes
and where amortisation stands after it.

STUB (branch ``screen``): the dataclasses are the agreed API; ``season()`` is written by
another helper and replaces this file at integration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
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
    status: str  # "draft" | "recorded" | "changed"
    version: int  # 0 for a draft


@dataclass(frozen=True)
class Season:
    year: int
    invested_cents: int
    lines: list[SeasonLine]  # chronological order
    curve: list[tuple[dt.date, int]]  # (prestation end, recovered so far)


def season(session: Session, year: int) -> Season:
    """The season of ``year`` (stub: the real one comes from the season ledger's branch)."""
    raise NotImplementedError("regie.settlement.season.season is not integrated yet")

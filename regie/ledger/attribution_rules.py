"""The attribution's rules as the base holds them (:mod:`regie.ledger.attribution`): the
prestations' days, the loans of terminals to prestations, and each terminal's point of sale.
Read once per writer; the import's second process gets them read, in its snapshot."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from regie.inventory.models import Asset, Loan, LoanLine
from regie.ledger.attribution import (
    AFTER_LAST_DAY,
    DAY_AFTER_ENDS,
    FOREVER,
    Attribution,
    AttributionState,
    Days,
    Span,
    day_span,
)
from regie.models import Prestation


def stored_attribution(session: Session) -> Attribution:
    """The attribution of the session's base, its rules read the first time one is asked."""
    return Attribution(functools.partial(read_rules, session))


def _stamp(moment: dt.datetime | None) -> int:
    if moment is None:
        return FOREVER
    if moment.tzinfo is None:  # SQLite gives naive datetimes back: they were stored in UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def read_rules(session: Session) -> AttributionState:
    """Events by name, their days, the loans' spans by device and by point of sale."""
    events: dict[str, int] = {}
    event_days: dict[int, Span] = {}
    for id_, name, starts_on, ends_on in session.execute(
        select(Prestation.id, Prestation.name, Prestation.starts_on, Prestation.ends_on)
    ):
        events[name] = id_
        event_days[id_] = day_span(id_, starts_on, ends_on)
    lent: dict[str, list[Span]] = defaultdict(list)
    for tag, event_id, out_at, returned_at, closed_at in session.execute(
        select(Asset.tag, Loan.prestation_id, Loan.out_at, LoanLine.returned_at, Loan.closed_at)
        .join(LoanLine, LoanLine.asset_id == Asset.id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id.is_not(None))
    ):
        if event_id is not None:  # the query keeps loans for a prestation only
            lent[tag].append(Span(_stamp(out_at), _stamp(returned_at or closed_at), event_id))
    by_device = dict(lent)
    returned: dict[int, int] = defaultdict(int)
    for device_spans in lent.values():
        for span in device_spans:
            if span.end != FOREVER:
                returned[span.event_id] = max(returned[span.event_id], span.end)
    days = [
        Days(
            span,
            span.end - int(AFTER_LAST_DAY.total_seconds()) + int(DAY_AFTER_ENDS.total_seconds()),
            returned[id_],
        )
        for id_, span in event_days.items()
    ]
    # The terminal list sits above the ledger: read by name, not imported.
    pos_spans: dict[str, list[Span]] = defaultdict(list)
    for name, tag, pos in session.execute(
        text(
            "SELECT terminal.name, asset.tag, pos.name FROM terminal "
            "LEFT JOIN asset ON terminal.asset_id = asset.id "
            "LEFT JOIN pos ON terminal.pos_id = pos.id"
        )
    ):
        spans = lent.get(tag, []) if tag else []
        if spans and name not in by_device:
            by_device[name] = spans
        if pos:
            pos_spans[pos].extend(spans)
    return events, days, by_device, dict(pos_spans)

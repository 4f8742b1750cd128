"""A festival's million lines ask which event each belongs to: the answer is kept for the step of
moments between two edges of the writer's loans and days. Whatever the order of the moments,
it must be the answer the rules give when asked afresh."""

from __future__ import annotations

import random

import pytest

from regie.ledger.attribution import FOREVER, Attribution, Days, Span

HOUR = 3600
DAY = 24 * HOUR


def _season(
    rnd: random.Random,
) -> tuple[dict[str, int], list[Days], dict[str, list[Span]], dict[str, list[Span]]]:
    """Three to six events over a month: their days, terminals lent (some never returned),
    and tills whose terminals are lent, overlapping now and then."""
    start = 1_780_000_000
    events = {f"e{n}": n for n in range(1, rnd.randint(3, 6) + 1)}
    days, by_device, by_pos = [], {}, {}
    for event_id in events.values():
        first = start + rnd.randrange(30) * DAY
        span = Span(first, first + rnd.randint(1, 4) * DAY + 12 * HOUR, event_id)
        returned = span.end + rnd.choice([0, -HOUR, 2 * HOUR, 20 * HOUR])
        days.append(Days(span, span.end + 12 * HOUR, returned if rnd.random() < 0.8 else 0))
    for terminal in ("T1", "T2", "T3"):
        spans = []
        for _ in range(rnd.randint(0, 3)):
            out = start + rnd.randrange(35 * DAY)
            back = FOREVER if rnd.random() < 0.2 else out + rnd.randrange(1, 6 * DAY)
            spans.append(Span(out, back, rnd.choice(list(events.values()))))
        by_device[terminal] = spans
    for till in ("Bar", "Entrée"):
        by_pos[till] = by_device[rnd.choice(["T1", "T2", "T3"])][:]
    return events, days, by_device, by_pos


@pytest.mark.parametrize("seed", range(12))
def test_the_event_kept_for_a_step_is_the_one_the_rules_give(seed: int) -> None:
    rnd = random.Random(seed)
    state = _season(rnd)
    _events, days, by_device, _tills = state
    edges = sorted(
        {s.start for spans in by_device.values() for s in spans}
        | {s.end for spans in by_device.values() for s in spans if s.end != FOREVER}
        | {d.span.start for d in days}
        | {d.span.end for d in days}
        | {d.latest for d in days}
    )
    # every edge, a second either side, on each writer's clock, and moments in between
    # every edge (UTC for loans, on each writer's clock for days: at = local - offset), a
    # second either side, and moments in between
    moments = [
        edge + shift - tz * 60 for edge in edges for shift in (-1, 0, 1) for tz in (0, 120, -300)
    ]
    moments += [rnd.randrange(edges[0] - DAY, edges[-1] + DAY) for _ in range(3000)]
    writers = [
        (t, p, tz)
        for t in ("T1", "T2", "T3", "INCONNU")
        for p in ("Bar", "Entrée", None)
        for tz in (0, 120, -300)
    ]
    kept = Attribution.resumed(state)
    asked = 0
    for order in (sorted(moments), moments, rnd.sample(moments, len(moments))):
        for at in order:
            source, pos, tz = rnd.choice(writers)
            afresh = Attribution.resumed(state).event_of(source, pos, at, tz)
            assert kept.event_of(source, pos, at, tz) == afresh, (source, pos, at, tz)
            asked += afresh is not None
    assert asked > 1000  # the moments fall in events, not only outside them

"""Which event a transfer belongs to, decided once, when it is written.

A season's base holds many prestations; every per-event figure (report, Z of the event,
indicators, refunds, Stripe fees, the convention's statement) reads the transfers
attributed to that event. The rules, first that answers wins:

1. the event the entry names (the office desk working for an event, Stripe's entries that
   follow the top-up they settle);
2. the prestation the terminal that wrote it was lent to at that moment (the terminal is an
   inventory asset: by its tag, or by its registration in the terminal list);
3. the prestation the terminals of its point of sale were lent to at that moment, when
   they all agree;
4. the prestation whose days hold the moment, on the writer's clock (from midnight of the
   first day to noon after the last: bars close after midnight; the whole day after when
   its terminals came back after noon that day: bars sell until they are packed), when
   only one does;
5. else none: « hors prestation », listed apart, never dropped.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from regie.errors import NotFound
from regie.i18n import _

FOREVER = 2**62
AFTER_LAST_DAY = dt.timedelta(hours=36)  # noon the day after the last day
DAY_AFTER_ENDS = dt.timedelta(hours=48)  # the latest a late return stretches the days to


class Span(NamedTuple):
    start: int  # seconds since the epoch (UTC for loans, the writer's clock for days)
    end: int
    event_id: int


def day_span(event_id: int, starts_on: dt.date, ends_on: dt.date) -> Span:
    """A prestation's days as local seconds: its first midnight to noon after its last day."""
    start = dt.datetime.combine(starts_on, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(ends_on, dt.time(), tzinfo=dt.UTC) + AFTER_LAST_DAY
    return Span(int(start.timestamp()), int(end.timestamp()), event_id)


class Days(NamedTuple):
    """A prestation's days on the writer's clock, and how long its terminals stayed out."""

    span: Span  # midnight of the first day to noon after the last (local seconds)
    latest: int  # the end of the day after the last day (local seconds)
    returned: int  # the last return of its loaned terminals (UTC seconds; 0: none)

    def holds(self, at: int, local: int) -> bool:
        """Its days hold the moment; the whole day after them when its terminals came back
        after noon that day (the bars sold until they were packed)."""
        if self.span.start <= local < self.span.end:
            return True
        back_local = self.returned + (local - at)  # the return on the writer's clock
        return self.span.end <= local < self.latest and back_local > self.span.end


def _one(spans: list[Span], moment: int) -> int | None:
    """The event of the spans that hold ``moment``, if they all name the same one."""
    found = {span.event_id for span in spans if span.start <= moment < span.end}
    return found.pop() if len(found) == 1 else None


def _edges(device: list[Span], till: list[Span], days: list[Days], offset: int) -> list[int]:
    """Where a writer's answer can change (UTC seconds), its clock ``offset`` seconds ahead:
    every rule holds a moment from one of these to another (``start <= at < end``), the
    days on the writer's clock."""
    edges = {edge for span in (*device, *till) for edge in (span.start, span.end)}
    for held in days:
        edges.update((held.span.start - offset, held.span.end - offset, held.latest - offset))
    return sorted(edges)


_BEYOND = 2**63  # before and after every moment
_Writer = tuple[str, str | None, int]  # terminal, point of sale, offset in minutes
_Step = tuple[int, int, int | None]  # from, until (excluded), the event


# What the rules were read as: events by name, their days, spans by device and by till.
AttributionState = tuple[dict[str, int], list[Days], dict[str, list[Span]], dict[str, list[Span]]]


class Attribution:
    """The rules above, loaded once per writer (a festival's import asks a million times)."""

    def __init__(self, read: Callable[[], AttributionState]) -> None:
        """``read``: the rules as the base holds them, read the first time they are asked
        (:func:`regie.ledger.attribution_rules.read_rules`)."""
        self._read = read
        self._loaded = False
        self.events: dict[str, int] = {}
        self.days: list[Days] = []
        self.by_device: dict[str, list[Span]] = {}
        self.by_pos: dict[str, list[Span]] = {}
        self._steps: dict[_Writer, _Step] = {}
        self._edges: dict[_Writer, list[int]] = {}

    def state(self) -> AttributionState:
        """What the rules were read as (the import's second process gets them, not the base)."""
        if not self._loaded:
            self._load()
        return self.events, self.days, self.by_device, self.by_pos

    @classmethod
    def resumed(cls, state: AttributionState) -> Attribution:
        """The rules as :meth:`state` gave them, without a session (nothing more is read)."""
        attribution = cls.__new__(cls)
        attribution.events, attribution.days, attribution.by_device, attribution.by_pos = state
        attribution._steps, attribution._edges = {}, {}
        attribution._loaded = True
        return attribution

    def _load(self) -> None:
        self.events, self.days, self.by_device, self.by_pos = self._read()
        self._loaded = True

    def event_id(self, name: str) -> int:
        """The id of the prestation called ``name`` (a clear message if there is none)."""
        if not self._loaded:
            self._load()
        found = self.events.get(name)
        if found is None:
            known = ", ".join(sorted(self.events)) or _("aucune")
            raise NotFound(
                _("prestation inconnue : « {name} » (connues : {known})").format(
                    name=name, known=known
                ),
                command=_(
                    "prestation inconnue : « {name} » (connues : {known}) ; corrigez --event"
                ).format(name=name, known=known),
            )
        return found

    def event_of(self, source: str, pos: str | None, at: int, tz_minutes: int) -> int | None:
        """Rules 2 to 5 for a transfer written by ``source`` at ``pos`` at ``at``. The answer
        for a writer holds from one edge of its spans and days to the next: a festival's
        million lines are answered by the step they fall in, the rules read at each edge."""
        step = self._steps.get((source, pos, tz_minutes))
        if step is not None and step[0] <= at < step[1]:
            return step[2]
        return self._event_at(source, pos, at, tz_minutes)

    def _event_at(self, source: str, pos: str | None, at: int, tz_minutes: int) -> int | None:
        """The rules, and the step of moments they give the same answer for, kept."""
        if not self._loaded:
            self._load()
        device = self.by_device.get(source, [])
        till = self.by_pos.get(pos, []) if pos else []
        found = self._rules(device, till, at, at + tz_minutes * 60)
        writer = (source, pos, tz_minutes)
        edges = self._edges.get(writer)
        if edges is None:
            edges = self._edges[writer] = _edges(device, till, self.days, tz_minutes * 60)
        index = bisect_right(edges, at)
        self._steps[writer] = (
            edges[index - 1] if index else -_BEYOND,
            edges[index] if index < len(edges) else _BEYOND,
            found,
        )
        return found

    def _rules(self, device: list[Span], till: list[Span], at: int, local: int) -> int | None:
        if device:
            found = _one(device, at)
            if found is not None:
                return found
        if till:
            found = _one(till, at)
            if found is not None:
                return found
        if not self.days:
            return None
        held = {days.span.event_id for days in self.days if days.holds(at, local)}
        return held.pop() if len(held) == 1 else None

"""The one source of "now", so past events (the demo's history) can be replayed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen or dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return _frozen.date() if _frozen else dt.date.today()


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Operations inside the block happen at ``at`` (single-threaded use: demo, tests)."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous

"""The one source of "now", so operations can be replayed at a chosen time in tests."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.date.today()

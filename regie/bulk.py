"""The garbage-collector policy during bulk work: one place, one counter, for the whole process.

An import makes millions of small tuples that all live until it ends: Python's cycle
collector would walk them again and again for nothing (a tenth of the import's time) and
stop every thread meanwhile: on hundreds of thousands of live objects a full collection
takes 50-160 ms, a visible freeze of the window. So while bulk work is under way the
collector is off (reference counting still frees what the work lets go; an import makes no
cyclic garbage: its peak memory is the same without it), and the objects alive when the
first bulk work starts (Qt, SQLAlchemy, the screens: they live as long as Régie) are frozen
out of later collections, so the full collection that comes after does not walk them again.

With ``gui_first`` (the window's tasks) the GIL is also handed over every 1 ms instead of
5 ms: every Qt callback into Python waits for the GIL, and a repaint makes several.

Re-entrant and thread-safe: the import inside a window task, two tasks at once, all share
one counter; the policy ends with the last of them. A collector that was already off when
the first began (a caller's choice) stays off.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.001  # seconds, while a window task runs

_lock = threading.Lock()
_bulk = 0  # bulk works under way
_gui_first = 0  # of them, the ones that want the GUI served first
_collector_was_on = True
_saved_interval = sys.getswitchinterval()


def begin(*, gui_first: bool = False) -> None:
    """Bulk work starts (possibly in another thread than the one that will call ``end``)."""
    global _bulk, _gui_first, _collector_was_on, _saved_interval
    with _lock:
        if _bulk == 0:
            _collector_was_on = gc.isenabled()
            gc.freeze()
            gc.disable()
        _bulk += 1
        if gui_first:
            if _gui_first == 0:
                _saved_interval = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL)
            _gui_first += 1


def end(*, gui_first: bool = False) -> None:
    """The bulk work that called ``begin`` (with the same ``gui_first``) is over."""
    global _bulk, _gui_first
    with _lock:
        if gui_first:
            _gui_first -= 1
            if _gui_first == 0:
                sys.setswitchinterval(_saved_interval)
        _bulk -= 1
        if _bulk == 0 and _collector_was_on:
            gc.enable()


@contextmanager
def bulk_work(*, gui_first: bool = False) -> Iterator[None]:
    """Inside the block: no collection pause (and, with ``gui_first``, a 1 ms GIL switch)."""
    begin(gui_first=gui_first)
    try:
        yield
    finally:
        end(gui_first=gui_first)


def under_way() -> bool:
    """Bulk work runs somewhere in the process."""
    with _lock:
        return _bulk > 0

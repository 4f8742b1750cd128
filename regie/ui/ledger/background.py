"""Long ledger work off the GUI thread: an import, a Z, a verification, an export.

A ``Task`` runs one function in a thread of its own; the function opens its own session
(``with db.session()``) there. Its progress, result or error come back to the GUI thread
through Qt signals (queued: the receiving object lives in the GUI thread), so the event
loop never waits for the database. ``cancel()`` asks the function to stop: it sees it in
``task.report(...)`` returning False, and its transaction is rolled back.

A thread shares the GIL with the GUI, and Python's cyclic garbage collector stops every
thread while it runs: on an import's hundreds of thousands of live objects a full
collection takes 50-160 ms, a visible freeze. So a task (a task is heavy work, or it would
not need a thread) runs with the collector paused (an import makes no cyclic garbage: its
peak memory is the same without it) and a 1 ms GIL switch interval instead of 5 ms (every
Qt callback into Python waits for the GIL; a repaint makes several). Both are restored
when the last task ends. The objects alive when a task starts (Qt, SQLAlchemy, the
screens: they live as long as Régie) are frozen out of later collections, so the full
collection that comes sooner or later after the task does not walk them again.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal

from regie.ui.ledger.signals import emit

log = logging.getLogger(__name__)
SWITCH_INTERVAL = 0.001  # seconds
_lock = threading.Lock()
_heavy = 0
_saved_interval = sys.getswitchinterval()


@contextmanager
def gui_first() -> Iterator[None]:
    """Inside the block: no garbage collection pause, the GIL handed over every 1 ms.

    Process-wide; nestable and thread-safe (restored when the last block ends).
    """
    global _heavy, _saved_interval
    with _lock:
        if _heavy == 0:
            _saved_interval = sys.getswitchinterval()
            gc.freeze()
            gc.disable()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _heavy += 1
    try:
        yield
    finally:
        with _lock:
            _heavy -= 1
            if _heavy == 0:
                sys.setswitchinterval(_saved_interval)
                gc.enable()


class Task(QObject):
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)  # what the function returned
    failed = Signal(object)  # the exception it raised
    finished = Signal()  # after succeeded or failed

    def __init__(
        self,
        name: str,
        work: Callable[[Task], Any],
        parent: QObject | None = None,
        *,
        responsive: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._work = work
        self._responsive = responsive
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> Task:
        self._cancel.clear()
        # A daemon: quitting Régie mid-import must not hang; the open transaction is dropped.
        self._thread = threading.Thread(target=self._run, name=self.objectName(), daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, seconds: float | None = None) -> bool:
        """Block until the work is over (closing a window); True if it is."""
        if self._thread is not None:
            self._thread.join(seconds)
        return not self.running

    def report(self, done: int, total: int) -> bool:
        """Called by the work in its thread: show progress; False once cancelled."""
        self._emit(self.progressed, done, total)
        return not self._cancel.is_set()

    def _run(self) -> None:
        try:
            if self._responsive:
                with gui_first():
                    result = self._work(self)
            else:
                result = self._work(self)
        except Exception as error:  # shown by the screen: a UserError's French message
            self._emit(self.failed, error)
        else:
            self._emit(self.succeeded, result)
        self._emit(self.finished)

    def _emit(self, signal: Any, *args: object) -> None:
        try:
            emit(signal, *args)
        except RuntimeError:  # the screen was closed meanwhile: nobody to tell
            log.debug("task %s outlived its screen", self.objectName())


class Readings(QObject):
    """A screen's readings in a worker, one at a time. A reading asked while another runs is
    done after it, by ``again`` (the screen's refresh, with the choices then on screen): the
    latest choice wins and no older answer arrives last."""

    def __init__(
        self,
        name: str,
        parent: QObject,
        *,
        shown: Callable[[Any], None],
        failed: Callable[[Exception], None],
        again: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._shown, self._failed, self._again = shown, failed, again
        self._task: Task | None = None
        self._pending = False

    @property
    def busy(self) -> bool:
        return self._task is not None

    def read(self, work: Callable[[Task], Any]) -> bool:
        """Start ``work``; False when a reading runs (``again`` is called after it)."""
        if self._task is not None:
            self._pending = True
            return False
        self._task = Task(self.objectName(), work, self)
        self._task.succeeded.connect(self._shown)
        self._task.failed.connect(self._failed)
        self._task.finished.connect(self._finished)
        self._task.start()
        return True

    def _finished(self) -> None:
        self._task = None
        if self._pending:
            self._pending = False
            self._again()

"""Every background operation of the window, run by one runner (as Anki's CollectionOp).

A screen makes a ``Task`` (a name, a function, itself as parent) and starts it: the
function runs in one of the runner's worker threads and opens its own session
(``with db.session()``) there. Its progress, per-terminal steps, result or error come back
to the GUI thread through Qt signals (queued: the task lives in the GUI thread), so the
event loop never waits for the database or a port. ``cancel()`` asks the function to stop:
it sees it in ``task.report(...)`` returning False, and its transaction is rolled back.

The runner also records what the function wrote (``regie.changed``): ``task.changes``, and
the same changes told to every screen (``notices().changed``) before ``succeeded`` arrives,
so the screens concerned read again and the others do not. An error nobody listens for
goes to the error dialog.

A heavy task (``responsive``, the default) runs under ``regie.bulk``'s policy: no garbage
collection pause, the GIL handed over every 1 ms (the GUI comes first); set as the task
starts, restored when the last one ends.

The workers are daemon threads, kept for the next task: quitting Régie mid-import must not
hang (the open transaction is dropped; a terminal keeps its old configuration).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaMethod, QObject, Signal

from regie import bulk
from regie.changed import NOTHING, Changes, recording
from regie.ui.notices import emit, notices

log = logging.getLogger(__name__)
WORKERS = 8  # at most at once; a screen reading while an import and a push run
THIN = 0.05  # seconds between two progress updates of one terminal


class Runner:
    """Daemon worker threads, started as needed, reused; jobs queued beyond ``WORKERS``."""

    def __init__(self, most: int = WORKERS) -> None:
        self._most = most
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._idle == 0 and self._threads < self._most:
                self._threads += 1
                name = f"regie-task-{self._threads}"
                threading.Thread(target=self._serve, name=name, daemon=True).start()
            else:
                self._idle -= 1  # this idle worker is spoken for
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # a task's own errors go to its screen: this is the runner's
                log.exception("task runner")
            with self._lock:
                self._idle += 1


RUNNER = Runner()


class Task(QObject):
    progressed = Signal(int, int)  # done, total
    stepped = Signal(str, str, int, int)  # terminal, stage, done, total (thinned)
    resulted = Signal(object)  # one terminal's result (PushResult, PullResult)
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
        self._name = name
        self._work = work
        self._responsive = responsive
        self._origin = parent
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._last: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self.changes: Changes = NOTHING  # what the work wrote, once finished

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> Task:
        self._cancel.clear()
        self._done.clear()
        self.changes = NOTHING
        if self._responsive:  # set now: the GUI comes first from the first instant
            bulk.begin(gui_first=True)
        RUNNER.submit(self._run)
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, seconds: float | None = None) -> bool:
        """Block until the work is over (closing a window); True if it is."""
        return self._done.wait(seconds)

    def report(self, done: int, total: int) -> bool:
        """Called by the work in its thread: show progress; False once cancelled."""
        self._emit("progressed", done, total)
        return not self._cancel.is_set()

    def step(self, terminal: str, stage: str, done: int, total: int) -> None:
        """One terminal's progress, from any of the work's threads; about 20 a second each
        (a 1 MB push makes 64)."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(terminal)
            if last is not None and last[1] == stage and now - last[0] < THIN and done < total:
                return
            self._last[terminal] = (now, stage)
        self._emit("stepped", terminal, stage, done, total)

    def result(self, value: object) -> None:
        self._emit("resulted", value)

    def _run(self) -> None:
        try:
            self._outcome()
        finally:  # whatever happens, ``wait()`` returns
            self._done.set()

    def _outcome(self) -> None:
        failed: Exception | None = None
        try:
            with recording() as pot:
                value = self._work(self)
        except Exception as error:  # shown by the screen: a UserError's French message
            failed = error
        finally:
            if self._responsive:
                bulk.end(gui_first=True)
        # Writes made by threads the work starts itself (a fleet push's pool) are not in
        # its recording: the screen tells them when it says it changed something.
        self.changes = pot.changes()
        _arrivals.tell(self.changes, self._origin)
        if failed is None:
            self._emit("succeeded", value)
        else:
            if not self._heard():
                _arrivals.unheard(failed)
            self._emit("failed", failed)
        self._emit("finished")

    def _heard(self) -> bool:
        """Does a screen listen for ``failed``?"""
        try:
            return self.isSignalConnected(QMetaMethod.fromSignal(self.failed))
        except RuntimeError:  # the screen was closed meanwhile
            return False

    def _emit(self, signal: str, *args: object) -> None:
        try:
            emit(getattr(self, signal), *args)
        except RuntimeError:  # the screen was closed meanwhile: nobody to tell
            log.debug("task %s outlived its screen", self._name)


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


class _Arrivals(QObject):
    """Brings a task's changes and unheard errors to the GUI thread, in order."""

    _changes = Signal(object, object)
    _error = Signal(object)

    def __init__(self) -> None:
        super().__init__()  # made at import, on the GUI thread: its slots run there
        self._changes.connect(self._told)
        self._error.connect(self._to_error_dialog)

    def tell(self, changes: Changes, origin: QObject | None) -> None:
        if changes:
            emit(self._changes, changes, origin)

    def unheard(self, error: BaseException) -> None:
        emit(self._error, error)

    def _told(self, changes: Changes, origin: QObject | None) -> None:
        notices().tell(changes, origin)

    def _to_error_dialog(self, error: BaseException) -> None:
        sys.excepthook(type(error), error, error.__traceback__)


_arrivals = _Arrivals()

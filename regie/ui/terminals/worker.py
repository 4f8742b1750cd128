"""Link work off the GUI thread: a push to a fleet, journal pulls, a status read.

A ``LinkWork`` runs one function in a Python thread of its own; the function talks to the
ports (one more thread per port for a fleet push) and opens its own database sessions.
Progress, per-terminal results, the outcome or the error come back through Qt signals,
queued to the GUI thread where this object lives: the event loop never waits for a port.
Progress is thinned to about 20 updates a second per terminal (a 1 MB push makes 64).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)
THIN = 0.05  # seconds between two progress updates of one terminal


class LinkWork(QObject):
    progressed = Signal(str, str, int, int)  # terminal, stage, done, total
    resulted = Signal(object)  # one terminal's result (PushResult, PullResult)
    succeeded = Signal(object)  # what the function returned
    failed = Signal(object)  # the exception it raised
    finished = Signal()

    def __init__(self, name: str, work: Callable[[LinkWork], Any], parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._work = work
        self._thread: threading.Thread | None = None
        self._last: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LinkWork:
        # A daemon: quitting Régie mid-push must not hang; the terminal keeps its old config.
        self._thread = threading.Thread(target=self._run, name=self.objectName(), daemon=True)
        self._thread.start()
        return self

    def wait(self, seconds: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(seconds)
        return not self.running

    def report(self, terminal: str, stage: str, done: int, total: int) -> None:
        """Called from the work's threads; thread-safe."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(terminal)
            if last is not None and last[1] == stage and now - last[0] < THIN and done < total:
                return
            self._last[terminal] = (now, stage)
        self._emit(self.progressed, terminal, stage, done, total)

    def result(self, value: object) -> None:
        self._emit(self.resulted, value)

    def _run(self) -> None:
        try:
            outcome = self._work(self)
        except Exception as error:  # shown by the screen: a UserError's French message
            self._emit(self.failed, error)
        else:
            self._emit(self.succeeded, outcome)
        self._emit(self.finished)

    def _emit(self, signal: Any, *args: object) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the screen was closed meanwhile: nobody to tell
            log.debug("work %s outlived its screen", self.objectName())

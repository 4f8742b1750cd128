"""The one thread that talks to the cards of one reader, as Electrum's DeviceMgr has one per device.

Everything that reaches a card on that reader goes through this thread: the card laid is
served to the handler that borrowed the reader (the encoder), and one-off jobs (read a card
for the monitor, a check after an encoding) wait in a queue and run between two cards. A job
is a function of a :class:`~regie.devices.card_link.CardLink`; the caller gets a
:class:`~concurrent.futures.Future` of its result. So no two parts of Régie ever open the same
reader, and none has to retry while another holds the card.

The PC/SC reader (:mod:`regie.devices.pcsc_reader`) and the simulated one
(:mod:`regie.devices.simulated`) fill in how the thread waits, and how it connects to a card.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from regie.devices.card_link import CardHandler, CardJob, CardLink, LinkLost
from regie.i18n import _

log = logging.getLogger(__name__)


class ReaderOwner:
    """One reader, one thread; subclasses implement ``_run``, ``_wake`` and ``_connect``."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self._jobs: queue.SimpleQueue[tuple[CardJob | None, Future[Any]]] = queue.SimpleQueue()
        self._handler: CardHandler | None = None
        self._arrival = 0  # cards laid so far (subclasses count them)
        self._handled = 0  # the last of them handed to a handler
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- any thread

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._main, name=f"reader {self.reader}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread; a card being served finishes first, queued jobs fail."""
        self._stop.set()
        self._wake()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._fail_jobs()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def lend(self, job: CardJob) -> Future[Any]:
        """Run ``job`` with the card on this reader, on the reader's thread, after the work
        already queued; the future fails with :class:`~regie.devices.card_link.NoCard` when
        no card lies there, :class:`LinkLost` when the reader goes away first."""
        future: Future[Any] = Future()
        self._jobs.put((job, future))
        if self._stop.is_set():
            self._fail_jobs()
        else:
            self._wake()
        return future

    def serve(self, handler: CardHandler | None) -> None:
        """From now on, every card laid on the reader is handed to ``handler`` (None: none),
        starting with the card lying there now, if no handler had it yet."""
        self._handler = handler
        if handler is not None:
            self.lend(self._serve_lying)

    def settle(self, timeout: float) -> None:
        """Wait until the work queued so far (a card being served first) is done."""
        if threading.current_thread() is self._thread or not self.running:
            return
        future: Future[Any] = Future()
        self._jobs.put((None, future))
        self._wake()
        with contextlib.suppress(Exception):
            future.result(timeout)

    @property
    def handler(self) -> CardHandler | None:
        return self._handler

    # ------------------------------------------------------------ owner's thread

    def _main(self) -> None:
        try:
            self._run()
        except Exception:  # a bug in a reader must not go unnoticed, nor kill the app
            log.exception("lecteur %s", self.reader)
        finally:
            self._fail_jobs()

    def _run(self) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        """Interrupt the thread's wait, so that it runs the queued jobs or stops."""
        raise NotImplementedError

    def _connect(self) -> contextlib.AbstractContextManager[CardLink]:
        """A connection to the card lying on the reader now (raises NoCard if none)."""
        raise NotImplementedError

    def _on_owner_thread(self) -> None:
        assert threading.current_thread() is self._thread, "a card link used off its reader"

    def _serve_card(self, link: CardLink) -> None:
        """Hand the card just laid to the handler that borrowed the reader, if any."""
        handler = self._handler
        if handler is None:
            return
        self._handled = self._arrival
        try:
            handler(link)
        except Exception:  # the handler reports its own failures; a bug must not kill us
            log.exception("traitement de la carte sur %s", self.reader)

    def _serve_lying(self, link: CardLink) -> None:
        if self._handled != self._arrival:
            self._serve_card(link)

    def _run_jobs(self) -> None:
        """Run the jobs queued so far, each over its own connection to the card."""
        while True:
            try:
                job, future = self._jobs.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            if job is None:  # settle(): nothing to do with the card
                future.set_result(None)
                continue
            try:
                with self._connect() as link:
                    result = job(link)
            except BaseException as error:  # handed to the caller, who decides
                future.set_exception(error)
            else:
                future.set_result(result)

    def _fail_jobs(self) -> None:
        while True:
            try:
                _job, future = self._jobs.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                gone = _("lecteur {name} débranché").format(name=self.reader)
                future.set_exception(LinkLost(gone, reader_gone=True))

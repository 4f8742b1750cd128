"""One handler for every unexpected error of the window: logged, then said in plain words.

Qt slots (``sys.excepthook``), worker threads (``threading.excepthook``) and the asyncio loop
all end here: the traceback goes to the log file in the user log dir, and the user sees
« Une erreur inattendue s'est produite » with what to do; the traceback itself only behind
the dialog's details button. One dialog at a time: an error repeating in a loop (a paint
event, a timer) is logged each time but does not bury the screen under dialogs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from regie.i18n import _
from regie.logs import log_file, setup_logging
from regie.ui.notices import emit

log = logging.getLogger(__name__)


def error_box(details: str, parent: QWidget | None = None) -> QMessageBox:
    """The dialog the user sees; ``details`` (the traceback) is folded away."""
    box = QMessageBox(parent)
    box.setObjectName("unexpectedError")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(_("Régie — erreur inattendue"))
    box.setText(_("Une erreur inattendue s'est produite."))
    box.setInformativeText(
        _(
            "Vos données sont à l'abri : ce qui était enregistré l'est toujours, et "
            "l'opération interrompue n'a rien laissé à moitié.\n\n"
            "Que faire : vérifiez le résultat de ce que vous faisiez, puis reprenez. "
            "Si l'erreur se répète, fermez Régie et rouvrez-la. Si elle revient encore, "
            "envoyez ce journal à la personne qui s'occupe de Régie :\n{log}"
        ).format(log=log_file())
    )
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


class ErrorReporter(QObject):
    """Receives errors from any thread; shows them on the GUI thread."""

    reported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box: QMessageBox | None = None
        self.shown = 0
        self._previous: tuple[Any, Any] = (sys.excepthook, threading.excepthook)
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def handle(self, error: BaseException, where: str) -> None:
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        log.error("unexpected error (%s)\n%s", where, details.rstrip())
        emit(self.reported, details)  # from any thread; queued to the GUI thread

    def uninstall(self) -> None:
        """Give the hooks back (a test, or a window closed inside a longer process)."""
        sys.excepthook, threading.excepthook = self._previous

    def _show(self, details: str) -> None:
        if self.box is not None and self.box.isVisible():
            return  # already said; the log has each occurrence
        parent = QApplication.activeWindow()
        self.box = error_box(details, parent)
        self.box.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.box.show()  # not exec(): no nested event loop inside an error handler
        self.shown += 1


def install_error_handler(
    app: QApplication, loop: asyncio.AbstractEventLoop | None = None
) -> ErrorReporter:
    """Route every unexpected error of this process to the log and the French dialog."""
    setup_logging()
    reporter = ErrorReporter(app)

    def qt_hook(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        reporter.handle(error.with_traceback(trace), "Qt")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
            name = args.thread.name if args.thread is not None else "?"
            reporter.handle(args.exc_value, f"thread {name}")

    def loop_hook(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException) and not isinstance(error, asyncio.CancelledError):
            reporter.handle(error, f"asyncio: {context.get('message', '')}")
        else:
            log.warning("asyncio: %s", context.get("message", context))

    sys.excepthook = qt_hook
    threading.excepthook = thread_hook
    if loop is not None:
        loop.set_exception_handler(loop_hook)
    return reporter

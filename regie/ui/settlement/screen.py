"""What every settlement screen shares: long work in a worker thread, a status line, and the
``changed`` signal that tells the other screens to read again.

A screen runs one operation at a time (``busy``); its buttons are disabled meanwhile. The
operation opens its own session in the worker (``with db.session()``), so the GUI thread
never waits for the database or for Stripe; a ``UserError`` comes back as its French message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSpinBox,
    QTableView,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.logs import describe_failure
from regie.money import MoneyFormatError
from regie.ui.forms.day_field import DayField
from regie.ui.inventory.messages import show_error
from regie.ui.settlement.words import styled
from regie.ui.tasks import Task

log = logging.getLogger(__name__)


def status_line(name: str) -> QLabel:
    """A line that says how an operation went; hidden while it has nothing to say."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def say(label: QLabel, text: str, tone: str = "plain", *, bold: bool = True) -> None:
    label.setText(text)
    label.setStyleSheet(styled(tone, bold) if text else "")
    label.setVisible(bool(text))


def failure_text(error: BaseException) -> str:
    """A refusal's French message as the core wrote it; anything else a sentence and the log."""
    if isinstance(error, UserError | MoneyFormatError):
        return str(error)
    log.error("settlement operation failed", exc_info=error)
    return describe_failure(error)


def fit_rows(table: QTableView) -> None:
    """As tall as its rows (a short table of figures, no empty area below them)."""
    rows = table.model().rowCount() if table.model() is not None else 0
    header = table.horizontalHeader().sizeHint().height() if table.horizontalHeader() else 0
    height = header + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth()
    columns = table.horizontalHeader()
    wide = sum(columns.sectionSize(n) for n in range(columns.count()))
    if wide > table.viewport().width():  # a scroll bar takes the last row's place otherwise
        height += table.horizontalScrollBar().sizeHint().height()
    table.setFixedHeight(height + 2)


def single_row(table: QTableView) -> QTableView:
    """One row at a time: the row an action acts on, never a second one added by a modifier
    key the application believes held."""
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table


def date_edit(name: str, value: dt.date) -> DayField:
    return DayField(name, value)


def python_date(edit: DayField) -> dt.date:
    """The day typed; ``DateError`` (a ``UserError``) when the field shows a problem."""
    return edit.day()


class Screen(QWidget):
    """A settlement screen; subclasses list the widgets to disable while work runs."""

    changed = Signal()  # something was written: the other screens read again

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.task: Task | None = None
        self.prestation = ""  # the prestation the page shows ("" when there is none)
        self._then: dict[Task, tuple[Callable[[Any], None], Callable[[Any], None]]] = {}
        self._read_after = False  # a reading asked for while busy
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._quitting)

    @property
    def busy(self) -> bool:
        return self.task is not None

    def controls(self) -> list[QWidget]:
        """The widgets disabled while an operation runs."""
        return []

    def load(self, prestation: str, year: int | None = None) -> None:
        """Show this prestation (of that year), or read again after a change elsewhere.

        While an operation runs (a refund run, a sync) the reading waits for its end."""
        self.prestation = prestation
        if self.busy:
            self._read_after = True
        else:
            self.refresh()

    def refresh(self) -> None:
        pass

    def run(
        self,
        name: str,
        work: Callable[[Task], Any],
        done: Callable[[Any], None],
        *,
        progress: Callable[[int, int], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> Task | None:
        """Run ``work`` in a worker; ``done`` (or ``failed``) then runs in the GUI thread."""
        if self.task is not None:
            return None
        task = Task(name, work, self)
        self._then[task] = (done, failed or self.failed)
        # The task lives in the GUI thread: Qt queues its worker's signals there, and
        # ``sender()`` says which task ended.
        if progress is not None:
            task.progressed.connect(progress)
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.finished.connect(task.deleteLater)
        self.task = task
        for widget in self.controls():
            widget.setEnabled(False)
        task.start()
        return task

    def _succeeded(self, result: Any) -> None:
        self._over(0, result)

    def _failed(self, error: BaseException) -> None:
        self._over(1, error)

    def _over(self, which: int, outcome: Any) -> None:
        task = self.sender()
        handlers = self._then.pop(task, None)  # type: ignore[call-overload]
        # Free the screen first: the handler may start the next operation (read again).
        if self.task is task:
            self.task = None
            for widget in self.controls():
                widget.setEnabled(True)
            self.settle_controls()
        if handlers is not None:
            handlers[which](outcome)
        if self._read_after and not self.busy:
            self._read_after = False
            self.refresh()

    def _quitting(self) -> None:
        """Régie quits mid-operation: a sync is dropped whole, a refund run pauses after the
        refund in flight (resumed next time, never sent twice)."""
        task = self.task
        if task is not None:
            task.cancel()
            task.wait(30)

    def failed(self, error: BaseException) -> None:
        """Default: a message box with the French reason."""
        show_error(self, failure_text(error))

    def settle_controls(self) -> None:
        """After work: enable only what makes sense now (subclasses refine)."""


class YearScreen(Screen):
    """A screen of one year (indicators, season): ``self.year`` follows the year of the
    prestation the page is given, and the user may pick another."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(clock.today().year)
        self.year.valueChanged.connect(self.refresh)

    def controls(self) -> list[QWidget]:
        return [self.year]

    def load(self, prestation: str, year: int | None = None) -> None:
        if prestation != self.prestation and year:  # another prestation: show its year
            self.year.blockSignals(True)
            self.year.setValue(year)
            self.year.blockSignals(False)
        super().load(prestation, year)

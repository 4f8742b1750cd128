"""The one date field of the window: typed as the office writes it, or picked on a calendar.

« 14/07 », « 14 juillet », « demain »… are read by ``regie.dates.read_day``; what the field
understood is written beside it (« mar. 14 juil. 2026 ») or, in red, why it cannot be read.
The text is never replaced while it is typed (a spin-box date refuses « 1 » on the way to
« 14 »), and a day before the field's earliest is refused with its reason, not moved.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from regie import clock
from regie.dates import DateError, check_not_before, read_day
from regie.i18n import _, format_date, locale_name
from regie.ui.qdates import qdate


def python_day(value: QDate | dt.date | None) -> dt.date:
    assert value is not None
    if isinstance(value, dt.date):
        return value
    return dt.date(value.year(), value.month(), value.day())


class DayField(QWidget):
    """A day: ``day()`` (raises ``DateError``), ``problem()``, and the ``QDateEdit`` calls the
    screens already used (``date``, ``setDate``, ``dateChanged``, ``setMinimumDate``)."""

    dateChanged = Signal(QDate)

    def __init__(
        self,
        name: str,
        value: dt.date | None,
        parent: QWidget | None = None,
        *,
        optional: bool = False,
    ) -> None:
        """``optional``: the field may stay empty (a filter without that bound)."""
        super().__init__(parent)
        self.setObjectName(name)
        self.optional = optional
        self.line = QLineEdit()
        self.line.setObjectName(f"{name}Text")
        self.line.setPlaceholderText(
            _("facultatif") if optional else _("14/07, 14 juillet, demain…")
        )
        self.line.setMinimumWidth(self.line.fontMetrics().horizontalAdvance("00/00/0000 ") + 16)
        self.line.setMaximumWidth(self.line.fontMetrics().horizontalAdvance("0" * 22))
        self.pick = QToolButton()
        self.pick.setObjectName(f"{name}Calendar")
        self.pick.setText("…")
        self.pick.setToolTip(_("Choisir sur le calendrier"))
        self.pick.setAccessibleName(_("Calendrier"))
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName(f"{name}CalendarGrid")
        self.calendar.setGridVisible(True)
        self.calendar.setLocale(QLocale(locale_name()))
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        menu = QMenu(self.pick)
        shown = QWidgetAction(menu)
        shown.setDefaultWidget(self.calendar)
        menu.addAction(shown)
        self.pick.setMenu(menu)
        self.note = QLabel("")
        self.note.setObjectName(f"{name}Reading")
        self.note.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(self.pick)
        layout.addWidget(self.note, 1)
        self.setFocusProxy(self.line)  # a label's buddy and Tab land in the text
        self._earliest: tuple[dt.date, str] | None = None
        self._sent: dt.date | None = None
        self._ever_sent = False
        self.line.textEdited.connect(self._read)
        self.line.editingFinished.connect(self._send)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        self.setDate(value)

    # -- what the screens ask -----------------------------------------------------------
    def day(self) -> dt.date:
        """The day typed; ``DateError`` (the sentence shown beside the field) otherwise."""
        day = read_day(self.line.text(), today=clock.today())
        if self._earliest is not None:
            check_not_before(day, self._earliest[0], reason=self._earliest[1])
        return day

    def chosen(self) -> dt.date | None:
        """The day typed, or None when an optional field is left empty."""
        if self.optional and not self.line.text().strip():
            return None
        return self.day()

    def problem(self) -> str:
        """Why the text is refused, or "" when it names an allowed day."""
        try:
            self.chosen()
        except DateError as refused:
            return str(refused)
        return ""

    def last_day(self) -> dt.date:
        """The last day the field accepted (what a list filtered by it shows meanwhile)."""
        assert self._sent is not None  # set by the constructor (a field that is not optional)
        return self._sent

    def last_bound(self) -> dt.date | None:
        """The last day an optional field accepted, None when it was left empty."""
        return self._sent

    def date(self) -> QDate:
        """The day as Qt writes it; an invalid ``QDate`` while the text names none."""
        try:
            day = self.chosen()
        except DateError:
            return QDate()
        return QDate() if day is None else qdate(day)

    def setDate(self, value: QDate | dt.date | None) -> None:
        """Show ``value``; None (or an invalid ``QDate``) empties an optional field."""
        blank = value is None or (isinstance(value, QDate) and not value.isValid())
        self.line.setText("" if blank else format_date(python_day(value), "dd/MM/yyyy"))
        self._read()
        self._send()

    def setMinimumDate(self, value: QDate | dt.date, reason: str = "") -> None:
        """Days before ``value`` are refused with ``reason`` (never moved to it)."""
        self._earliest = (python_day(value), reason or _("choisissez ce jour ou un jour après"))
        self.calendar.setMinimumDate(qdate(self._earliest[0]))
        self._read()

    # -- inside -------------------------------------------------------------------------
    def _read(self) -> None:
        try:
            day = self.chosen()
        except DateError as refused:
            self.note.setText(str(refused))
            self.note.setStyleSheet("color: #b00020;")
            self.line.setAccessibleDescription(str(refused))
            return
        if day is None:  # an optional field left empty: no bound
            self.note.setText("")
            self.line.setAccessibleDescription("")
            return
        # « mar. 14 juil. 2026 », « Tue 14 Jul 2026 »: short beside a field
        reading = format_date(day, "EEE d MMM y")  # i18n: not shown (babel's pattern)
        self.note.setText(reading)
        self.note.setStyleSheet("color: palette(placeholder-text);")
        self.line.setAccessibleDescription(reading)
        self.calendar.setSelectedDate(qdate(day))

    def _send(self) -> None:
        try:
            day = self.chosen()
        except DateError:
            return
        if day != self._sent or not self._ever_sent:
            self._sent, self._ever_sent = day, True
            self.dateChanged.emit(QDate() if day is None else qdate(day))

    def _picked(self, chosen: QDate) -> None:
        menu = self.pick.menu()
        if menu is not None:
            menu.hide()
        self.setDate(chosen)
        self.line.setFocus(Qt.FocusReason.PopupFocusReason)

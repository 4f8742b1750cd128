"""Bookings: reserve assets, kits and lot quantities for a prestation's dates; list and
cancel the prestation's bookings.

"Réserver" calls ``bookings.book``; when the same item is promised twice, is in repair, or
the stock is short, the conflicts are listed and nothing is booked unless the user says
"Réserver quand même" ("Annuler" is the default: Enter never double-books).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, format_date, ngettext
from regie.inventory.booking_list import BookingLine, PrestationBookings, prestation_bookings
from regie.inventory.bookings import BookingConflict, BookingResult, book, cancel_booking
from regie.inventory.references import References, references
from regie.ui.inventory.booking_items import BookingItemsPanel
from regie.ui.inventory.forms import assets_count, count, dated
from regie.ui.inventory.messages import attempt, confirm, report_failure
from regie.ui.inventory.table_models import Column, RowsModel, make_table

BOOKING_COLUMNS: list[Column[BookingLine]] = [
    Column(N_("N°"), lambda line: str(line.booking_id), numeric=True),
    Column(N_("Élément"), lambda line: line.item),
    Column(N_("Description"), lambda line: line.description),
    Column(N_("Valise"), lambda line: line.kit),
    Column(N_("Qté"), lambda line: count(line.quantity), numeric=True),
    Column(N_("Du"), lambda line: format_date(line.starts_on, "short")),
    Column(N_("Au"), lambda line: format_date(line.ends_on, "short")),
]


class BookingsScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.shown: PrestationBookings | None = None
        self.prestation = QComboBox()
        self.prestation.setObjectName("bookingPrestation")
        self.prestation.setMinimumWidth(340)
        prestation_label = QLabel(_("Pr&estation :"))
        prestation_label.setBuddy(self.prestation)
        self.heading = QLabel("")
        self.heading.setObjectName("bookingHeading")
        self.heading.setStyleSheet("color: #33414f;")
        self.heading.setWordWrap(True)  # a long place name never widens the window
        top = QHBoxLayout()
        top.addWidget(prestation_label)
        top.addWidget(self.prestation)
        top.addWidget(self.heading, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        columns = QHBoxLayout()
        self.to_book = BookingItemsPanel(db)
        self.to_book.book_button.clicked.connect(lambda: self.book_items())
        columns.addWidget(self.to_book, 4)
        columns.addSpacing(12)
        columns.addLayout(self._booking_list(), 5)
        layout.addLayout(columns, 1)

        self.prestation.currentIndexChanged.connect(self._prestation_chosen)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.to_book.scan.setFocus()  # the scanner types into the field at once

    def _booking_list(self) -> QVBoxLayout:
        self.list_title = QLabel(_("Réservations"))
        self.list_title.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.bookings: RowsModel[BookingLine] = RowsModel(BOOKING_COLUMNS, parent=self)
        self.booking_view = make_table("bookingList", self.bookings, stretch=2)
        self.cancel_button = QPushButton(_("Annuler la réservation… (Suppr)"))
        self.cancel_button.setObjectName("bookingCancel")
        self.cancel_button.clicked.connect(self.ask_cancel)
        cancel = QShortcut(QKeySequence.StandardKey.Delete, self.booking_view, self.ask_cancel)
        cancel.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        column = QVBoxLayout()
        column.addWidget(self.list_title)
        column.addWidget(self.booking_view, 1)
        column.addLayout(buttons)
        return column

    # -- the prestation ----------------------------------------------------------------
    def refresh(self) -> None:
        """The prestations and lots again (added elsewhere), then the chosen one's bookings."""

        def load() -> References:
            with self.db.session() as session:
                return references(session)

        choices = attempt(self, load)
        if choices is None:
            return
        chosen = self.prestation_name()
        self.prestation.blockSignals(True)
        self.prestation.clear()
        for p in choices.prestations:
            self.prestation.addItem(dated(p.name, p.starts_on, p.ends_on), p.name)
        self.prestation.setCurrentIndex(max(self.prestation.findData(chosen), 0))
        self.prestation.blockSignals(False)
        self.to_book.set_lots(choices.lots)
        self._prestation_chosen()

    def prestation_name(self) -> str:
        return str(self.prestation.currentData() or "")

    def choose(self, name: str) -> None:
        self.prestation.setCurrentIndex(self.prestation.findData(name))

    def _prestation_chosen(self) -> None:
        self.to_book.say("", good=True)  # what was said was about the other prestation
        if self.load_bookings() and self.shown is not None:
            self.to_book.set_window(self.shown.starts_on, self.shown.ends_on)

    def load_bookings(self) -> bool:
        name = self.prestation_name()
        if not name:
            self.shown = None
            self.bookings.set_rows([])
            self.heading.setText(_("Aucune prestation : ajoutez-en une dans le Référentiel."))
            return False

        def load() -> PrestationBookings:
            with self.db.session() as session:
                return prestation_bookings(session, name)

        shown = attempt(self, load)
        if shown is None:
            return False
        self.shown = shown
        self.bookings.set_rows(shown.lines)
        where = f", {shown.place}" if shown.place else ""
        self.heading.setText(
            _("pour {client}{where}, du {starts_on} au {ends_on}").format(
                client=shown.client,
                where=where,
                starts_on=format_date(shown.starts_on, "short"),
                ends_on=format_date(shown.ends_on, "short"),
            )
        )
        self.list_title.setText(
            _("Réservations : {assets}, {lots} en lots").format(
                assets=assets_count(shown.assets), lots=count(shown.lot_items)
            )
        )
        self.cancel_button.setEnabled(bool(shown.lines))
        return True

    # -- book, cancel --------------------------------------------------------------------
    def book_items(self, *, force: bool = False) -> None:
        name, items = self.prestation_name(), self.to_book.items_to_book()
        if not name or items.is_empty():
            return
        try:
            start, end = self.to_book.date_window()  # a date unread: said like any refusal
            with self.db.session() as session:
                result = book(session, name, items, starts_on=start, ends_on=end, force=force)
        except BookingConflict as conflict:
            self._ask_force(conflict.conflicts)
            return
        except Exception as error:
            report_failure(self, error)
            return
        self._booked(name, result)

    def _ask_force(self, conflicts: list[str]) -> None:
        lines = "\n".join(f"• {line}" for line in conflicts)
        confirm(
            self,
            _("Réservation en conflit"),
            _("Rien n'a été réservé :\n\n{lines}\n\nRéserver quand même ?").format(lines=lines),
            _("Réserver &quand même"),
            lambda: self.book_items(force=True),
            destructive=True,
        )

    def _booked(self, name: str, result: BookingResult) -> None:
        self.to_book.set_items([])
        self.load_bookings()
        forced = (
            ngettext(
                " malgré {conflicts} conflit", " malgré {conflicts} conflits", len(result.conflicts)
            ).format(conflicts=len(result.conflicts))
            if result.conflicts
            else ""
        )
        self.to_book.say(
            ngettext(
                "{bookings} réservation pour {name}{forced}",
                "{bookings} réservations pour {name}{forced}",
                len(result.bookings),
            ).format(bookings=len(result.bookings), name=name, forced=forced),
            good=True,
        )
        self.to_book.scan.setFocus()
        self.changed.emit()

    def selected_bookings(self) -> list[BookingLine]:
        rows = sorted({i.row() for i in self.booking_view.selectionModel().selectedRows()})
        return [self.bookings.row_at(row) for row in rows]

    def ask_cancel(self) -> None:
        lines = self.selected_bookings()
        if not lines:
            return
        if len(lines) == 1:
            line = lines[0]
            what = _("la réservation n°{booking_id} ({item}, du {starts_on} au {ends_on})").format(
                booking_id=line.booking_id,
                item=line.item,
                starts_on=format_date(line.starts_on, "short"),
                ends_on=format_date(line.ends_on, "short"),
            )
        else:
            what = _("{count} réservations ({items})").format(
                count=len(lines), items=", ".join(line.item for line in lines)
            )
        confirm(
            self,
            _("Annuler une réservation"),
            _(
                "Annuler {what} ? Le matériel redevient disponible s'il n'est pas réservé ailleurs."
            ).format(what=what),
            _("Annuler la &réservation"),
            lambda: self.cancel([line.booking_id for line in lines]),
            keep=_("Garder"),
        )

    def cancel(self, booking_ids: list[int]) -> None:
        def run() -> bool:
            with self.db.session() as session:
                for booking_id in booking_ids:
                    cancel_booking(session, booking_id)
            return True

        if attempt(self, run):
            self.load_bookings()
            self.to_book.say(
                ngettext(
                    "{booking_ids} réservation annulée",
                    "{booking_ids} réservations annulées",
                    len(booking_ids),
                ).format(booking_ids=len(booking_ids)),
                good=True,
            )
            self.changed.emit()

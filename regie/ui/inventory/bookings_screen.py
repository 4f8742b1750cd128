"""Bookings: reserve assets, kits and lot quantities for a prestation's dates; list and
cancel the prestation's bookings.

"Réserver" calls ``bookings.book``; when the same item is promised twice, is in repair, or
the stock is short, the conflicts are listed and nothing is booked unless the user says
"Réserver quand même" ("Annuler" is the default: Enter never double-books).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.inventory.booking_list import BookingLine, PrestationBookings, prestation_bookings
from regie.inventory.bookings import BookingConflict, BookingResult, Items, book, cancel_booking
from regie.inventory.loan_desk import check_item
from regie.inventory.references import References, references
from regie.ui.inventory.forms import FRENCH, count, date_edit
from regie.ui.inventory.messages import attempt, confirm, report_failure
from regie.ui.inventory.reference_forms import day
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table

OK, BAD = QColor("#0b6b2f"), QColor("#b3261e")
TITLE = "font-weight: bold; font-size: 15px;"


@dataclass(frozen=True)
class BookingItem:
    """A line to book: an asset, a kit (its contents) or a quantity of a lot."""

    kind: str  # "matériel", "valise", "lot"
    name: str
    description: str
    quantity: int
    tags: tuple[str, ...] = ()


ITEM_COLUMNS: list[Column[BookingItem]] = [
    Column("Élément", lambda item: item.name),
    Column("Type", lambda item: item.kind),
    Column("Description", lambda item: item.description),
    Column("Quantité", lambda item: count(item.quantity), numeric=True),
]
BOOKING_COLUMNS: list[Column[BookingLine]] = [
    Column("N°", lambda line: str(line.booking_id), numeric=True),
    Column("Élément", lambda line: line.item),
    Column("Description", lambda line: line.description),
    Column("Valise", lambda line: line.kit),
    Column("Qté", lambda line: count(line.quantity), numeric=True),
    Column("Du", lambda line: f"{line.starts_on:%d/%m/%Y}"),
    Column("Au", lambda line: f"{line.ends_on:%d/%m/%Y}"),
]


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(TITLE)
    return label


class BookingsScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.shown: PrestationBookings | None = None
        self._owners: dict[str, str] = {}  # lot → its owner
        self.prestation = QComboBox()
        self.prestation.setObjectName("bookingPrestation")
        self.prestation.setMinimumWidth(340)
        prestation_label = QLabel("Pr&estation :")
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
        columns.addLayout(self._new_booking(), 4)
        columns.addSpacing(12)
        columns.addLayout(self._booking_list(), 5)
        layout.addLayout(columns, 1)

        self.prestation.currentIndexChanged.connect(self._prestation_chosen)
        self.scan.scanned.connect(self.add_tag)
        self.refresh()

    def _new_booking(self) -> QVBoxLayout:
        self.scan = ScanField("Étiquette de matériel ou de valise, puis Entrée")
        self.scan.setObjectName("bookingScan")
        self.feedback = QLabel("")
        self.feedback.setObjectName("bookingFeedback")
        self.feedback.setWordWrap(True)
        self.lot = QComboBox()
        self.lot.setObjectName("bookingLot")
        # As wide as the column allows, not as the longest lot name: the list shows it whole.
        self.lot.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.lot.setMinimumContentsLength(16)
        self.quantity = QSpinBox()
        self.quantity.setObjectName("bookingLotQuantity")
        self.quantity.setRange(1, 10_000_000)
        self.quantity.setLocale(FRENCH)
        self.quantity.setGroupSeparatorShown(True)
        add_lot = QPushButton("Ajouter le l&ot")
        add_lot.setObjectName("bookingAddLot")
        add_lot.clicked.connect(self.add_lot)
        self.quantity.setMaximumWidth(100)
        lots = QHBoxLayout()
        lots.addWidget(self.lot, 1)
        lots.addWidget(self.quantity)
        lots.addWidget(add_lot)
        self.items: RowsModel[BookingItem] = RowsModel(ITEM_COLUMNS, parent=self)
        self.item_view = make_table("bookingItems", self.items, stretch=2)
        remove = QPushButton("Retirer la ligne (Suppr)")
        remove.clicked.connect(self.remove_selected)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.item_view, self.remove_selected)
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.totals = QLabel("")
        totals = QHBoxLayout()
        totals.addWidget(self.totals, 1)
        totals.addWidget(remove)
        self.starts_on = date_edit("bookingStart", clock.today())
        self.ends_on = date_edit("bookingEnd", clock.today())
        self.book_button = QPushButton("Ré&server")
        self.book_button.setObjectName("bookingBook")
        self.book_button.setStyleSheet("font-weight: bold; padding: 4px 18px;")
        self.book_button.clicked.connect(lambda: self.book_items())
        window = QHBoxLayout()
        window.addWidget(QLabel("Du"))
        window.addWidget(self.starts_on)
        window.addWidget(QLabel("au"))
        window.addWidget(self.ends_on)
        window.addStretch(1)
        window.addWidget(self.book_button)
        column = QVBoxLayout()
        column.addWidget(_title("À réserver"))
        column.addWidget(self.scan)
        column.addWidget(self.feedback)
        column.addLayout(lots)
        column.addWidget(self.item_view, 1)
        column.addLayout(totals)
        column.addLayout(window)
        self._set_items([])
        return column

    def _booking_list(self) -> QVBoxLayout:
        self.list_title = _title("Réservations")
        self.bookings: RowsModel[BookingLine] = RowsModel(BOOKING_COLUMNS, parent=self)
        self.booking_view = make_table("bookingList", self.bookings, stretch=2)
        self.cancel_button = QPushButton("Annuler la réservation… (Suppr)")
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
            self.prestation.addItem(f"{p.name} — du {p.starts_on:%d/%m} au {p.ends_on:%d/%m/%Y}",
                                    p.name)  # fmt: skip
        self.prestation.setCurrentIndex(max(self.prestation.findData(chosen), 0))
        self.prestation.blockSignals(False)
        lot = self.lot.currentData()
        self.lot.clear()
        self._owners = {choice.name: choice.owner for choice in choices.lots}
        for choice in choices.lots:
            self.lot.addItem(f"{choice.name} ({count(choice.in_stock)} en stock)", choice.name)
        self.lot.setCurrentIndex(max(self.lot.findData(lot), 0))
        self._prestation_chosen()

    def prestation_name(self) -> str:
        return str(self.prestation.currentData() or "")

    def choose(self, name: str) -> None:
        self.prestation.setCurrentIndex(self.prestation.findData(name))

    def _prestation_chosen(self) -> None:
        self.feedback.setText("")  # what was said was about the other prestation
        if self.load_bookings() and self.shown is not None:
            self.starts_on.setDate(QDate(self.shown.starts_on))
            self.ends_on.setDate(QDate(self.shown.ends_on))

    def load_bookings(self) -> bool:
        name = self.prestation_name()
        if not name:
            self.shown = None
            self.bookings.set_rows([])
            self.heading.setText("Aucune prestation : ajoutez-en une dans le Référentiel.")
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
        self.heading.setText(f"pour {shown.client}{where}, du {shown.starts_on:%d/%m/%Y} "
                             f"au {shown.ends_on:%d/%m/%Y}")  # fmt: skip
        self.list_title.setText(
            f"Réservations : {count(shown.assets)} matériel(s), {count(shown.lot_items)} en lots"
        )
        self.cancel_button.setEnabled(bool(shown.lines))
        return True

    # -- the items to book -------------------------------------------------------------
    def add_tag(self, text: str) -> None:
        try:
            with self.db.session() as session:
                found = check_item(session, text)
        except UserError as error:
            self._say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        if found.is_kit and not found.tags:
            self._say(f"la valise {found.tag} est vide", good=False)
            return
        taken = {tag for item in self.items.rows() for tag in item.tags}
        again = [tag for tag in found.tags if tag in taken]
        if again:
            self._say(f"déjà dans la liste : {', '.join(again)}", good=False)
            return
        kind = "valise" if found.is_kit else "matériel"
        item = BookingItem(kind, found.tag, found.description, len(found.tags), found.tags)
        self._set_items([*self.items.rows(), item])
        self._say(f"{found.tag} ajouté", good=True)

    def add_lot(self) -> None:
        name = self.lot.currentData()
        if not name:
            return
        quantity = self.quantity.value()
        owner = f"propriété {self._owners[name]}"
        rows = [r for r in self.items.rows() if not (r.kind == "lot" and r.name == name)]
        self._set_items([*rows, BookingItem("lot", name, owner, quantity)])
        self._say(f"{count(quantity)} × {name}", good=True)

    def remove_selected(self) -> None:
        gone = {index.row() for index in self.item_view.selectionModel().selectedRows()}
        self._set_items([r for n, r in enumerate(self.items.rows()) if n not in gone])

    def _set_items(self, rows: list[BookingItem]) -> None:
        self.items.set_rows(rows)
        assets = sum(len(row.tags) for row in rows)
        lots = sum(row.quantity for row in rows if row.kind == "lot")
        self.totals.setText(f"{count(assets)} matériel(s), {count(lots)} article(s) en lots")
        self.book_button.setEnabled(bool(rows))

    def items_to_book(self) -> Items:
        rows = self.items.rows()
        return Items(
            tags=tuple(r.name for r in rows if r.kind == "matériel"),
            kits=tuple(r.name for r in rows if r.kind == "valise"),
            lots=tuple((r.name, r.quantity) for r in rows if r.kind == "lot"),
        )

    def _say(self, text: str, good: bool) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(f"color: {(OK if good else BAD).name()}; font-weight: bold;")

    # -- book, cancel --------------------------------------------------------------------
    def book_items(self, *, force: bool = False) -> None:
        name, items = self.prestation_name(), self.items_to_book()
        if not name or items.is_empty():
            return
        start, end = day(self.starts_on), day(self.ends_on)
        try:
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
            "Réservation en conflit",
            f"Rien n'a été réservé :\n\n{lines}\n\nRéserver quand même ?",
            "Réserver &quand même",
            lambda: self.book_items(force=True),
            destructive=True,
        )

    def _booked(self, name: str, result: BookingResult) -> None:
        self._set_items([])
        self.load_bookings()
        forced = f" malgré {len(result.conflicts)} conflit(s)" if result.conflicts else ""
        self._say(f"{len(result.bookings)} réservation(s) pour {name}{forced}", good=True)
        self.scan.setFocus()
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
            what = (f"la réservation n°{line.booking_id} ({line.item}, du "
                    f"{line.starts_on:%d/%m/%Y} au {line.ends_on:%d/%m/%Y})")  # fmt: skip
        else:
            what = f"{len(lines)} réservations ({', '.join(line.item for line in lines)})"
        confirm(
            self,
            "Annuler une réservation",
            f"Annuler {what} ? Le matériel redevient disponible s'il n'est pas réservé ailleurs.",
            "Annuler la &réservation",
            lambda: self.cancel([line.booking_id for line in lines]),
            keep="Garder",
        )

    def cancel(self, booking_ids: list[int]) -> None:
        def run() -> bool:
            with self.db.session() as session:
                for booking_id in booking_ids:
                    cancel_booking(session, booking_id)
            return True

        if attempt(self, run):
            self.load_bookings()
            self._say(f"{len(booking_ids)} réservation(s) annulée(s)", good=True)
            self.changed.emit()

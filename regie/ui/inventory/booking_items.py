"""The left half of the reservations screen: what is about to be booked, and for when.

Tags are scanned or typed (an asset or a kit, identified by ``loan_desk.check_item``), lots
are added with a quantity; nothing is written until the screen calls ``bookings.book``.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
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
from regie.i18n import N_, _
from regie.inventory.bookings import Items
from regie.inventory.loan_desk import check_item
from regie.inventory.references import LotChoice
from regie.ui.inventory.forms import count, date_edit, shown_locale
from regie.ui.inventory.loan_items import (
    LOT,
    ItemLine,
    items_of,
    lines_total,
    listed_again,
    say,
    scanned_line,
    with_lot,
    without_selected,
)
from regie.ui.inventory.messages import report_failure
from regie.ui.inventory.reference_forms import day
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.qdates import qdate

ITEM_COLUMNS: list[Column[ItemLine]] = [
    Column(N_("Élément"), lambda item: item.name),
    Column(N_("Type"), lambda item: _(item.kind)),
    Column(N_("Description"), lambda item: item.description),
    Column(N_("Quantité"), lambda item: count(item.quantity), numeric=True),
]


class BookingItemsPanel(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._owners: dict[str, str] = {}  # lot → its owner
        self.scan = ScanField(_("Étiquette de matériel ou de valise, puis Entrée"))
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
        self.quantity.setLocale(shown_locale())
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.setMaximumWidth(100)
        self.add_lot_button = QPushButton(_("Ajouter le l&ot"))
        self.add_lot_button.setObjectName("bookingAddLot")
        lots = QHBoxLayout()
        lots.addWidget(self.lot, 1)
        lots.addWidget(self.quantity)
        lots.addWidget(self.add_lot_button)
        self.items: RowsModel[ItemLine] = RowsModel(ITEM_COLUMNS, parent=self)
        self.view = make_table("bookingItems", self.items, stretch=2)
        remove = QPushButton(_("Retirer la ligne (Suppr)"))
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.view, self.remove_selected)
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # not in the scan field
        self.totals = QLabel("")
        totals = QHBoxLayout()
        totals.addWidget(self.totals, 1)
        totals.addWidget(remove)
        self.starts_on = date_edit("bookingStart", clock.today())
        self.ends_on = date_edit("bookingEnd", clock.today())
        self.book_button = QPushButton(_("&Réserver"))
        self.book_button.setObjectName("bookingBook")
        self.book_button.setStyleSheet("font-weight: bold; padding: 4px 18px;")
        dates = QHBoxLayout()
        dates.addWidget(QLabel(_("Du")))
        dates.addWidget(self.starts_on)
        dates.addWidget(QLabel(_("au")))
        dates.addWidget(self.ends_on)
        dates.addStretch(1)
        dates.addWidget(self.book_button)
        title = QLabel(_("À réserver"))
        title.setStyleSheet("font-weight: bold; font-size: 15px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.scan)
        layout.addWidget(self.feedback)
        layout.addLayout(lots)
        layout.addWidget(self.view, 1)
        layout.addLayout(totals)
        layout.addLayout(dates)

        self.scan.scanned.connect(self.add_tag)
        self.add_lot_button.clicked.connect(self.add_lot)
        remove.clicked.connect(self.remove_selected)
        self.set_items([])

    def set_lots(self, lots: list[LotChoice]) -> None:
        chosen = self.lot.currentData()
        self._owners = {lot.name: lot.owner for lot in lots}
        self.lot.clear()
        for lot in lots:
            self.lot.addItem(
                _("{name} ({count} en stock)").format(name=lot.name, count=count(lot.in_stock)),
                lot.name,
            )
        self.lot.setCurrentIndex(max(self.lot.findData(chosen), 0))

    def set_window(self, start: dt.date, end: dt.date) -> None:
        self.starts_on.setDate(qdate(start))
        self.ends_on.setDate(qdate(end))

    def date_window(self) -> tuple[dt.date, dt.date]:
        return day(self.starts_on), day(self.ends_on)

    # -- the lines ---------------------------------------------------------------------
    def add_tag(self, text: str) -> None:
        try:
            with self.db.session() as session:
                found = check_item(session, text)
        except UserError as error:
            self.say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        if found.is_kit and not found.tags:
            self.say(_("la valise {tag} est vide").format(tag=found.tag), good=False)
            return
        item = scanned_line(found, checked=False)
        again = listed_again(self.items.rows(), item)
        if again:
            self.say(_("déjà dans la liste : {tags}").format(tags=", ".join(again)), good=False)
            return
        self.set_items([*self.items.rows(), item])
        self.say(_("{tag} ajouté").format(tag=found.tag), good=True)

    def add_lot(self) -> None:
        name = self.lot.currentData()
        if not name:
            return
        quantity = self.quantity.value()
        owner = _("propriété {owners}").format(owners=self._owners[name])
        line = ItemLine(kind=LOT, name=name, description=owner, quantity=quantity)
        self.set_items(with_lot(self.items.rows(), line))
        self.say(f"{count(quantity)} × {name}", good=True)

    def remove_selected(self) -> None:
        self.set_items(without_selected(self.view, self.items.rows()))

    def set_items(self, rows: list[ItemLine]) -> None:
        self.items.set_rows(rows)
        self.totals.setText(lines_total(rows))
        self.book_button.setEnabled(bool(rows))

    def items_to_book(self) -> Items:
        return items_of(self.items.rows())

    def say(self, text: str, good: bool) -> None:
        say(self.feedback, text, good=good)

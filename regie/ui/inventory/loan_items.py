"""The items step of the loan wizard: tags scanned or typed, lots with a quantity.

Each tag is checked as it comes (``loan_desk.check_item``): a line that cannot go out is
listed in red with the reason, and the wizard does not go on until it is removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWizardPage,
)

from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _, ngettext
from regie.inventory.bookings import Items
from regie.inventory.loan_desk import ItemCheck, check_item
from regie.inventory.references import References
from regie.ui.inventory.forms import assets_count, lot_items_count, shown_locale
from regie.ui.inventory.messages import attempt, report_failure
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table


class PrestationChoice(Protocol):
    def prestation_name(self) -> str: ...


OK, BAD = QColor("#0b6b2f"), QColor("#b3261e")
ASSET, KIT, LOT = N_("matériel"), N_("valise"), N_("lot")  # the kinds of line


@dataclass(frozen=True, kw_only=True)
class ItemLine:
    """A line to book or to lend: an asset, a kit (its contents) or a quantity of a lot."""

    kind: str  # ASSET, KIT or LOT (French keys, translated where shown)
    name: str
    description: str
    quantity: int
    tags: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # why it cannot go out (the loan wizard checks, not bookings)


def scanned_line(found: ItemCheck, *, checked: bool = True) -> ItemLine:
    """The line for a tag the desk looked up; ``checked`` keeps the reasons it cannot go out."""
    return ItemLine(
        kind=KIT if found.is_kit else ASSET,
        name=found.tag,
        description=found.description,
        quantity=len(found.tags),
        tags=found.tags,
        problems=found.problems if checked else (),
    )


def listed_again(rows: list[ItemLine], line: ItemLine) -> list[str]:
    """The tags of ``line`` already on another line (an asset cannot go twice)."""
    taken = {tag for row in rows for tag in row.tags}
    return [tag for tag in line.tags if tag in taken]


def with_lot(rows: list[ItemLine], line: ItemLine) -> list[ItemLine]:
    """The lines with this lot's line in place of any earlier one for the same lot."""
    return [*(row for row in rows if not (row.kind == LOT and row.name == line.name)), line]


def items_of(rows: list[ItemLine]) -> Items:
    """What the lines ask for, as the core's booking and check-out take it."""
    return Items(
        tags=tuple(r.name for r in rows if r.kind == ASSET),
        kits=tuple(r.name for r in rows if r.kind == KIT),
        lots=tuple((r.name, r.quantity) for r in rows if r.kind == LOT),
    )


def lines_total(rows: list[ItemLine]) -> str:
    """« 3 matériels, 50 articles en lots »: the assets the lines hold and the lot items."""
    assets = sum(len(row.tags) for row in rows)
    lots = sum(row.quantity for row in rows if row.kind == LOT)
    return f"{assets_count(assets)}, {lot_items_count(lots)}"


def say(feedback: QLabel, text: str, *, good: bool) -> None:
    """The line under the scan field, green when the tag went in, red when it did not."""
    feedback.setText(text)
    feedback.setStyleSheet(f"color: {(OK if good else BAD).name()}; font-weight: bold;")


def without_selected(view: QTableView, rows: list[ItemLine]) -> list[ItemLine]:
    """The lines less those selected in the table."""
    gone = {index.row() for index in view.selectionModel().selectedRows()}
    return [row for n, row in enumerate(rows) if n not in gone]


ITEM_COLUMNS: list[Column[ItemLine]] = [
    Column(N_("Élément"), lambda item: item.name),
    Column(N_("Type"), lambda item: _(item.kind)),
    Column(N_("Description"), lambda item: item.description),
    Column(N_("Quantité"), lambda item: str(item.quantity), numeric=True),
    Column(N_("Vérification"), lambda item: "; ".join(item.problems) or _("prêt à sortir")),
]


class ItemsPage(QWizardPage):
    def __init__(self, db: Database, choices: References, first: PrestationChoice) -> None:
        super().__init__()
        self.db, self.first = db, first
        self.setTitle(_("Matériel"))
        self.setSubTitle(
            _(
                "Scannez ou tapez une étiquette de matériel ou de valise puis Entrée ; "
                "ajoutez les lots avec leur quantité."
            )
        )
        self.scan = ScanField(_("Étiquette ou valise, puis Entrée"))
        self.scan.setObjectName("loanScan")
        self.feedback = QLabel("")
        self.feedback.setObjectName("loanFeedback")
        self.lot = QComboBox()
        self.lot.setObjectName("loanLot")
        for lot in choices.lots:
            self.lot.addItem(
                _("{name} ({in_stock} en stock)").format(name=lot.name, in_stock=lot.in_stock), lot
            )
        self.quantity = QSpinBox()
        self.quantity.setObjectName("loanLotQuantity")
        self.quantity.setRange(1, 1_000_000)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.setLocale(shown_locale())
        add_lot = QPushButton(_("Ajouter le &lot"))
        add_lot.setObjectName("loanAddLot")
        remove = QPushButton(_("Retirer la ligne (Suppr)"))
        remove.setObjectName("loanRemoveLine")
        self.items = RowsModel(ITEM_COLUMNS, tone=lambda i: BAD if i.problems else OK, parent=self)
        self.view = make_table("loanItems", self.items, stretch=4)

        lots = QHBoxLayout()
        lots.addWidget(QLabel(_("Lot :")))
        lots.addWidget(self.lot, 1)
        lots.addWidget(QLabel(_("Quantité :")))
        lots.addWidget(self.quantity)
        lots.addWidget(add_lot)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scan)
        layout.addWidget(self.feedback)
        layout.addLayout(lots)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.totals = QLabel("")
        bottom.addWidget(self.totals, 1)
        bottom.addWidget(remove)
        layout.addLayout(bottom)

        self.scan.scanned.connect(self.add_tag)
        add_lot.clicked.connect(self.add_lot)
        remove.clicked.connect(self.remove_selected)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.view, self.remove_selected)
        delete.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # not in the scan field

    def initializePage(self) -> None:
        self._recheck()  # the prestation may have changed: its bookings matter
        self.scan.setFocus()

    def _say(self, text: str, good: bool) -> None:
        say(self.feedback, text, good=good)

    def _check(self, text: str) -> ItemLine:
        with self.db.session() as session:
            found = check_item(session, text, prestation_name=self.first.prestation_name())
        return scanned_line(found)

    def add_tag(self, text: str) -> None:
        try:
            item = self._check(text)
        except UserError as error:
            self._say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        again = listed_again(self.items.rows(), item)
        if again:
            self._say(_("déjà dans la liste : {tags}").format(tags=", ".join(again)), good=False)
            return
        self._set_rows([*self.items.rows(), item])
        self._say(
            _("{name} : {problems}").format(name=item.name, problems="; ".join(item.problems))
            if item.problems
            else _("{name} ajouté").format(name=item.name),
            good=not item.problems,
        )

    def add_lot(self) -> None:
        lot = self.lot.currentData()
        if lot is None:
            return
        quantity = self.quantity.value()
        problems = (
            ()
            if quantity <= lot.in_stock
            else (_("{in_stock} en stock seulement").format(in_stock=lot.in_stock),)
        )
        item = ItemLine(
            kind=LOT,
            name=lot.name,
            description=_("propriété {owner}").format(owner=lot.owner),
            quantity=quantity,
            problems=problems,
        )
        self._set_rows(with_lot(self.items.rows(), item))
        self._say(f"{quantity} × {lot.name}", good=not problems)

    def remove_selected(self) -> None:
        self._set_rows(without_selected(self.view, self.items.rows()))

    def _recheck(self) -> None:
        rows = []
        for row in self.items.rows():
            if row.kind != LOT:
                name = row.name
                row = attempt(self, lambda: self._check(name)) or row  # noqa: B023
            rows.append(row)
        self._set_rows(rows)

    def _set_rows(self, rows: list[ItemLine]) -> None:
        self.items.set_rows(rows)
        bad = sum(1 for row in rows if row.problems)
        self.totals.setText(
            lines_total(rows)
            + (
                ngettext(" — {bad} ligne à corriger", " — {bad} lignes à corriger", bad).format(
                    bad=bad
                )
                if bad
                else ""
            )
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        rows = self.items.rows()
        return bool(rows) and not any(row.problems for row in rows)

    def loan_items(self) -> Items:
        return items_of(self.items.rows())

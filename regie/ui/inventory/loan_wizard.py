"""The loan wizard: borrower, prestation and due date → items (scanned) → summary → out.

The items are checked as they are scanned (``loan_desk.check_item``); the check-out itself
(``loans.checkout``) checks everything again and writes the whole loan or nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.inventory.bookings import Items
from regie.inventory.loan_desk import check_item
from regie.inventory.loans import LoanSummary, checkout
from regie.inventory.references import References, references
from regie.ui.inventory.forms import FRENCH, date_edit, french_wizard
from regie.ui.inventory.messages import attempt, report_failure
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel

OK, BAD = QColor("#0b6b2f"), QColor("#b3261e")


@dataclass(frozen=True)
class LoanItem:
    """A line of the wizard: an asset, a kit (its contents) or a quantity of a lot."""

    kind: str  # "matériel", "valise", "lot"
    name: str
    description: str
    quantity: int
    tags: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


ITEM_COLUMNS: list[Column[LoanItem]] = [
    Column("Élément", lambda item: item.name),
    Column("Type", lambda item: item.kind),
    Column("Description", lambda item: item.description),
    Column("Quantité", lambda item: str(item.quantity), numeric=True),
    Column("Vérification", lambda item: "; ".join(item.problems) or "prêt à sortir"),
]


class BorrowerPage(QWizardPage):
    def __init__(self, choices: References) -> None:
        super().__init__()
        self.setTitle("Emprunteur et prestation")
        self.setSubTitle("À qui le matériel est prêté, pour quelle prestation, jusqu'à quand.")
        self.borrower = QComboBox()
        self.borrower.setObjectName("loanBorrower")
        self.borrower.addItems(choices.organisations)
        self.prestation = QComboBox()
        self.prestation.setObjectName("loanPrestation")
        self.prestation.addItem("(sans prestation)", None)
        for choice in choices.prestations:
            label = f"{choice.name} — du {choice.starts_on:%d/%m} au {choice.ends_on:%d/%m/%Y}"
            self.prestation.addItem(label, choice)
        self.due = date_edit("loanDue", clock.today() + dt.timedelta(days=7))
        self.due.setMinimumDate(QDate(clock.today()))
        self.notes = QLineEdit()
        self.notes.setObjectName("loanNotes")
        self.notes.setPlaceholderText("facultatif")
        form = QFormLayout(self)
        form.addRow("&Emprunteur :", self.borrower)
        form.addRow("Pres&tation :", self.prestation)
        form.addRow("&Retour prévu le :", self.due)
        form.addRow("&Note :", self.notes)
        self.prestation.currentIndexChanged.connect(self._prestation_chosen)

    def _prestation_chosen(self) -> None:
        choice = self.prestation.currentData()
        if choice is not None:  # two days after the last day: time to pack and drive back
            self.due.setDate(QDate(max(choice.ends_on + dt.timedelta(days=2), clock.today())))

    def prestation_name(self) -> str:
        choice = self.prestation.currentData()
        return choice.name if choice is not None else ""

    def due_on(self) -> dt.date:
        value = self.due.date().toPython()
        assert isinstance(value, dt.date)
        return value


class ItemsPage(QWizardPage):
    def __init__(self, db: Database, choices: References, first: BorrowerPage) -> None:
        super().__init__()
        self.db, self.first = db, first
        self.setTitle("Matériel")
        self.setSubTitle(
            "Scannez ou tapez une étiquette de matériel ou de valise puis Entrée ; "
            "ajoutez les lots avec leur quantité."
        )
        self.scan = ScanField("Étiquette ou valise, puis Entrée")
        self.scan.setObjectName("loanScan")
        self.feedback = QLabel("")
        self.feedback.setObjectName("loanFeedback")
        self.lot = QComboBox()
        self.lot.setObjectName("loanLot")
        for lot in choices.lots:
            self.lot.addItem(f"{lot.name} ({lot.in_stock} en stock)", lot)
        self.quantity = QSpinBox()
        self.quantity.setObjectName("loanLotQuantity")
        self.quantity.setRange(1, 1_000_000)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.setLocale(FRENCH)
        add_lot = QPushButton("Ajouter le &lot")
        add_lot.setObjectName("loanAddLot")
        remove = QPushButton("Retirer la ligne (Suppr)")
        remove.setObjectName("loanRemoveLine")
        self.items = RowsModel(ITEM_COLUMNS, tone=lambda i: BAD if i.problems else OK, parent=self)
        self.view = QTableView()
        self.view.setObjectName("loanItems")
        self.view.setModel(self.items)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

        lots = QHBoxLayout()
        lots.addWidget(QLabel("Lot :"))
        lots.addWidget(self.lot, 1)
        lots.addWidget(QLabel("Quantité :"))
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
        QShortcut(QKeySequence.StandardKey.Delete, self.view, self.remove_selected)

    def initializePage(self) -> None:
        self._recheck()  # the prestation may have changed: its bookings matter
        self.scan.setFocus()

    def _say(self, text: str, good: bool) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(f"color: {(OK if good else BAD).name()}; font-weight: bold;")

    def _check(self, text: str) -> LoanItem:
        with self.db.session() as session:
            found = check_item(session, text, prestation_name=self.first.prestation_name())
        kind = "valise" if found.is_kit else "matériel"
        return LoanItem(kind, found.tag, found.description, len(found.tags), found.tags,
                        found.problems)  # fmt: skip

    def add_tag(self, text: str) -> None:
        try:
            item = self._check(text)
        except UserError as error:
            self._say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        taken = {tag for line in self.items.rows() for tag in line.tags}
        again = [tag for tag in item.tags if tag in taken]
        if again:
            self._say(f"déjà dans la liste : {', '.join(again)}", good=False)
            return
        self._set_rows([*self.items.rows(), item])
        self._say(
            f"{item.name} : {'; '.join(item.problems)}" if item.problems else f"{item.name} ajouté",
            good=not item.problems,
        )

    def add_lot(self) -> None:
        lot = self.lot.currentData()
        if lot is None:
            return
        quantity = self.quantity.value()
        problems = () if quantity <= lot.in_stock else (f"{lot.in_stock} en stock seulement",)
        item = LoanItem("lot", lot.name, f"propriété {lot.owner}", quantity, (), problems)
        rows = [
            row for row in self.items.rows() if not (row.kind == "lot" and row.name == lot.name)
        ]
        self._set_rows([*rows, item])
        self._say(f"{quantity} × {lot.name}", good=not problems)

    def remove_selected(self) -> None:
        selected = {index.row() for index in self.view.selectionModel().selectedRows()}
        self._set_rows([row for n, row in enumerate(self.items.rows()) if n not in selected])

    def _recheck(self) -> None:
        rows = []
        for row in self.items.rows():
            if row.kind != "lot":
                name = row.name
                row = attempt(self, lambda: self._check(name)) or row  # noqa: B023
            rows.append(row)
        self._set_rows(rows)

    def _set_rows(self, rows: list[LoanItem]) -> None:
        self.items.set_rows(rows)
        assets = sum(len(row.tags) for row in rows)
        lots = sum(row.quantity for row in rows if row.kind == "lot")
        bad = sum(1 for row in rows if row.problems)
        self.totals.setText(
            f"{assets} matériel(s), {lots} article(s) en lots"
            + (f" — {bad} ligne(s) à corriger" if bad else "")
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        rows = self.items.rows()
        return bool(rows) and not any(row.problems for row in rows)

    def loan_items(self) -> Items:
        rows = self.items.rows()
        return Items(
            tags=tuple(r.name for r in rows if r.kind == "matériel"),
            kits=tuple(r.name for r in rows if r.kind == "valise"),
            lots=tuple((r.name, r.quantity) for r in rows if r.kind == "lot"),
        )


class SummaryPage(QWizardPage):
    def __init__(self, wizard: LoanWizard) -> None:
        super().__init__()
        self.loan_wizard = wizard
        self.setTitle("Résumé")
        self.setSubTitle("Vérifiez puis enregistrez la sortie : tout part, ou rien.")
        self.text = QLabel("")
        self.text.setObjectName("loanSummary")
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def initializePage(self) -> None:
        first, rows = self.loan_wizard.first, self.loan_wizard.items_page.items.rows()
        prestation = first.prestation_name()
        html = [
            f"<p>Prêt à <b>{first.borrower.currentText()}</b>"
            + (f" pour <b>{prestation}</b>" if prestation else "")
            + f", retour le <b>{first.due_on():%d/%m/%Y}</b>.</p>"
        ]
        assets = [row for row in rows if row.kind == "matériel"]
        if assets:
            html.append(f"<p><b>{len(assets)} matériel(s)</b></p><ul>")
            html += [f"<li>{row.name} — {row.description}</li>" for row in assets]
            html.append("</ul>")
        for row in rows:
            if row.kind == "valise":
                html.append(
                    f"<p><b>Valise {row.name}</b> — {row.description}</p>"
                    f"<ul><li>{', '.join(row.tags)}</li></ul>"
                )
        lots = [row for row in rows if row.kind == "lot"]
        if lots:
            html.append("<p><b>Lots</b></p><ul>")
            html += [f"<li>{row.quantity} × {row.name} ({row.description})</li>" for row in lots]
            html.append("</ul>")
        self.text.setText("".join(html))

    def validatePage(self) -> bool:
        return self.loan_wizard.check_out()


class LoanWizard(QWizard):
    loan_made = Signal(object)  # LoanSummary

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("loanWizard")
        self.setWindowTitle("Sortie de matériel")
        self.resize(780, 520)
        french_wizard(self, finish="&Enregistrer la sortie")
        with db.session() as session:
            choices = references(session)
        self.first = BorrowerPage(choices)
        self.items_page = ItemsPage(db, choices, self.first)
        self.summary_page = SummaryPage(self)
        for page in (self.first, self.items_page, self.summary_page):
            self.addPage(page)
        self.result_summary: LoanSummary | None = None

    def check_out(self) -> bool:
        def run() -> LoanSummary:
            with self.db.session() as session:
                return checkout(
                    session,
                    self.first.borrower.currentText(),
                    self.items_page.loan_items(),
                    due_on=self.first.due_on(),
                    prestation_name=self.first.prestation_name(),
                    notes=self.first.notes.text().strip(),
                )

        summary = attempt(self, run)
        if summary is None:
            return False
        self.result_summary = summary
        self.loan_made.emit(summary)
        return True

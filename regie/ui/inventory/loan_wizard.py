"""The loan wizard: borrower, prestation and due date → items (scanned) → summary → out.

The items are checked as they are scanned (``loan_desk.check_item``); the check-out itself
(``loans.checkout``) checks everything again and writes the whole loan or nothing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from regie import clock
from regie.db import Database
from regie.i18n import _, format_date
from regie.inventory.loans import LoanSummary, checkout
from regie.inventory.references import References, references
from regie.ui.inventory.forms import assets_count, date_edit, dated, french_wizard
from regie.ui.inventory.loan_items import ASSET, KIT, LOT, ItemsPage
from regie.ui.inventory.messages import attempt
from regie.ui.qdates import qdate


class BorrowerPage(QWizardPage):
    def __init__(self, choices: References) -> None:
        super().__init__()
        self.setTitle(_("Emprunteur et prestation"))
        self.setSubTitle(_("À qui le matériel est prêté, pour quelle prestation, jusqu'à quand."))
        self.borrower = QComboBox()
        self.borrower.setObjectName("loanBorrower")
        self.borrower.addItems(choices.organisations)
        self.prestation = QComboBox()
        self.prestation.setObjectName("loanPrestation")
        self.prestation.addItem(_("(sans prestation)"), None)
        for choice in choices.prestations:
            self.prestation.addItem(dated(choice.name, choice.starts_on, choice.ends_on), choice)
        self.due = date_edit("loanDue", clock.today() + dt.timedelta(days=7))
        self.due.setMinimumDate(
            clock.today(), _("un retour se prévoit aujourd'hui ou plus tard, pas dans le passé")
        )
        self.notes = QLineEdit()
        self.notes.setObjectName("loanNotes")
        self.notes.setPlaceholderText(_("facultatif"))
        form = QFormLayout(self)
        form.addRow(_("&Emprunteur :"), self.borrower)
        form.addRow(_("Pres&tation :"), self.prestation)
        form.addRow(_("&Retour prévu le :"), self.due)
        form.addRow(_("&Note :"), self.notes)
        self.prestation.currentIndexChanged.connect(self._prestation_chosen)

    def _prestation_chosen(self) -> None:
        choice = self.prestation.currentData()
        if choice is not None:  # two days after the last day: time to pack and drive back
            self.due.setDate(qdate(max(choice.ends_on + dt.timedelta(days=2), clock.today())))

    def prestation_name(self) -> str:
        choice = self.prestation.currentData()
        return choice.name if choice is not None else ""

    def validatePage(self) -> bool:
        """A due date that cannot be read, or is past, keeps the wizard here: the reason is
        written beside the field, the text stays as typed."""
        if self.due.problem():
            self.due.setFocus()
            return False
        return True

    def due_on(self) -> dt.date:
        return self.due.day()


class SummaryPage(QWizardPage):
    def __init__(self, wizard: LoanWizard) -> None:
        super().__init__()
        self.loan_wizard = wizard
        self.setTitle(_("Résumé"))
        self.setSubTitle(_("Vérifiez puis enregistrez la sortie : tout part, ou rien."))
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
            _("<p>Prêt à <b>{borrower}</b>").format(borrower=first.borrower.currentText())
            + (_(" pour <b>{prestation}</b>").format(prestation=prestation) if prestation else "")
            + _(", retour le <b>{due_on}</b>.</p>").format(
                due_on=format_date(first.due_on(), "short")
            )
        ]
        assets = [row for row in rows if row.kind == ASSET]
        if assets:
            html.append(f"<p><b>{assets_count(len(assets))}</b></p><ul>")
            html += [f"<li>{row.name} — {row.description}</li>" for row in assets]
            html.append("</ul>")
        for row in rows:
            if row.kind == KIT:
                html.append(
                    _("<p><b>Valise {name}</b> — {description}</p><ul><li>{tags}</li></ul>").format(
                        name=row.name, description=row.description, tags=", ".join(row.tags)
                    )
                )
        lots = [row for row in rows if row.kind == LOT]
        if lots:
            title = _("Lots")
            html.append(f"<p><b>{title}</b></p><ul>")
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
        self.setWindowTitle(_("Sortie de matériel"))
        self.resize(780, 520)
        french_wizard(self, finish=_("&Enregistrer la sortie"))
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

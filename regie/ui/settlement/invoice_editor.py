"""A new invoice: issuer, client, prestation, date, the service's dates (the prestation's days
by default), lines; the totals per VAT rate follow the typing. « Émettre » numbers it for good
(it can then only be cancelled by a credit note); a missing mandatory mention is refused with
the screen where to fill it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.inventory.reference_list import PrestationLine, reference_lists
from regie.settings.convention import settings_at
from regie.settlement import counts
from regie.settlement.invoice_checks import MissingMention
from regie.settlement.invoices import InvoiceView, create_invoice
from regie.ui.inventory.messages import attempt, confirm
from regie.ui.settlement.invoice_lines import InvoiceLines, totals_html
from regie.ui.settlement.screen import date_edit, python_date, say, status_line
from regie.ui.settlement.words import euros


class InvoiceEditor(QDialog):
    issued = Signal(object)  # the InvoiceView, once numbered

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("invoiceEditor")
        self.setWindowTitle(_("Nouvelle facture"))
        self.resize(900, 560)
        with db.session() as session:
            lists = reference_lists(session)
            partner = settings_at(session, clock.today()).text("partner")
        self.prestations: list[PrestationLine] = lists.prestations
        self.issuer = QComboBox()
        self.issuer.setObjectName("invoiceIssuer")
        self.client = QComboBox()
        self.client.setObjectName("invoiceClient")
        for org in lists.organisations:
            for combo in (self.issuer, self.client):
                combo.addItem(f"{org.short_name} — {org.name}", org.short_name)
        self.issuer.setCurrentIndex(max(self.issuer.findData(partner), 0))
        self.prestation = QComboBox()
        self.prestation.setObjectName("invoicePrestation")
        self.prestation.addItem(_("— aucune —"), "")
        for line in self.prestations:
            self.prestation.addItem(line.name, line.name)
        self.issued_on = date_edit("invoiceDate", clock.today())
        self.service_from = date_edit("invoiceServiceFrom", clock.today())
        self.service_to = date_edit("invoiceServiceTo", clock.today())
        service = QHBoxLayout()
        service.addWidget(self.service_from)
        service.addWidget(QLabel(_("au")))
        service.addWidget(self.service_to)
        service.addStretch(1)
        self.notes = QLineEdit()
        self.notes.setObjectName("invoiceNotes")
        self.notes.setPlaceholderText(_("bon de commande, référence du client…"))
        form = QFormLayout()
        form.addRow(_("Ém&etteur :"), self.issuer)
        form.addRow(_("&Client :"), self.client)
        form.addRow(_("&Prestation :"), self.prestation)
        form.addRow(_("&Date d'émission :"), self.issued_on)
        service_label = QLabel(_("Prestation réalisée d&u :"))
        service_label.setBuddy(self.service_from)
        form.addRow(service_label, service)
        form.addRow(_("&Notes :"), self.notes)

        self.lines = InvoiceLines()
        self.add_button = QPushButton(_("&Ajouter une ligne"))
        self.add_button.setObjectName("invoiceAddLine")
        self.remove_button = QPushButton(_("&Retirer la ligne"))
        self.remove_button.setObjectName("invoiceRemoveLine")
        line_buttons = QHBoxLayout()
        line_buttons.addWidget(self.add_button)
        line_buttons.addWidget(self.remove_button)
        line_buttons.addStretch(1)
        self.exemption = status_line("invoiceExemption")
        self.totals = QLabel("")
        self.totals.setObjectName("invoiceTotals")
        self.problems = status_line("invoiceProblems")
        self.issue_button = QPushButton(_("É&mettre la facture…"))
        self.issue_button.setObjectName("invoiceIssue")
        self.close_button = QPushButton(_("&Fermer sans émettre"))
        self.close_button.setObjectName("invoiceClose")
        bottom = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.exemption)
        left.addWidget(self.problems)
        left.addStretch(1)
        bottom.addLayout(left, 1)
        bottom.addWidget(self.totals)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.issue_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.lines, 1)
        layout.addLayout(line_buttons)
        layout.addLayout(bottom)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(lambda: self.lines.add_line())
        self.remove_button.clicked.connect(self.lines.remove_selected)
        self.lines.edited.connect(self.update_totals)
        self.prestation.currentIndexChanged.connect(self._prestation_chosen)
        self.issued_on.dateChanged.connect(self._read_exemption)
        self.issue_button.clicked.connect(self.ask_issue)
        self.close_button.clicked.connect(self.reject)
        self._read_exemption()
        self.lines.add_line()

    def _prestation_chosen(self) -> None:
        """An invoice for a prestation goes to its client, dated after it."""
        line = next((p for p in self.prestations if p.name == self.prestation.currentData()), None)
        if line is not None:
            self.client.setCurrentIndex(max(self.client.findData(line.client), 0))
            for edit, value in (
                (self.service_from, line.starts_on),
                (self.service_to, line.ends_on),
            ):
                edit.setDate(QDate(value.year, value.month, value.day))

    def _read_exemption(self) -> None:
        day = python_date(self.issued_on)
        with self.db.session() as session:
            mention = settings_at(session, day).text("vat_exemption")
        self.lines.set_exempt(bool(mention))
        text = (
            _("{mention} : toutes les lignes sont à 0 %.").format(mention=mention)
            if mention
            else ""
        )
        say(self.exemption, text, "warn", bold=False)

    def update_totals(self) -> None:
        reading = self.lines.read()
        self.totals.setText(totals_html(reading.lines))
        say(self.problems, "\n".join(reading.problems), "error", bold=False)
        self.issue_button.setEnabled(bool(reading.lines) and not reading.problems)

    def ask_issue(self) -> None:
        reading = self.lines.read()
        if not reading.lines or reading.problems:
            return
        unread = [f.problem() for f in (self.issued_on, self.service_from, self.service_to)]
        if any(unread):
            say(self.problems, "\n".join(p for p in unread if p), "error", bold=False)
            return
        excl = sum(line.total_cents for line in reading.lines)
        confirm(
            self,
            _("Émettre la facture"),
            _(
                "Émettre la facture de {issuer} à {client} ({lines}, {total} HT) ? Elle "
                "reçoit son numéro tout de suite et ne pourra plus être supprimée : seul un avoir "
                "pourra l'annuler."
            ).format(
                issuer=self.issuer.currentData(),
                client=self.client.currentData(),
                lines=counts.lines(len(reading.lines)),
                total=euros(excl),
            ),
            _("É&mettre"),
            self.issue,
        )

    def issue(self) -> None:
        reading = self.lines.read()
        db = self.db
        issued_on: dt.date = python_date(self.issued_on)
        service = (python_date(self.service_from), python_date(self.service_to))

        def create() -> InvoiceView:
            with db.session() as session:
                try:
                    return create_invoice(
                        session,
                        client=str(self.client.currentData()),
                        issuer=str(self.issuer.currentData()),
                        lines=reading.lines,
                        prestation=str(self.prestation.currentData()),
                        issued_on=issued_on,
                        notes=self.notes.text().strip(),
                        service_from=service[0],
                        service_to=service[1],
                    )
                except MissingMention as missing:  # the window's words: where to fill it
                    raise UserError(missing.window) from None

        view = attempt(self, create)
        if view is not None:
            self.issued.emit(view)
            self.accept()

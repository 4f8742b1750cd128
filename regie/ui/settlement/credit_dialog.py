"""Cancel an invoice by a credit note: the reason, the date, and a clear « Émettre l'avoir »
(an invoice is never deleted; its credit note carries the same amounts, once)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.settlement.invoice_checks import MissingMention
from regie.settlement.invoices import InvoiceSummary, InvoiceView, credit_invoice
from regie.ui.inventory.messages import attempt
from regie.ui.settlement.screen import date_edit, python_date
from regie.ui.settlement.words import euros


class CreditDialog(QDialog):
    credited = Signal(object)  # the credit note's InvoiceView

    def __init__(self, db: Database, invoice: InvoiceSummary, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.invoice = invoice
        self.setObjectName("creditDialog")
        self.setWindowTitle(_("Annuler la facture {reference}").format(reference=invoice.reference))
        question = QLabel(
            _(
                "Annuler la facture <b>{reference}</b> ({client}, {total} TTC) par un avoir du "
                "même montant ?<br>La facture reste dans la numérotation ; l'avoir la nomme et "
                "ne s'annule pas."
            ).format(
                reference=invoice.reference,
                client=invoice.client,
                total=euros(invoice.total_incl_cents),
            )
        )
        question.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("creditReason")
        self.reason.setPlaceholderText(
            _("Annule la facture {reference}.").format(reference=invoice.reference)
        )
        self.issued_on = date_edit("creditDate", clock.today())
        form = QFormLayout()
        form.addRow(_("M&otif :"), self.reason)
        form.addRow(_("&Date de l'avoir :"), self.issued_on)
        self.buttons = QDialogButtonBox()
        self.issue_button = self.buttons.addButton(
            _("É&mettre l'avoir"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.issue_button.setObjectName("creditIssue")
        keep = self.buttons.addButton(
            _("&Garder la facture"), QDialogButtonBox.ButtonRole.RejectRole
        )
        keep.setObjectName("creditKeep")
        keep.setDefault(True)  # Enter must not cancel an invoice
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.issue)
        self.buttons.rejected.connect(self.reject)
        self.resize(560, 200)

    def issue(self) -> InvoiceView | None:
        db, reference, issuer = self.db, self.invoice.reference, self.invoice.issuer
        reason = self.reason.text().strip()

        def credit() -> InvoiceView:
            issued_on = python_date(self.issued_on)  # a date unread: said like any refusal
            with db.session() as session:
                try:
                    return credit_invoice(
                        session, reference, issuer=issuer, issued_on=issued_on, reason=reason
                    )
                except MissingMention as missing:  # the window's words: where to fill it
                    raise UserError(missing.window) from None

        view = attempt(self, credit)
        if view is not None:
            self.credited.emit(view)
            self.accept()
        return view

"""The invoices section (Factures): invoices and credit notes of a year, the one selected in
full, a new invoice, its PDF or Factur-X, and its cancellation by a credit note."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.people.roles import Permission
from regie.settlement.invoice_checks import OPERATIONS
from regie.settlement.invoices import InvoiceSummary, InvoiceView, list_invoices, view
from regie.ui.forms.file_dialogs import save_path
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.notices import Notice, concerns, notices
from regie.ui.permissions import guard
from regie.ui.settlement.credit_dialog import CreditDialog
from regie.ui.settlement.invoice_editor import InvoiceEditor
from regie.ui.settlement.screen import Screen, say, single_row, status_line
from regie.ui.settlement.words import LINE_KINDS, day, euros, quantity, rate
from regie.ui.tasks import Task

COLUMNS: list[Column[InvoiceSummary]] = [
    Column(N_("Émetteur"), lambda i: i.issuer),
    Column(N_("Numéro"), lambda i: i.reference),
    Column(N_("Nature"), lambda i: _("Avoir") if i.kind == "credit" else _("Facture")),
    Column(N_("Date"), lambda i: day(i.issued_on)),
    Column(N_("Client"), lambda i: i.client),
    Column(N_("Total TTC"), lambda i: euros(i.total_incl_cents), numeric=True),
    Column(N_("Annulée par"), lambda i: i.cancelled_by or ""),
]


def tone(row: InvoiceSummary) -> QColor | None:
    if row.cancelled_by:
        return QColor("#7a8590")
    return QColor("#8a4b00") if row.kind == "credit" else None


def detail_html(v: InvoiceView) -> str:
    """The invoice as the PDF will say it, in short."""
    e = html.escape
    title = (
        _("Avoir n° {reference}") if v.kind == "credit" else _("Facture n° {reference}")
    ).format(reference=v.reference)
    dates = [_("émise le {day}").format(day=day(v.issued_on))]
    if v.kind == "invoice":
        dates.append(_("échéance le {day}").format(day=day(v.due_on)))
    if v.prestation:
        dates.append(_("prestation {name}").format(name=e(v.prestation)))
    service = [_(OPERATIONS.get(v.operation, v.operation))]
    if v.service_from and v.service_to:
        service.append(
            _("réalisée du {start} au {end}").format(
                start=day(v.service_from), end=day(v.service_to)
            )
            if v.service_from != v.service_to
            else _("réalisée le {day}").format(day=day(v.service_from))
        )
    parts = [f"<h3>{title}</h3><p>{' · '.join(dates)}</p><p>{' '.join(service)}</p>"]
    if v.credited_reference:
        parts.append(
            "<p>{}</p>".format(
                _("Annule la facture n° {reference}.").format(reference=v.credited_reference)
            )
        )
    if v.credited_by:
        parts.append(
            "<p style='color:#b3261e'><b>{}</b></p>".format(  # i18n: not shown
                _("Annulée par l'avoir {reference}.").format(reference=v.credited_by)
            )
        )
    parts.append(
        _(
            "<p><b>Émetteur :</b> {issuer} ({issuer_form})<br>"
            "<b>Client :</b> {client} ({client_form})</p>"
        ).format(
            issuer=e(v.issuer.name),
            issuer_form=e(v.issuer.legal_form),
            client=e(v.client.name),
            client_form=e(v.client.legal_form),
        )
    )
    rows = "".join(
        f"<tr><td>{e(line.label)}</td><td>{_(LINE_KINDS.get(line.kind, line.kind))}</td>"
        f"<td align='right'>{quantity(line.quantity_milli)}</td>"
        f"<td align='right'>{euros(line.unit_cents)}</td><td align='right'>{rate(line.vat_bp)}"
        f"</td><td align='right'>{euros(line.total_cents)}</td></tr>"
        for line in v.lines
    )
    heads = (_("Désignation"), _("Nature"), _("Qté"), _("PU HT"), _("TVA"), _("Total HT"))
    parts.append(
        "<table cellpadding='3' cellspacing='0' border='1' width='100%'><tr>"  # i18n: not shown
        + "".join(f"<th>{head}</th>" for head in heads)
        + f"</tr>{rows}</table>"
    )
    vat = "".join(
        _("TVA {rate} : base {base}, TVA {tax}").format(
            rate=rate(bp), base=euros(base), tax=euros(tax)
        )
        + "<br>"
        for bp, base, tax in v.vat
    )
    totals = _("Total HT {excl} · TVA {vat} · TTC {incl}").format(
        excl=euros(v.total_excl_cents),
        vat=euros(v.total_vat_cents),
        incl=euros(v.total_incl_cents),
    )
    parts.append(f"<p>{vat}<b>{totals}</b></p>")
    mentions = [v.vat_exemption, v.notes, v.payment_terms]
    parts += [f"<p style='color:#5b6b7a'>{e(text)}</p>" for text in mentions if text]
    return "".join(parts)


class InvoicesPage(Screen):
    # What the list shows: the invoices, their lines, the client and issuer names.
    CONCERNS = frozenset({"invoice", "invoice_line", "organisation", "prestation"})

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(db, parent)
        self.stale = False  # a change concerned the list while it was not on show
        self.editor: InvoiceEditor | None = None
        self.credit_dialog: CreditDialog | None = None
        title = QLabel(_("Factures"))
        title.setObjectName("pageTitle")
        self.year = QComboBox()
        self.year.setObjectName("invoiceYear")
        self.new_button = QPushButton(_("&Nouvelle facture…"))
        self.new_button.setObjectName("invoiceNew")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addSpacing(24)
        title_row.addWidget(QLabel(_("Année :")))
        title_row.addWidget(self.year)
        title_row.addStretch(1)
        title_row.addWidget(self.new_button)
        self.model: RowsModel[InvoiceSummary] = RowsModel(COLUMNS, tone=tone, parent=self)
        self.table = single_row(make_table("invoiceTable", self.model, stretch=3))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail = QTextBrowser()
        self.detail.setObjectName("invoiceDetail")
        self.pdf_button = QPushButton(_("Exporter en &PDF…"))
        self.pdf_button.setObjectName("invoicePdf")
        self.facturx_button = QPushButton(_("Exporter en Factur-&X…"))
        self.facturx_button.setObjectName("invoiceFacturx")
        self.credit_button = QPushButton(_("Annuler par un a&voir…"))
        self.credit_button.setObjectName("invoiceCredit")
        # issuing and cancelling are a manager's (the core checks again)
        self.may_settle = guard(self.new_button, db, Permission.SETTLE)
        guard(self.credit_button, db, Permission.SETTLE)
        actions = QHBoxLayout()
        for button in (self.pdf_button, self.facturx_button, self.credit_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.status = status_line("invoiceStatus")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addLayout(actions)
        right_layout.addWidget(self.status)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([560, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(split, 1)
        self.new_button.clicked.connect(self.open_editor)
        self.year.currentIndexChanged.connect(self.refresh)
        self.pdf_button.clicked.connect(lambda: self.ask_export(facturx=False))
        self.facturx_button.clicked.connect(lambda: self.ask_export(facturx=True))
        self.credit_button.clicked.connect(self.ask_credit)
        self._years()
        self.refresh()
        notices().changed.connect(self._heard)
        self.changed.connect(lambda: notices().announce(self))

    def _heard(self, notice: Notice) -> None:
        if concerns(self, notice):
            if self.isVisible():
                self.refresh()
            else:
                self.stale = True

    def controls(self) -> list[QWidget]:
        return [self.pdf_button, self.facturx_button]

    def settle_controls(self) -> None:
        chosen = self.selected()
        for button in (self.pdf_button, self.facturx_button):
            button.setEnabled(chosen is not None and not self.busy)
        self.credit_button.setEnabled(
            self.may_settle
            and chosen is not None
            and chosen.kind == "invoice"
            and not chosen.cancelled_by
        )

    def _years(self) -> None:
        this_year = clock.today().year
        self.year.blockSignals(True)
        self.year.addItem(_("Toutes"), None)
        for year in range(this_year + 1, this_year - 6, -1):
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(self.year.findData(this_year))
        self.year.blockSignals(False)

    def showEvent(self, event: QShowEvent) -> None:
        notices().announce()  # writes made outside a task meanwhile: heard now
        if self.stale:  # an invoice issued from the settlement section, say
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self.stale = False
        chosen = self.selected()
        year = self.year.currentData()

        def read() -> list[InvoiceSummary]:
            with self.db.session() as session:
                return list_invoices(session, year)

        rows = attempt(self, read) or []
        self.model.set_rows(rows)
        if chosen is not None:
            self.choose(chosen.reference, chosen.issuer)
        self._selected()

    def selected(self) -> InvoiceSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def choose(self, reference: str, issuer: str = "") -> None:
        """Select the row of ``reference`` (of ``issuer``: two issuers may share it)."""
        for row, invoice in enumerate(self.model.rows()):
            if invoice.reference == reference and issuer in ("", invoice.issuer):
                self.table.selectRow(row)
                return

    def _selected(self) -> None:
        chosen = self.selected()
        self.settle_controls()
        if chosen is None:
            year = self.year.currentText()
            hint = (
                _("Choisissez une facture dans la liste.")
                if self.model.rowCount()
                else _(
                    "Aucune facture ni avoir ({year}). « Nouvelle facture… » en émet une : elle "
                    "est numérotée à l'émission et ne se supprime jamais."
                ).format(year=year)
            )
            self.detail.setHtml(f"<p style='color:#5b6b7a'>{hint}</p>")
            return

        def read() -> InvoiceView:
            with self.db.session() as session:
                return view(session, chosen.reference, chosen.issuer)

        found = attempt(self, read)
        self.detail.setHtml(detail_html(found) if found else "")

    # -- new invoice and credit note ------------------------------------------------------
    def open_editor(self) -> InvoiceEditor:
        self.editor = InvoiceEditor(self.db, self)
        self.editor.issued.connect(self._issued)
        self.editor.open()
        return self.editor

    def _issued(self, issued: InvoiceView) -> None:
        self.year.setCurrentIndex(max(self.year.findData(issued.issued_on.year), 0))
        self.refresh()
        self.choose(issued.reference, issued.issuer.short_name)
        say(
            self.status,
            _("Facture {reference} émise : {total} TTC.").format(
                reference=issued.reference, total=euros(issued.total_incl_cents)
            ),
            "ok",
        )
        self.changed.emit()

    def ask_credit(self) -> CreditDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        self.credit_dialog = CreditDialog(self.db, chosen, self)
        self.credit_dialog.credited.connect(self._credited)
        self.credit_dialog.open()
        return self.credit_dialog

    def _credited(self, credit: InvoiceView) -> None:
        self.refresh()
        self.choose(credit.reference, credit.issuer.short_name)
        say(
            self.status,
            _("Avoir {reference} émis : il annule la facture {invoice}.").format(
                reference=credit.reference, invoice=credit.credited_reference
            ),
            "ok",
        )
        self.changed.emit()

    # -- PDF and Factur-X ---------------------------------------------------------------
    def ask_export(self, *, facturx: bool) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        offered = f"{chosen.reference}{'-facturx' if facturx else ''}.pdf"
        what = _("Facture Factur-X") if facturx else _("Facture en PDF")
        path = save_path(self, what, offered, _("PDF (*.pdf)"))
        if path:
            self.export(chosen.reference, path, facturx=facturx, issuer=chosen.issuer)

    def export(
        self, reference: str, path: Path, *, facturx: bool = False, issuer: str = ""
    ) -> None:
        db = self.db

        def work(_task: Task) -> Path:
            from regie.settlement.invoice_pdf import invoice_pdf  # reportlab: 0.2 s to import

            with db.session() as session:
                found = view(session, reference, issuer)
            return invoice_pdf(found, path, facturx=facturx)

        kind = "Factur-X" if facturx else "PDF"
        say(self.status, _("Export {kind} de {reference}…").format(kind=kind, reference=reference))
        self.run("invoice-pdf", work, lambda done: self._exported(done, kind))

    def _exported(self, path: Path, kind: str) -> None:
        said = _("{kind} enregistré : {file}").format(kind=kind, file=path)
        say(self.status, said, "ok")
        show_info(self, _("Facture exportée"), said)

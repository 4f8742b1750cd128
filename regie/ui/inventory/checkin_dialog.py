"""Check-in: pick the loan (or scan an item of it), say how each line came back, save.

Damaged and missing items open incidents by themselves (``loans.checkin``); the dialog
then shows which incidents were opened.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _, format_date, ngettext
from regie.inventory.incidents import KIND_LABELS, STATUS_LABELS, IncidentRow, list_incidents
from regie.inventory.loan_desk import OpenLoan, loan_holding, open_loans
from regie.inventory.loans import CheckinSummary, checkin
from regie.inventory.models import Condition
from regie.money import format_money
from regie.ui.inventory.checkin_model import CheckinLinesModel, ReturnDelegate
from regie.ui.inventory.messages import attempt, report_failure
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table

INCIDENT_COLUMNS: list[Column[IncidentRow]] = [
    Column(N_("N°"), lambda i: str(i.id), numeric=True),
    Column(N_("Type"), lambda i: _(KIND_LABELS[i.kind])),
    Column(N_("Élément"), lambda i: i.item if i.quantity == 1 else f"{i.quantity} × {i.item}"),
    Column(N_("État"), lambda i: _(STATUS_LABELS[i.status])),
    Column(N_("Coût"), lambda i: format_money(i.cost_cents), numeric=True),
    Column(N_("Description"), lambda i: i.description),
]


def describe_loan(loan: OpenLoan) -> str:
    where = f" — {loan.prestation}" if loan.prestation else ""
    return _("Prêt n°{loan_id} — {borrower}{where} — retour le {due_on}").format(
        loan_id=loan.loan_id,
        borrower=loan.borrower,
        where=where,
        due_on=format_date(loan.due_on, "short"),
    )


LOSS_COLOUR = "#b3261e"  # the outcome is green; what was lost or broken is not good news


def loss(text: str) -> str:
    return f'<span style="color:{LOSS_COLOUR}">{text}</span>'


def describe_result(summary: CheckinSummary) -> str:
    """The return in a few lines (rich text): what came back and how."""
    closed = ", ".join(_("n°{loan_id}").format(loan_id=n) for n in summary.closed_loans)
    returned = len(summary.returned)
    lines = [
        ngettext(
            "{returned} rentré en bon état", "{returned} rentrés en bon état", returned
        ).format(returned=returned)
    ]
    if summary.damaged:
        lines.append(
            loss(
                ngettext(
                    "abîmé, mis en quarantaine : {tags}",
                    "abîmés, mis en quarantaine : {tags}",
                    len(summary.damaged),
                ).format(tags=", ".join(summary.damaged))
            )
        )
    if summary.missing:
        lines.append(
            loss(
                ngettext("manquant : {tags}", "manquants : {tags}", len(summary.missing)).format(
                    tags=", ".join(summary.missing)
                )
            )
        )
    for name, out, back, lost in summary.lots:
        lines.append(
            _("{name} : {back} rendus sur {out}").format(name=name, back=back, out=out)
            + (loss(_(", {lost} perdus").format(lost=lost)) if lost else "")
        )
    head = _("Retour enregistré") + (
        _(" — prêt {closed} soldé").format(closed=closed) if closed else ""
    )
    return f"<p>{head}.</p><ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


class CheckinDialog(QDialog):
    returned = Signal(object)  # CheckinSummary

    def __init__(self, db: Database, loan_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("checkinDialog")
        self.setWindowTitle(_("Retour de matériel"))
        self.resize(860, 600)
        self.loans: list[OpenLoan] = []
        self.loan = QComboBox()
        self.loan.setObjectName("checkinLoan")
        self.scan = ScanField(_("Scanner un matériel rendu, puis Entrée"))
        self.scan.setObjectName("checkinScan")
        self.feedback = QLabel("")
        self.feedback.setObjectName("checkinFeedback")
        self.lines = CheckinLinesModel(self)
        self.view = make_table("checkinLines", self.lines, stretch=1, editable=True)
        self.view.setItemDelegate(ReturnDelegate(self.view))
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )

        self.condition_buttons: dict[Condition | None, QPushButton] = {}
        marks = QHBoxLayout()
        marks.addWidget(QLabel(_("Lignes choisies :")))
        for condition, label in (
            (Condition.OK, _("&Bon état")),
            (Condition.DAMAGED, _("&Abîmé")),
            (Condition.MISSING, _("&Manquant")),
            (None, _("Pas encore re&ndu")),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _c=False, value=condition: self.mark_selected(value))
            self.condition_buttons[condition] = button
            marks.addWidget(button)
        marks.addStretch(1)

        self.save = QPushButton(_("Enregistrer le &retour"))
        self.save.setObjectName("checkinSave")
        self.save.setDefault(True)
        close = QPushButton(_("Fermer"))
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        bottom.addWidget(self.save)

        top = QHBoxLayout()
        loan_label = QLabel(_("&Prêt :"))
        loan_label.setBuddy(self.loan)
        top.addWidget(loan_label)
        top.addWidget(self.loan, 2)
        top.addWidget(self.scan, 1)
        form = QWidget()
        layout = QVBoxLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.feedback)
        layout.addWidget(self.view, 1)
        layout.addLayout(marks)
        layout.addLayout(bottom)

        # Once saved, the dialog shows what happened: the return and the incidents it opened.
        self.outcome = QLabel("")
        self.outcome.setObjectName("checkinOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setStyleSheet("font-size: 14px; font-weight: bold; color: #0b6b2f;")
        self.incidents = RowsModel(INCIDENT_COLUMNS, parent=self)
        self.incident_view = make_table("checkinIncidents", self.incidents)
        self.incident_view.setSizeAdjustPolicy(QTableView.SizeAdjustPolicy.AdjustToContents)
        follow_up = QLabel(
            _("Réparation, coût et payeur de chaque incident : onglet Incidents de l'inventaire.")
        )
        follow_up.setStyleSheet("color: #5b6b7a;")
        self.incidents_title = QLabel(_("Incidents ouverts par ce retour"))
        self.incidents_title.setStyleSheet("font-weight: bold; margin-top: 8px;")
        self.another = QPushButton(_("&Autre retour"))
        self.another.setObjectName("checkinAnother")
        self.another.clicked.connect(self.next_return)
        self.done_close = done_close = QPushButton(_("Fermer"))
        done_close.clicked.connect(self.accept)
        done_buttons = QHBoxLayout()
        done_buttons.addStretch(1)
        done_buttons.addWidget(self.another)
        done_buttons.addWidget(done_close)
        done = QWidget()
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(self.outcome)
        done_layout.addWidget(self.incidents_title)
        done_layout.addWidget(self.incident_view)
        done_layout.addWidget(follow_up)
        done_layout.addStretch(1)
        done_layout.addLayout(done_buttons)

        self.pages = QStackedWidget()
        self.pages.addWidget(form)
        self.pages.addWidget(done)
        QVBoxLayout(self).addWidget(self.pages)

        self.loan.currentIndexChanged.connect(self._loan_chosen)
        self.scan.scanned.connect(self.scan_tag)
        self.save.clicked.connect(self.check_in)
        self.load_loans(loan_id)
        self.scan.setFocus()

    def next_return(self) -> None:
        self.pages.setCurrentIndex(0)
        self.save.setDefault(True)
        self.feedback.setText("")
        self.scan.setFocus()

    def load_loans(self, select: int | None = None) -> None:
        def load() -> list[OpenLoan]:
            with self.db.session() as session:
                return open_loans(session)

        self.loans = attempt(self, load) or []
        self.loan.blockSignals(True)
        self.loan.clear()
        for loan in self.loans:
            self.loan.addItem(describe_loan(loan), loan.loan_id)
        if not self.loans:
            self.loan.addItem(_("Aucun prêt en cours"), None)
        self.loan.setCurrentIndex(max(self.loan.findData(select), 0))
        self.loan.blockSignals(False)
        self._loan_chosen()

    def current_loan(self) -> OpenLoan | None:
        loan_id = self.loan.currentData()
        return next((loan for loan in self.loans if loan.loan_id == loan_id), None)

    def _loan_chosen(self) -> None:
        loan = self.current_loan()
        self.lines.set_lines(loan.lines if loan else [])
        self.save.setEnabled(loan is not None)

    def select_loan(self, loan_id: int) -> None:
        index = self.loan.findData(loan_id)
        if index >= 0 and index != self.loan.currentIndex():
            self.loan.setCurrentIndex(index)

    def scan_tag(self, text: str) -> None:
        try:
            with self.db.session() as session:
                loan_id = loan_holding(session, text)
        except UserError as error:
            self._say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        self.select_loan(loan_id)
        rows = self.lines.mark_scanned(text.strip().upper())
        if rows:
            self.view.selectRow(rows[-1])
        self._say(
            _("{tag} : rendu en bon état (prêt n°{loan_id})").format(
                tag=text.strip().upper(), loan_id=loan_id
            ),
            good=True,
        )

    def _say(self, text: str, good: bool) -> None:
        self.feedback.setText(text)
        colour = "#0b6b2f" if good else "#b3261e"
        self.feedback.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def mark_selected(self, condition: Condition | None) -> None:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        self.lines.set_condition(rows, condition)

    def check_in(self) -> None:
        loan = self.current_loan()
        if loan is None:
            return
        conditions, lots = self.lines.conditions(), self.lines.lots()

        def run() -> tuple[CheckinSummary, list[IncidentRow]]:
            with self.db.session() as session:
                summary = checkin(session, conditions, lots=lots, prestation_name=loan.prestation)
            with self.db.session() as session:
                opened = set(summary.incidents)
                return summary, [i for i in list_incidents(session) if i.id in opened]

        done = attempt(self, run)
        if done is None:
            return
        summary, incidents = done
        self.outcome.setText(describe_result(summary))
        self.incidents.set_rows(incidents)
        self.incidents_title.setText(
            _("Incidents ouverts par ce retour ({count})").format(count=len(incidents))
            if incidents
            else _("Aucun incident : tout est rentré en bon état.")
        )
        self.incident_view.setVisible(bool(incidents))
        self.returned.emit(summary)
        self.load_loans(loan.loan_id)
        self.another.setVisible(bool(self.loans))
        self.pages.setCurrentIndex(1)
        self.done_close.setDefault(True)  # Enter closes; the save button is out of sight
        self.done_close.setFocus()

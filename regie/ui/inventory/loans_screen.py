"""Loans: the ones still out, the overdue ones, and the doors to the wizard and the return."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from regie import clock
from regie.db import Database
from regie.i18n import N_, _, format_date
from regie.inventory.loan_desk import OpenLoan, open_loans
from regie.inventory.loans import LoanSummary, OverdueLoan, overdue
from regie.ui.inventory.checkin_dialog import CheckinDialog
from regie.ui.inventory.forms import assets_count
from regie.ui.inventory.loan_wizard import LoanWizard
from regie.ui.inventory.lot_report_dialog import LotReportDialog
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table

LATE = QColor("#b3261e")


def outstanding(loan: OpenLoan) -> str:
    assets = sum(1 for line in loan.lines if line.tag)
    parts = [assets_count(assets)] if assets else []
    parts += [f"{line.quantity_out} × {line.lot}" for line in loan.lines if line.lot]
    return ", ".join(parts)


OPEN_COLUMNS: list[Column[OpenLoan]] = [
    Column(N_("N°"), lambda loan: str(loan.loan_id), numeric=True),
    Column(N_("Emprunteur"), lambda loan: loan.borrower),
    Column(N_("Prestation"), lambda loan: loan.prestation or "—"),
    Column(N_("Sorti le"), lambda loan: format_date(loan.out_at, "short")),
    Column(N_("Retour prévu"), lambda loan: format_date(loan.due_on, "short")),
    Column(N_("Encore dehors"), outstanding),
]
OVERDUE_COLUMNS: list[Column[OverdueLoan]] = [
    Column(N_("N°"), lambda loan: str(loan.loan_id), numeric=True),
    Column(N_("Emprunteur"), lambda loan: loan.borrower),
    Column(N_("Prestation"), lambda loan: loan.prestation or "—"),
    Column(N_("Attendu le"), lambda loan: format_date(loan.due_on, "short")),
    Column(
        N_("Retard"), lambda loan: _("{days_late} j").format(days_late=loan.days_late), numeric=True
    ),
    Column(N_("Encore dehors"), lambda loan: ", ".join(loan.outstanding)),
]


class LoansScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.wizard: LoanWizard | None = None
        self.checkin_dialog: CheckinDialog | None = None
        self.lot_report: LotReportDialog | None = None
        new_loan = QPushButton(_("Nouve&lle sortie… (Ctrl+N)"))
        new_loan.setObjectName("newLoan")
        back = QPushButton(_("Retour de matériel… (Ctrl+R)"))
        back.setObjectName("checkinButton")
        lots = QPushButton(_("&Bilan des lots…"))
        lots.setObjectName("lotReportButton")
        lots.setToolTip(_("Cartes prêtées et rendues pour une prestation, les perdues chiffrées"))
        lots.clicked.connect(lambda: self.open_lot_report())
        new_loan.clicked.connect(self.open_wizard)
        back.clicked.connect(lambda: self.open_checkin())
        QShortcut(QKeySequence("Ctrl+N"), self, self.open_wizard)
        QShortcut(QKeySequence("Ctrl+R"), self, lambda: self.open_checkin())

        self.open_model: RowsModel[OpenLoan] = RowsModel(
            OPEN_COLUMNS, tone=lambda loan: LATE if loan.due_on < clock.today() else None
        )
        self.overdue_model: RowsModel[OverdueLoan] = RowsModel(OVERDUE_COLUMNS, tone=lambda _: LATE)
        self.open_view = make_table("openLoans", self.open_model)
        self.open_view.doubleClicked.connect(self._open_chosen)
        self.overdue_view = make_table("overdueLoans", self.overdue_model)
        self.overdue_view.doubleClicked.connect(self._overdue_chosen)
        self.open_title = QLabel(_("Prêts en cours"))
        self.overdue_title = QLabel(_("En retard"))
        for title in (self.open_title, self.overdue_title):
            title.setStyleSheet("font-weight: bold; font-size: 15px; margin-top: 6px;")

        buttons = QHBoxLayout()
        buttons.addWidget(new_loan)
        buttons.addWidget(back)
        buttons.addWidget(lots)
        buttons.addStretch(1)
        hint = QLabel(_("Double-cliquez un prêt pour enregistrer son retour."))
        hint.setStyleSheet("color: #5b6b7a;")
        buttons.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.open_title)
        layout.addWidget(self.open_view, 3)
        layout.addWidget(self.overdue_title)
        layout.addWidget(self.overdue_view, 2)
        self.refresh()

    def refresh(self) -> None:
        def load() -> tuple[list[OpenLoan], list[OverdueLoan]]:
            with self.db.session() as session:
                return open_loans(session), overdue(session, clock.today())

        found = attempt(self, load)
        if found is None:
            return
        loans, late = found
        self.open_model.set_rows(loans)
        self.overdue_model.set_rows(late)
        self.open_title.setText(_("Prêts en cours ({loans})").format(loans=len(loans)))
        self.overdue_title.setText(_("En retard ({late})").format(late=len(late)))

    def open_wizard(self) -> LoanWizard | None:
        wizard = attempt(self, lambda: LoanWizard(self.db, self))
        if wizard is None:
            return None
        wizard.loan_made.connect(self._loan_made)
        self.wizard = wizard
        wizard.open()
        return wizard

    def _loan_made(self, summary: LoanSummary) -> None:
        self.refresh()
        self.changed.emit()
        lots = ", ".join(f"{count} × {name}" for name, count in summary.lots)
        show_info(
            self,
            _("Sortie enregistrée"),
            _("Prêt n°{loan_id} à {borrower} : {assets}").format(
                loan_id=summary.loan_id,
                borrower=summary.borrower,
                assets=assets_count(len(summary.assets)),
            )
            + (f", {lots}" if lots else "")
            + _(", retour le {due_on}.").format(due_on=format_date(summary.due_on, "short")),
        )

    def open_checkin(self, loan_id: int | None = None) -> CheckinDialog:
        dialog = CheckinDialog(self.db, loan_id, self)
        dialog.returned.connect(self._returned)
        self.checkin_dialog = dialog
        dialog.open()
        return dialog

    def open_lot_report(self) -> LotReportDialog | None:
        dialog = attempt(self, lambda: LotReportDialog(self.db, self))
        if dialog is not None:
            self.lot_report = dialog
            dialog.open()
        return dialog

    def _returned(self, _summary: object) -> None:
        self.refresh()
        self.changed.emit()

    def _open_chosen(self, index: QModelIndex) -> None:
        self.open_checkin(self.open_model.row_at(index.row()).loan_id)

    def _overdue_chosen(self, index: QModelIndex) -> None:
        self.open_checkin(self.overdue_model.row_at(index.row()).loan_id)

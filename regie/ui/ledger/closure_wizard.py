"""The closure wizard: a point of sale or the event → its X → the cash count → the Z.

The X and the Z read the scope's transfers since its last Z (a whole festival for the
event): both run in a worker thread. The Z is final: the count page is the commit page,
and the last page says the Z's number and the cash difference, or why nothing was closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.ledger.browse import ZRow
from regie.ledger.closures import ZResult, close_z, is_event_scope
from regie.ledger.labels import amount, fingerprint, signed
from regie.money import MoneyFormatError, parse_cents
from regie.people.roles import Permission
from regie.ui.inventory.forms import french_wizard
from regie.ui.ledger.closure_pages import ScopePage, XPage
from regie.ui.ledger.ticket_printer import TicketPrinter
from regie.ui.notices import emit
from regie.ui.permissions import refusal
from regie.ui.tasks import Task


def difference_text(cents: int) -> str:
    if cents == 0:
        return _("aucun écart : la caisse est juste")
    if cents > 0:
        return _("{amount} (excédent)").format(amount=signed(cents))
    return _("{amount} (manque)").format(amount=signed(cents))


class CountPage(QWizardPage):
    """The cash counted in the drawer (typed in euros), compared with what it should hold."""

    def __init__(self, wizard: ClosureWizard) -> None:
        super().__init__()
        self.closure = wizard
        self.setTitle(_("Comptage de la caisse"))
        self.setCommitPage(True)
        self.expected = QLabel("")
        self.expected.setObjectName("closureExpected")
        self.expected.setWordWrap(True)
        self.counted = QLineEdit()
        self.counted.setObjectName("closureCounted")
        self.counted.setPlaceholderText(_("ex. 1 250,50 (vide : pas de comptage)"))
        self.difference = QLabel("")
        self.difference.setObjectName("closureDifference")
        warning = QLabel(
            _(
                "Un Z est définitif : il est numéroté, scellé dans la chaîne du journal, "
                "et ne peut être ni modifié ni supprimé."
            )
        )
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #8a4b00;")
        # An operator reads the X and sees the count; the Z itself is for a manager.
        self.refused = refusal(wizard.db, Permission.CLOSE_Z)
        self.refusal = QLabel(self.refused)
        self.refusal.setObjectName("closureRefused")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.refusal.setVisible(bool(self.refused))
        self.form = QFormLayout()
        self.form.addRow(_("Espèces c&omptées (€) :"), self.counted)  # Alt+C: « &Clôturer »
        self.form.addRow(_("Écart :"), self.difference)
        layout = QVBoxLayout(self)
        layout.addWidget(self.expected)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(warning)
        layout.addWidget(self.refusal)
        self.counted.textChanged.connect(self._typed)

    def by_pos(self) -> bool:
        return not is_event_scope(self.closure.scope_page.scope.currentData())

    def initializePage(self) -> None:
        preview = self.closure.x_page.preview
        assert preview is not None
        self.counted.clear()
        self.counted.setEnabled(self.by_pos())
        commit = self.closure.button(QWizard.WizardButton.CommitButton)
        commit.setToolTip(self.refused)
        if self.by_pos():
            self.setSubTitle(_("Comptez les espèces du tiroir et tapez le total."))
            self.expected.setText(
                _(
                    "Fond de caisse (compté au Z précédent) : {float}<br>"
                    "Espèces entrées : {cash_in} · sorties : {cash_out}<br>"
                    "<b>Attendu dans le tiroir : {expected}</b>"
                ).format(
                    float=amount(preview.cash_float),
                    cash_in=amount(preview.figures.cash_in),
                    cash_out=amount(preview.figures.cash_out),
                    expected=amount(preview.cash_expected),
                )
            )
        else:
            self.setSubTitle(_("Le Z de l'événement reprend tous les points de vente."))
            self.expected.setText(
                _("Le comptage de caisse se fait par point de vente : ce Z n'en a pas.")
            )
        self._typed()

    def cash_counted(self) -> int | None:
        """The count in cents, None when nothing is typed; MoneyFormatError when unreadable."""
        text = self.counted.text().strip()
        if not text or not self.by_pos():
            return None
        cents = parse_cents(text)
        if cents < 0:
            raise MoneyFormatError(_("un comptage de caisse ne peut pas être négatif"))
        return cents

    def _typed(self) -> None:
        preview = self.closure.x_page.preview
        try:
            counted = self.cash_counted()
        except MoneyFormatError as error:
            self.difference.setText(str(error))
            self.difference.setStyleSheet("color: #b3261e;")
        else:
            if counted is None or preview is None:
                self.difference.setText("—")
                self.difference.setStyleSheet("")
            else:
                gap = counted - preview.cash_expected
                self.difference.setText(difference_text(gap))
                self.difference.setStyleSheet(
                    f"font-weight: bold; color: {'#0b6b2f' if gap == 0 else '#b3261e'};"
                )
        emit(self.completeChanged)

    def isComplete(self) -> bool:
        if self.refused:
            return False
        try:
            self.cash_counted()
        except MoneyFormatError:
            return False
        return True


class ResultPage(QWizardPage):
    def __init__(self, wizard: ClosureWizard) -> None:
        super().__init__()
        self.closure = wizard
        self.setTitle(_("Clôture Z"))
        self.setSubTitle(_("Le Z est numéroté et scellé dans la chaîne du journal."))
        self.result: ZResult | None = None
        self.text = QLabel("")
        self.text.setObjectName("closureResult")
        self.text.setWordWrap(True)
        self.ticket = TicketPrinter(wizard.db, self.number, self)
        self.ticket.setVisible(False)  # once the Z is made
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addWidget(self.ticket)

    def number(self) -> int | None:
        """The Z just made (None until it is)."""
        return None if self.result is None else self.result.number

    def initializePage(self) -> None:
        page = self.closure.scope_page
        scope, period = page.scope.currentData(), page.period.currentData()
        counted = self.closure.count_page.cash_counted()
        self.text.setText(_("Clôture en cours…"))

        def close(db: Database) -> ZResult:
            with db.session() as session:
                return close_z(session, scope, period=period, cash_counted=counted)

        self.closure.run("closure-z", close, self._closed)

    def _closed(self, result: ZResult | Exception) -> None:
        if isinstance(result, Exception):
            reason = str(result) if isinstance(result, UserError) else _("erreur inattendue")
            self.text.setText(
                _("<b>Le Z n'a pas été fait</b> : {reason}. Rien n'a été écrit.").format(
                    reason=reason
                )
            )
            self.text.setStyleSheet("color: #b3261e; font-size: 15px;")
            emit(self.completeChanged)
            return
        self.result = result
        scope = self.closure.scope_page.scope.currentText()
        lines = [
            _("<b>Z n°{number}</b> enregistré : {scope}").format(number=result.number, scope=scope),
            _("Ventes nettes : {sales} · total cumulé : {total}").format(
                sales=amount(result.figures.sales_total), total=amount(result.grand_total)
            ),
        ]
        if result.cash_difference is not None:
            lines += [
                _("Espèces attendues : {expected} · comptées : {counted}").format(
                    expected=amount(result.cash_expected), counted=amount(result.cash_counted or 0)
                ),
                _("<b>Écart : {difference}</b>").format(
                    difference=difference_text(result.cash_difference)
                )
                + (
                    _(" — inscrit au compte des écarts de caisse.")
                    if result.cash_difference
                    else ""
                ),
            ]
        lines.append(
            _("Tête de chaîne : {head} · signé par la clé {key}").format(
                head=fingerprint(result.chain_head), key=result.key
            )
        )
        self.text.setText("<br>".join(lines))
        self.text.setStyleSheet("font-size: 15px;")
        self.ticket.setVisible(True)
        emit(self.completeChanged)
        emit(self.closure.closed, result)

    def isComplete(self) -> bool:
        return not self.text.text().endswith("…")


class ClosureWizard(QWizard):
    closed = Signal(object)  # the ZResult

    def __init__(
        self,
        db: Database,
        points_of_sale: list[str],
        past: list[ZRow],
        parent: QWidget | None = None,
        *,
        events: tuple[str, ...] = (),
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("closureWizard")
        self.setWindowTitle(_("Clôture de caisse"))
        self.resize(760, 560)
        french_wizard(self, _("&Clôturer (Z définitif)"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Fermer"))
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # the Z is made
        self.scope_page = ScopePage(points_of_sale, past, events)
        self.x_page = XPage(scope=self.scope_page.scope, run=self.run)
        self.count_page = CountPage(self)
        self.result_page = ResultPage(self)
        for page in (self.scope_page, self.x_page, self.count_page, self.result_page):
            self.addPage(page)
        self.tasks: list[Task] = []

    def run(self, name: str, work: Callable[[Database], Any], done: Callable[[Any], None]) -> None:
        """Run ``work(db)`` in a worker; ``done`` gets its result, or the exception."""
        task = Task(name, lambda _task: work(self.db), self)
        task.succeeded.connect(done)
        task.failed.connect(done)
        self.tasks.append(task)
        task.start()

    @property
    def busy(self) -> bool:
        return any(task.running for task in self.tasks)

"""Remboursements: leftover balances back to the cardholders' Stripe payments.

The preview comes first (totals, cards left for the desk); the run is confirmed, then sent
item by item in a worker with a progress bar and a pause. A run interrupted by a crash, an
outage or a pause is offered for resume: the core never refunds an item twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _
from regie.ledger.desk import RefundRules
from regie.people.roles import Permission
from regie.settlement import counts
from regie.settlement.refund_plan import RefundPreview, event_preview, rules_for
from regie.settlement.refunds import RunResult, open_run, plan_run, run_lines, run_refunds
from regie.stripe_key import require_stripe_key
from regie.ui.inventory.messages import confirm
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.permissions import guard
from regie.ui.settlement.screen import Screen, failure_text, say, status_line
from regie.ui.settlement.words import ITEM_STATES, euros, moment
from regie.ui.tasks import Task


@dataclass(frozen=True)
class RefundRow:
    card: str
    payment_intent: str
    amount: int
    fee: int
    state: str  # "" in a preview
    refund_id: str = ""


PREVIEWED = N_("aperçu")  # the state of a row in a preview, before any run
COLUMNS: list[Column[RefundRow]] = [
    Column(N_("Carte"), lambda r: r.card),
    Column(N_("Paiement Stripe"), lambda r: r.payment_intent),
    Column(N_("Rendu"), lambda r: euros(r.amount), numeric=True),
    Column(N_("Frais"), lambda r: euros(r.fee), numeric=True),
    Column(N_("État"), lambda r: _(ITEM_STATES.get(r.state, PREVIEWED))),
    Column(N_("Remboursement Stripe"), lambda r: r.refund_id or "—"),
]
TONES = {"reserved": QColor("#a35a00"), "failed": QColor("#b3261e"), "done": QColor("#0b6b2f")}


@dataclass(frozen=True)
class OpenRun:
    number: int
    rows: list[RefundRow]


@dataclass(frozen=True)
class Reading:
    rules: RefundRules
    open: OpenRun | None  # a run interrupted, to resume
    planned: RefundPreview
    finished: OpenRun | None  # the run just sent


def rules_text(rules: RefundRules) -> str:
    window = ""
    if rules.opens:
        state = _("ouverte") if rules.open_at(clock.now()) else _("fermée")
        window = _(" · période du {start} au {end} : {state}").format(
            start=moment(rules.opens), end=moment(rules.closes), state=state
        )
    return _(
        "Règles : remboursement minimal {minimum}, frais déduits · frais {fee} par carte{window}."
    ).format(minimum=euros(rules.minimum_cents), fee=euros(rules.fee_cents), window=window)


def left_at_desk(planned: RefundPreview) -> str:
    """What stays for the desk, each figure named: the minimum is the rule's (a refund, fee
    deducted), the total is the balances of those cards (never read as « the minimum »)."""
    return _(
        "Laissé au bureau : {cards} dont le remboursement, frais de {fee} déduits, serait sous "
        "le minimum de {minimum} ({below} de soldes en tout) · rechargé autrement que par "
        "carte bancaire : {other}."
    ).format(
        cards=counts.cards(planned.below_minimum),
        fee=euros(planned.rules.fee_cents),
        minimum=euros(planned.rules.minimum_cents),
        below=euros(planned.below_minimum_cents),
        other=euros(planned.not_by_card_cents),
    )


def read_run(db: Database, number: int | None) -> OpenRun | None:
    if number is None:
        return None
    with db.session() as session:
        lines = run_lines(session, number)
    return OpenRun(
        number,
        [
            RefundRow(
                line.card, line.payment_intent, line.amount, line.fee, line.state, line.refund_id
            )
            for line in lines
        ],
    )


class RefundsScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.planned: RefundPreview | None = None
        self.open: OpenRun | None = None
        self.finished_run: int | None = None  # the run just sent, shown until a new preview
        self._offset = 0  # items of the run settled before this sending
        self.rules = status_line("refundRules")
        self.preview_button = QPushButton(_("Ap&erçu"))
        self.preview_button.setObjectName("refundPreview")
        self.run_button = QPushButton(_("&Lancer les remboursements…"))
        self.run_button.setObjectName("refundRun")
        self.resume_button = QPushButton(_("Repr&endre la série"))
        self.resume_button.setObjectName("refundResume")
        self.pause_button = QPushButton(_("Mettre e&n pause"))
        self.pause_button.setObjectName("refundPause")
        self.may_refund = guard(self.run_button, db, Permission.REFUND)
        guard(self.resume_button, db, Permission.REFUND)
        self.progress = QProgressBar()
        self.progress.setObjectName("refundProgress")
        self.progress.setFormat(_("%v / %m"))
        self.progress.hide()  # until a run is sent or waits to be resumed
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.run_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.pause_button)
        self.banner = status_line("refundBanner")
        self.summary = status_line("refundSummary")
        self.outcome = status_line("refundOutcome")
        self.model: RowsModel[RefundRow] = RowsModel(
            COLUMNS, tone=lambda r: TONES.get(r.state), parent=self
        )
        self.table = make_table("refundTable", self.model, stretch=5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.rules)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        layout.addWidget(self.outcome)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room while there is nothing to list
        self.preview_button.clicked.connect(self.show_preview)
        self.run_button.clicked.connect(self.ask_run)
        self.resume_button.clicked.connect(self.resume)
        self.pause_button.clicked.connect(self.pause)
        self.settle_controls()

    def controls(self) -> list[QWidget]:
        return [self.preview_button, self.run_button, self.resume_button]

    def settle_controls(self) -> None:
        self.pause_button.setEnabled(False)
        self.pause_button.hide()  # shown while a run is being sent
        if self.busy:
            return
        self.resume_button.setVisible(self.open is not None)
        self.resume_button.setEnabled(self.may_refund)
        self.run_button.setEnabled(
            self.may_refund
            and self.open is None
            and bool(self.planned and self.planned.items and self.planned.open_now)
        )
        if self.open is not None:
            self.resume_button.setText(
                _("Repr&endre la série n°{number}").format(number=self.open.number)
            )

    # -- the rules, an interrupted run, the preview --------------------------------------
    def refresh(self) -> None:
        db, event, finished = self.db, self.prestation or None, self.finished_run

        def read(_task: Task) -> Reading:
            with db.session() as session:
                number = open_run(session)
                planned = event_preview(session, event)  # the cards of that event
            return Reading(planned.rules, read_run(db, number), planned, read_run(db, finished))

        say(self.summary, _("Lecture des soldes…"))
        self.run("refund-read", read, self._read)

    def show_preview(self) -> None:
        self.finished_run = None
        self.progress.hide()
        say(self.outcome, "")
        self.refresh()

    def _read(self, reading: Reading) -> None:
        self.open, self.planned = reading.open, reading.planned
        say(self.rules, rules_text(reading.rules), "plain", bold=False)
        say(self.banner, "")
        self._show_preview(reading.planned)
        if self.open is not None:
            # The run's planned amounts are still on the cards: a preview now would count
            # them again. The run is what there is to do.
            say(self.summary, "")
            self._show_run(self.open)
        elif reading.finished is not None:  # the run just sent, with Stripe's refund ids
            self.model.set_rows(reading.finished.rows)
        self.table.setVisible(self.model.rowCount() > 0)
        self.settle_controls()

    def _show_preview(self, planned: RefundPreview) -> None:
        self.model.set_rows(
            [RefundRow(i.card, i.payment_intent, i.amount, i.fee, "") for i in planned.items]
        )
        text = (
            _("Aperçu : {cards}, {refunds}, {amount} rendus, frais {fees}.").format(
                cards=counts.cards(planned.cards),
                refunds=counts.stripe_refunds(len(planned.items)),
                amount=euros(planned.refund_cents),
                fees=euros(planned.fee_cents),
            )
            if planned.items
            else _("Aucun solde à rembourser par carte bancaire.")
        )
        text += "\n" + left_at_desk(planned)
        if not planned.open_now:
            text += "\n" + _("La période de remboursement n'est pas ouverte : rien ne peut partir.")
        say(self.summary, text, "warn" if not planned.open_now else "plain", bold=False)

    def _show_run(self, found: OpenRun) -> None:
        self.model.set_rows(found.rows)
        states = {state: sum(1 for r in found.rows if r.state == state) for state in ITEM_STATES}
        say(
            self.banner,
            _(
                "Série n°{number} interrompue : {done}, {reserved} en suspens, {planned} à "
                "envoyer, {failed}. Reprenez-la : un remboursement déjà parti chez Stripe n'est "
                "jamais renvoyé."
            ).format(
                number=found.number,
                done=counts.refunded(states["done"]),
                reserved=states["reserved"],
                planned=states["planned"],
                failed=counts.refused(states["failed"]),
            ),
            "warn",
        )
        self.progress.setRange(0, len(found.rows))
        self.progress.setValue(states["done"] + states["failed"])
        self.progress.show()

    # -- sending -------------------------------------------------------------------------
    def ask_run(self) -> None:
        planned = self.planned
        if planned is None or not planned.items:
            return
        confirm(
            self,
            _("Rembourser les soldes"),
            _(
                "Envoyer {refunds} à {cards}, {amount} en tout ? "
                "L'argent part vers les cartes bancaires des porteurs."
            ).format(
                refunds=counts.stripe_refunds(len(planned.items)),
                cards=counts.cards(planned.cards),
                amount=euros(planned.refund_cents),
            ),
            _("&Rembourser"),
            self.start_run,
            destructive=True,
        )

    def start_run(self) -> None:
        db, event = self.db, self.prestation

        def work(task: Task) -> RunResult:
            key = require_stripe_key()
            with db.session() as session:
                rules = rules_for(session, event or None)
                if not rules.open_at(clock.now()):
                    raise UserError(
                        _("hors de la période de remboursement (du {start} au {end})").format(
                            start=moment(rules.opens), end=moment(rules.closes)
                        )
                    )
                number = plan_run(session, event_preview(session, event or None), event)
            return run_refunds(db, number, key, task.report)

        self._offset = 0
        self._send("refund-run", work)

    def resume(self) -> None:
        if self.open is None:
            return
        db, number = self.db, self.open.number
        # The bar counts the whole run: the items already settled, then those sent now.
        self._offset = sum(1 for row in self.open.rows if row.state in ("done", "failed"))

        def work(task: Task) -> RunResult:
            return run_refunds(db, number, require_stripe_key(), task.report)

        self._send("refund-resume", work)

    def _send(self, name: str, work: Callable[[Task], RunResult]) -> None:
        self.progress.setValue(self._offset)
        self.progress.show()
        say(self.outcome, _("Remboursements en cours…"))
        if self.run(
            name,
            work,
            self._sent,
            progress=self._progressed,
            failed=self._send_failed,
        ):
            self.pause_button.setEnabled(True)
            self.pause_button.show()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, self._offset + total)
        self.progress.setValue(self._offset + done)

    def pause(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.pause_button.setEnabled(False)
            say(self.outcome, _("Pause demandée : le remboursement en cours se termine…"))

    def _sent(self, result: RunResult) -> None:
        text = (
            _("Série n°{number} en pause : {done} ({amount}, frais {fees}), {failed}, {remaining}.")
            if result.paused
            else _(
                "Série n°{number} terminée : {done} ({amount}, frais {fees}), {failed}, "
                "{remaining}."
            )
        ).format(
            number=result.run_id,
            done=counts.refunds(result.done),
            amount=euros(result.refunded_cents),
            fees=euros(result.fees_cents),
            failed=counts.refused(result.failed),
            remaining=counts.remaining(result.remaining),
        )
        self.finished_run = result.run_id
        say(self.outcome, text, "ok" if not result.remaining and not result.failed else "warn")
        self.changed.emit()
        self.refresh()

    def _send_failed(self, error: BaseException) -> None:
        say(
            self.outcome,
            failure_text(error)
            + "\n"
            + _("Rien n'est perdu : une série commencée reprend où elle s'est arrêtée."),
            "error",
        )
        self.refresh()

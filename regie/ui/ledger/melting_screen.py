"""Melting currency (monnaie fondante): the cards untouched for N months, then the sweep.

The preview comes first and the sweep needs a confirmation: it takes the money off the
cards for good (to the ``melted`` account), in one audited operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _, format_date, local_time, ngettext
from regie.ledger.labels import account_label, amount
from regie.ledger.melting import Dormant, months_in_force, preview, sweep
from regie.people.roles import Permission
from regie.ui.inventory.messages import confirm, report_failure, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.notices import emit
from regie.ui.permissions import refusal
from regie.ui.tasks import Task


def holdings(balances: dict[str, int]) -> str:
    return " · ".join(amount(cents, code) for code, cents in balances.items())


DORMANT_COLUMNS: list[Column[Dormant]] = [
    Column(N_("Carte"), lambda d: account_label(d.wallet)),
    Column(
        N_("Dernier mouvement"), lambda d: format_date(local_time(d.last_activity).date(), "short")
    ),
    Column(N_("Solde à fondre"), lambda d: holdings(d.balances), numeric=True),
]


def totals_of(dormant: list[Dormant]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for wallet in dormant:
        for code, cents in wallet.balances.items():
            totals[code] = totals.get(code, 0) + cents
    return totals


class MeltingScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.dormant: list[Dormant] = []
        self.months = QSpinBox()
        self.months.setObjectName("meltMonths")
        self.months.setRange(1, 120)
        with db.session() as session:  # the convention's setting: one small read
            self.months.setValue(months_in_force(session))
        self.months.setSuffix(_(" mois"))
        self.preview_button = QPushButton(_("Ap&erçu"))
        self.preview_button.setObjectName("meltPreview")
        self.melt_button = QPushButton(_("Fo&ndre…"))
        self.melt_button.setObjectName("meltApply")
        self.melt_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Cartes sans aucun mouvement depuis :")))
        top.addWidget(self.months)
        top.addWidget(self.preview_button)
        top.addStretch(1)
        top.addWidget(self.melt_button)
        self.summary = QLabel("")
        self.summary.setObjectName("meltSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold; padding: 4px 0;")
        self.model = RowsModel(DORMANT_COLUMNS, parent=self)
        self.table = make_table("meltTable", self.model, stretch=0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._task: Task | None = None
        self._again = False  # a refresh was asked during a task
        self._melt_next = False  # the sweep was confirmed during a task
        self.preview_button.clicked.connect(self.refresh)
        self.months.valueChanged.connect(self._months_changed)
        self.melt_button.clicked.connect(self.ask_melt)
        self.refresh()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _run(self, name: str, work: Callable[[int], Any], done: Callable[[Any], None]) -> None:
        months = self.months.value()

        def run(_task: Task) -> Any:
            return work(months)

        self._task = Task(name, run, self)
        self._task.succeeded.connect(done)
        self._task.failed.connect(self._failed)
        self._task.finished.connect(self._finished)
        for widget in (self.preview_button, self.melt_button, self.months):
            widget.setEnabled(False)
        self._task.start()

    def _finished(self) -> None:
        self._task = None
        self.preview_button.setEnabled(True)
        self.months.setEnabled(True)
        why = refusal(self.db, Permission.MELT)  # read again: someone may have logged in
        self.melt_button.setEnabled(bool(self.dormant) and not why)
        self.melt_button.setToolTip(why)
        if self._melt_next:
            self._melt_next = False
            self.melt()
        elif self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: Exception) -> None:
        self.summary.setText("")
        report_failure(self, error)

    def _months_changed(self) -> None:
        self.dormant = []  # a preview for another duration: the sweep waits for a new one
        self.model.set_rows([])
        self.melt_button.setEnabled(False)
        self.summary.setText(_("Changez la durée puis demandez l'aperçu."))

    def refresh(self) -> None:
        if self.busy:  # one reading at a time, in order: this one when the other is done
            self._again = True
            return

        def read(months: int) -> list[Dormant]:
            with self.db.session() as session:
                return preview(session, months)

        self.summary.setText(_("Recherche des cartes dormantes…"))
        self._run("melt-preview", read, self._previewed)

    def _previewed(self, dormant: list[Dormant]) -> None:
        self.dormant = dormant
        self.model.set_rows(dormant)
        if not dormant:
            self.summary.setText(
                _(
                    "Aucune carte avec un solde n'est restée {months} mois sans mouvement : "
                    "rien à fondre."
                ).format(months=self.months.value())
            )
            return
        totals = holdings(totals_of(dormant))
        self.summary.setText(
            ngettext(
                "{count} carte dormante depuis {months} mois : {totals} à fondre.",
                "{count} cartes dormantes depuis {months} mois : {totals} à fondre.",
                len(dormant),
            ).format(count=len(dormant), months=self.months.value(), totals=totals)
        )

    def ask_melt(self) -> None:
        if not self.dormant:
            return
        totals = holdings(totals_of(self.dormant))
        confirm(
            self,
            _("Fondre les soldes dormants"),
            ngettext(
                "Fondre {count} carte sans mouvement depuis {months} mois ? {totals} quittent "
                "définitivement cette carte pour le compte de la monnaie fondue. Cette opération "
                "ne s'annule pas.",
                "Fondre {count} cartes sans mouvement depuis {months} mois ? {totals} quittent "
                "définitivement ces cartes pour le compte de la monnaie fondue. Cette opération "
                "ne s'annule pas.",
                len(self.dormant),
            ).format(count=len(self.dormant), months=self.months.value(), totals=totals),
            _("&Fondre"),
            self.melt,
            destructive=True,
        )

    def melt(self) -> None:
        if self.busy:  # a preview started while the question was open: melt after it
            self._melt_next = True
            return

        def run(months: int) -> dict[str, int]:
            with self.db.session() as session:
                return sweep(session, months)

        self.summary.setText(_("Fonte en cours…"))
        self._run("melt-sweep", run, self._melted)

    def _melted(self, melted: dict[str, int]) -> None:
        self.dormant = []
        self.model.set_rows([])
        text = holdings(melted) or _("rien")
        self.summary.setText(
            ngettext(
                "Fonte faite : {amounts} passé au compte de la monnaie fondue.",
                "Fonte faite : {amounts} passés au compte de la monnaie fondue.",
                len(melted),
            ).format(amounts=text)
        )
        show_info(
            self,
            _("Fonte faite"),
            ngettext("{amounts} fondu.", "{amounts} fondus.", len(melted)).format(amounts=text),
        )
        emit(self.changed)

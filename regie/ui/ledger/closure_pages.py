"""The closure wizard's first steps: what to close (a point of sale or the event, a period),
then its X, read in a worker thread (the event's X reads the whole festival)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWizardPage

from regie.db import Database
from regie.i18n import N_, _, format_date, local_time
from regie.ledger.browse import ZPreview, ZRow, z_preview
from regie.ledger.closures import EVENT, PERIODS, event_scope
from regie.ledger.labels import (
    amount,
    method_label,
    op_label,
    period_label,
    scope_label,
    vat_rate,
)
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.notices import emit

# How a page has work done off the GUI thread: run(name, work(db), done(result or error)).
RunInWorker = Callable[[str, Callable[[Database], Any], Callable[[Any], None]], None]

FigureRow = tuple[str, str, str, int, int]  # op, method, asset, count, amount
FIGURE_COLUMNS: list[Column[FigureRow]] = [
    Column(N_("Opération"), lambda r: op_label(r[0])),
    Column(N_("Moyen"), lambda r: method_label(r[1])),
    Column(N_("Actif"), lambda r: r[2]),
    Column(N_("Transferts"), lambda r: str(r[3]), numeric=True),
    Column(N_("Montant"), lambda r: amount(r[4], r[2]), numeric=True),
]


def last_z_text(row: ZRow | None) -> str:
    if row is None:
        return _("Aucun Z pour cette portée : le premier reprendra tout le journal.")
    counted = (
        _("non comptées")
        if row.cash_counted is None
        else _("comptées {amount}").format(amount=amount(row.cash_counted))
    )
    closed = local_time(row.closed_at)
    return _(
        "Dernier Z de cette portée : n°{number} du {day} à {time} ({period}, transferts "
        "{first} à {last}) ; ventes nettes {sales}, espèces {counted}."
    ).format(
        number=row.number,
        day=format_date(closed.date(), "short"),
        time=f"{closed:%H:%M}",
        period=period_label(row.period).lower(),
        first=row.first_transfer_id,
        last=row.last_transfer_id,
        sales=amount(row.sales_total),
        counted=counted,
    )


class ScopePage(QWizardPage):
    def __init__(
        self, points_of_sale: list[str], past: list[ZRow], events: tuple[str, ...] = ()
    ) -> None:
        super().__init__()
        self.setTitle(_("Que clôturer ?"))
        self.setSubTitle(_("Un point de vente (une session, une journée) ou tout l'événement."))
        self.scope = QComboBox()
        self.scope.setObjectName("closureScope")
        for name in points_of_sale:
            self.scope.addItem(name, f"pos:{name}")
        for event in events:  # the transfers attributed to that event only
            self.scope.addItem(scope_label(event_scope(event)), event_scope(event))
        self.scope.addItem(_("Tout l'événement"), EVENT)
        self.period = QComboBox()
        self.period.setObjectName("closurePeriod")
        for period in PERIODS:
            self.period.addItem(period_label(period), period)
        self.last = QLabel("")
        self.last.setObjectName("closureLastZ")
        self.last.setWordWrap(True)
        self.last.setStyleSheet("color: #33414f; padding-top: 12px;")
        form = QFormLayout(self)
        form.addRow(_("Por&tée :"), self.scope)
        form.addRow(_("Pé&riode :"), self.period)
        form.addRow(self.last)
        self._last_z: dict[str, ZRow] = {}
        for row in reversed(past):  # the newest last: it wins
            self._last_z[row.scope] = row
        self.scope.currentIndexChanged.connect(self._scope_chosen)
        self._scope_chosen()

    def _scope_chosen(self) -> None:
        self.last.setText(last_z_text(self._last_z.get(self.scope.currentData())))


class XPage(QWizardPage):
    """The X of the scope: what the Z will close, read in a worker."""

    def __init__(self, *, scope: QComboBox, run: RunInWorker) -> None:
        """``scope``: the first page's choice; ``run``: the wizard's worker."""
        super().__init__()
        self.scope, self.run = scope, run
        self.setTitle(_("Lecture X"))
        self.preview: ZPreview | None = None
        self.state = QLabel("")
        self.state.setObjectName("closureXState")
        self.state.setWordWrap(True)
        self.figures = RowsModel(FIGURE_COLUMNS, parent=self)
        table = make_table("closureFigures", self.figures, stretch=0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(table, 1)

    def initializePage(self) -> None:
        scope = self.scope
        self.setSubTitle(
            _("{scope} : les opérations depuis le dernier Z.").format(scope=scope.currentText())
        )
        self.preview = None
        self.figures.set_rows([])
        self.state.setText(_("Lecture des opérations…"))
        emit(self.completeChanged)
        self.run("closure-x", lambda db: z_preview_of(db, scope.currentData()), self._read)

    def _read(self, preview: ZPreview | Exception) -> None:
        if isinstance(preview, Exception):
            self.state.setText(_("Lecture impossible : {reason}").format(reason=preview))
            return
        self.preview = preview
        figures = preview.figures
        rows = []
        for key, cents in sorted(figures.totals.items()):
            op, method, asset = key.split("/")
            rows.append((op, method, asset, figures.counts.get(key, 0), cents))
        self.figures.set_rows(rows)
        vat = " · ".join(
            _("TVA {rate} : {amount}").format(rate=vat_rate(int(rate)), amount=amount(cents))
            for rate, cents in sorted(figures.vat.items(), key=lambda item: int(item[0]))
        )
        span = (
            _("transferts n°{first} à n°{last}").format(
                first=figures.first_transfer_id, last=figures.last_transfer_id
            )
            if figures.last_transfer_id >= figures.first_transfer_id
            else _("aucun transfert depuis le dernier Z")
        )
        self.state.setText(
            _("<b>Ventes nettes : {sales}</b> ({span})").format(
                sales=amount(figures.sales_total), span=span
            )
            + ("<br>" + _("Ventes TTC par taux : {rates}").format(rates=vat) if vat else "")
        )
        emit(self.completeChanged)

    def isComplete(self) -> bool:
        return self.preview is not None


def z_preview_of(db: Database, scope: str) -> ZPreview:
    with db.session() as session:
        return z_preview(session, scope)

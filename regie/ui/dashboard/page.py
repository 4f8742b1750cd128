"""The dashboard (Tableau de bord), Régie's home screen.

Its figures come from one snapshot (:func:`regie.dashboard.snapshot`) read in a thread each
time the page is shown: the day's top-ups scan the day's transfers, too long on a million of
them to read on the GUI thread. Until the first snapshot arrives the tiles say « … ». The
card-reader alert is live: it follows the device manager's events, as the status bar does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.readers import ReaderEvent
from regie.i18n import _, format_date, format_datetime, format_money, format_number, ngettext
from regie.ui.dashboard import alerts as alert_list
from regie.ui.dashboard.day_chart import DayChart
from regie.ui.dashboard.tiles import STYLE as TILE_STYLE
from regie.ui.dashboard.tiles import Tile
from regie.ui.tasks import Task

if TYPE_CHECKING:  # the figures' module loads in the reading thread: the window opens first
    from regie.dashboard import Snapshot

log = logging.getLogger(__name__)
TERMINALS_SHOWN = 2


class DashboardPage(QWidget):
    section_requested = Signal(str)  # the main window opens that section
    loaded = Signal()  # a snapshot was shown (tests wait for it)

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.devices = devices
        self.snapshot: Snapshot | None = None
        self.task: Task | None = None
        self._again = False
        self.setStyleSheet(TILE_STYLE + alert_list.STYLE)

        title = QLabel(_("Tableau de bord"))
        title.setObjectName("pageTitle")
        self.subtitle = QLabel(_("Chargement des chiffres…"))
        self.subtitle.setObjectName("pageSummary")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.subtitle)

        self.prestation = Tile("prestation", _("Prestation"))
        self.sales = Tile("sales", _("Ventes du jour"))
        self.topups = Tile("topups", _("Recharges du jour"))
        self.equipment = Tile("equipment", _("Matériel sorti"))
        self.cards = Tile("cards", _("Cartes utilisées"))
        self.closure = Tile("closure", _("Dernière clôture Z"))
        self.terminals = Tile("terminals", _("Terminaux"))
        self.chart_tile = Tile("chart", _("Ventes et recharges par heure"))
        self.chart = DayChart()
        self.chart_tile.value.hide()
        self.chart_tile.body.insertWidget(3, self.chart, 1)
        self.alerts = alert_list.AlertList()
        self.alerts.section_requested.connect(self.section_requested)

        # Alerts first, across the page: what to do is read before the figures.
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.alerts, 0, 0, 1, 4)
        grid.addWidget(self.prestation, 1, 0)
        grid.addWidget(self.sales, 1, 1)
        grid.addWidget(self.topups, 1, 2)
        grid.addWidget(self.closure, 1, 3)
        grid.addWidget(self.chart_tile, 2, 0, 3, 3)
        grid.addWidget(self.equipment, 2, 3)
        grid.addWidget(self.cards, 3, 3)
        grid.addWidget(self.terminals, 4, 3)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(4, 1)

        content = QWidget()
        content.setObjectName("dashContent")
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 8, 0)
        inner.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 16, 8)
        layout.addLayout(heading)
        layout.addWidget(scroll, 1)

        self._unsubscribe = devices.subscribe(self._on_reader_event)
        self.destroyed.connect(lambda _o=None, off=self._unsubscribe: _quietly(off))
        self._show_alerts()

    # -- loading ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Read the figures again, in a thread; one reading at a time."""
        if self.task is not None and self.task.running:
            self._again = True
            return
        db = self.db

        def work(_task: Task) -> Snapshot:
            from regie.dashboard import snapshot  # every model: 0.1 s, in this thread

            with db.session() as session:
                return snapshot(session)

        self.task = Task("dashboard", work, self, responsive=False)
        self.task.succeeded.connect(self._show)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(self._read_again)
        self.task.start()

    def _read_again(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: Any) -> None:
        log.error("tableau de bord : %s", error, exc_info=error)
        self.subtitle.setText(_("Chiffres indisponibles : {error}").format(error=error))

    def _on_reader_event(self, _event: ReaderEvent) -> None:
        self._show_alerts()

    def _show_alerts(self) -> None:
        self.alerts.show_alerts(alert_list.alerts(self.snapshot, self.devices.state))

    # -- showing ------------------------------------------------------------------------
    def _show(self, snap: Snapshot) -> None:
        self.snapshot = snap
        self.subtitle.setText(_("Aujourd'hui : {day}").format(day=format_date(snap.today, "full")))
        self._show_prestation(snap)
        self._show_money(snap)
        self._show_stock(snap)
        self._show_alerts()
        self.loaded.emit()

    def _show_prestation(self, snap: Snapshot) -> None:
        from regie.dashboard import Stage  # loaded by now: the snapshot came from there

        current = snap.prestation
        if current is None:
            self.prestation.set(_("Aucune"), _("Créez une prestation dans l'inventaire."))
            return
        event = current.event
        stage = {
            Stage.RUNNING: _("en cours, jusqu'au {day}").format(day=format_date(event.ends_on)),
            Stage.UPCOMING: _("à venir, le {day}").format(day=format_date(event.starts_on)),
            Stage.FINISHED: _("terminée le {day}").format(day=format_date(event.ends_on)),
        }[current.stage]
        self.prestation.set(event.name, stage)
        self.prestation.setToolTip(", ".join(p for p in (event.client, event.place) if p))

    def _show_money(self, snap: Snapshot) -> None:
        money = snap.money
        if money.day is None or money.is_today:
            sales, topups = _("Ventes du jour"), _("Recharges du jour")
            which = _("aucune vente enregistrée") if money.day is None else ""
            which_topups = _("aucune recharge enregistrée") if money.day is None else ""
        else:
            day = format_date(money.day)
            sales = _("Ventes du {day}").format(day=day)
            topups = _("Recharges du {day}").format(day=day)
            which = _("pas de vente aujourd'hui")
            which_topups = _("pas de recharge aujourd'hui")
        self.sales.title.setText(sales)
        self.topups.title.setText(topups)
        best = _("en tête : {pos}").format(pos=money.by_pos[0][0]) if len(money.by_pos) > 1 else ""
        self.sales.set(format_money(money.sales_cents), "\n".join(filter(None, (which, best))))
        self.sales.setToolTip(
            "\n".join(f"{name} : {format_money(cents)}" for name, cents in money.by_pos)
        )
        self.topups.set(format_money(money.topups_cents), which_topups)
        self.topups.setToolTip(_("Recharges payées, sans les jetons offerts"))
        self.chart.show_day(money)
        self.chart_tile.title.setText(
            _("Ventes et recharges par heure — {day}").format(day=format_date(money.day))
            if money.day is not None
            else _("Ventes et recharges par heure")
        )

    def _show_stock(self, snap: Snapshot) -> None:
        equipment = snap.equipment
        loans = ngettext("{n} prêt ouvert", "{n} prêts ouverts", equipment.open_loans).format(
            n=format_number(equipment.open_loans)
        )
        late = len(equipment.overdue)
        if late:
            loans += ", " + ngettext("{n} en retard", "{n} en retard", late).format(n=late)
        self.equipment.set(format_number(equipment.items_out), loans, warn=bool(late))
        self.equipment.setToolTip(
            "\n".join(
                _("{borrower} : attendu le {day}").format(
                    borrower=loan.borrower, day=format_date(loan.due_on)
                )
                for loan in equipment.overdue
            )
        )

        cards = snap.cards
        self.cards.set(
            format_number(cards.in_use),
            _("stock : {encoded} · {lost}").format(
                encoded=ngettext(
                    "{encoded} encodée sur {total}", "{encoded} encodées sur {total}", cards.encoded
                ).format(encoded=format_number(cards.encoded), total=format_number(cards.total)),
                lost=ngettext(
                    "{n} perdue ou bloquée", "{n} perdues ou bloquées", cards.lost_or_blocked
                ).format(n=format_number(cards.lost_or_blocked)),
            ),
        )
        self.cards.setToolTip(
            _(
                "Porte-monnaie que les terminaux ont fait bouger pendant la prestation ; "
                "en dessous, les cartes du stock de l'organisation."
            )
        )

        z = snap.last_closure
        if z is None:
            self.closure.set(_("Aucune"), _("Pas encore de clôture Z."))
        else:
            scope = (
                _("tout l'événement")
                if z.scope == "event"
                else z.scope.removeprefix("event:").removeprefix("pos:")
            )
            self.closure.set(
                format_money(z.grand_total),
                _("Z n°{number} · {scope}").format(number=z.number, scope=scope),
            )
            self.closure.setToolTip(format_datetime(z.closed_at))
        self._show_terminals(snap)

    def _show_terminals(self, snap: Snapshot) -> None:
        terminals = snap.terminals
        seen = sorted(
            terminals,
            key=lambda t: t.last_seen or dt.datetime.min.replace(tzinfo=dt.UTC),
            reverse=True,
        )
        lines = [  # the last ones seen; the fleet screen lists them all
            _("{name} vu le {when}").format(name=t.name, when=format_datetime(t.last_seen))
            for t in seen[:TERMINALS_SHOWN]
            if t.last_seen is not None
        ]
        never = sum(1 for t in terminals if t.last_seen is None)
        if never:
            lines.insert(0, ngettext("{n} jamais vu", "{n} jamais vus", never).format(n=never))
        self.terminals.set(format_number(len(terminals)), "\n".join(lines))


def _quietly(unsubscribe: Any) -> None:
    with contextlib.suppress(ValueError):  # already gone
        unsubscribe()

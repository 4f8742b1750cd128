"""The settlement section (Règlement): a prestation picked at the top, one tab per screen,
each built when first shown and read again when the prestation changes or when a change
concerns it (a sync, a resolved mismatch, a refund run, a recorded statement, an import:
``regie.ui.notices``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from regie import clock
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _
from regie.inventory.reference_list import PrestationLine, reference_lists
from regie.ui.control_names import name_controls
from regie.ui.notices import Notice, concerns, notices
from regie.ui.settlement.indicators_screen import IndicatorsScreen
from regie.ui.settlement.reconcile_screen import ReconcileScreen
from regie.ui.settlement.refunds_screen import RefundsScreen
from regie.ui.settlement.report_screen import ReportScreen
from regie.ui.settlement.screen import Screen
from regie.ui.settlement.season_screen import SeasonScreen
from regie.ui.settlement.settings_screen import SettingsScreen
from regie.ui.settlement.split_screen import SplitScreen
from regie.ui.settlement.stripe_screen import StripeScreen
from regie.ui.settlement.words import day

log = logging.getLogger(__name__)
S = TypeVar("S", bound=Screen)
SCREENS: tuple[tuple[str, Callable[[Database], Screen]], ...] = (
    (N_("Rapproche&ment"), ReconcileScreen),
    (N_("&Stripe"), StripeScreen),
    (N_("Rem&boursements"), RefundsScreen),
    (N_("Par&tage"), SplitScreen),
    (N_("Ré&glages de la convention"), SettingsScreen),
    (N_("Rapp&ort d'événement"), ReportScreen),
    (N_("&Indicateurs"), IndicatorsScreen),
    (N_("Saiso&n"), SeasonScreen),
)


def default_choice(prestations: list[PrestationLine]) -> str:
    """The latest prestation that has begun (the one being settled), else the first."""
    today = clock.today()
    started = [p for p in prestations if p.starts_on <= today]
    chosen = max(started, key=lambda p: p.starts_on) if started else None
    return chosen.name if chosen else (prestations[0].name if prestations else "")


class SettlementPage(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.prestations: list[PrestationLine] = []
        title = QLabel(_("Règlement"))
        title.setObjectName("pageTitle")
        self.picker = QComboBox()
        self.picker.setObjectName("settlementPrestation")
        self.picker.setMinimumContentsLength(24)
        self.about = QLabel("")
        self.about.setObjectName("settlementAbout")
        self.about.setStyleSheet("color: #5b6b7a;")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addSpacing(24)
        choose = QLabel(_("&Prestation :"))
        choose.setBuddy(self.picker)
        title_row.addWidget(choose)
        title_row.addWidget(self.picker)
        title_row.addWidget(self.about, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("settlementTabs")
        self.tabs.setDocumentMode(True)
        self._built: list[Screen | None] = [None] * len(SCREENS)
        self._seen: list[str | None] = [None] * len(SCREENS)  # the prestation read; None: stale
        for label, _build in SCREENS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, _(label))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.addLayout(title_row)
        layout.addWidget(self.tabs, 1)
        self.read_prestations()
        self.picker.currentIndexChanged.connect(self._picked)
        self.tabs.currentChanged.connect(self._shown)
        notices().changed.connect(self._heard)
        self._shown(0)

    # -- the prestation --------------------------------------------------------------
    @property
    def prestation(self) -> str:
        return str(self.picker.currentData() or "")

    def read_prestations(self) -> None:
        """The prestations (another section may have added one): the choice is kept."""
        try:
            with self.db.session() as session:
                prestations = reference_lists(session).prestations
        except Exception:  # the page still opens; the screens say what fails
            log.exception("reading the prestations")
            prestations = []
        current = self.prestation or default_choice(prestations)
        if [p.name for p in prestations] == [p.name for p in self.prestations]:
            return
        self.prestations = prestations
        self.picker.blockSignals(True)
        self.picker.clear()
        for line in prestations:
            self.picker.addItem(f"{line.name} ({line.client})", line.name)
        if not prestations:
            self.picker.addItem(_("aucune prestation"), "")
        found = self.picker.findData(current)
        self.picker.setCurrentIndex(max(found, 0))
        self.picker.blockSignals(False)
        self._describe()

    def choose(self, name: str) -> None:
        self.picker.setCurrentIndex(self.picker.findData(name))

    def _describe(self) -> None:
        line = next((p for p in self.prestations if p.name == self.prestation), None)
        if line is None:
            self.about.setText(_("Ajoutez une prestation dans l'inventaire (Référentiel)."))
            return
        place = f" · {line.place}" if line.place else ""
        self.about.setText(
            _("du {start} au {end}").format(start=day(line.starts_on), end=day(line.ends_on))
            + place
        )

    def _picked(self) -> None:
        self._describe()
        self._shown(self.tabs.currentIndex())

    def year(self) -> int | None:
        line = next((p for p in self.prestations if p.name == self.prestation), None)
        return line.starts_on.year if line else None

    # -- the screens, built on first use -------------------------------------------------
    def screen_at(self, index: int) -> Screen:
        built = self._built[index]
        if built is None:
            built = SCREENS[index][1](self.db)
            name_controls(built)
            holder = self.tabs.widget(index)
            layout = holder.layout() if holder is not None else None
            assert layout is not None
            layout.addWidget(built)
            built.show()
            built.changed.connect(lambda s=built: notices().announce(s))
            self._built[index] = built
        return built

    def show_screen(self, index: int) -> Screen:
        self.tabs.setCurrentIndex(index)
        self._shown(index)
        return self.screen_at(index)

    def _shown(self, index: int) -> None:
        screen = self.screen_at(index)
        if self._seen[index] != self.prestation:
            self._seen[index] = self.prestation
            screen.load(self.prestation, self.year())

    def _heard(self, notice: Notice) -> None:
        """A change was made: the screens it concerns read again (the one on show now)."""
        for index, screen in enumerate(self._built):
            if screen is not None and concerns(screen, notice):
                self._seen[index] = None
        self._shown(self.tabs.currentIndex())

    def showEvent(self, event: QShowEvent) -> None:
        """Back from another section (an invoice issued, a journal imported): the screen on
        show reads again if a change concerns it."""
        self.read_prestations()
        notices().announce()  # writes made outside a task meanwhile: heard now
        self._shown(self.tabs.currentIndex())
        super().showEvent(event)

    def open(self, kind: type[S]) -> S:
        """Show the tab of that screen (built and read if need be) and return it."""
        index = next(n for n, (_label, build) in enumerate(SCREENS) if build is kind)
        screen = self.show_screen(index)
        assert isinstance(screen, kind)
        return screen

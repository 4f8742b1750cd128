"""Saison: the year at a glance — every prestation in chronological order with what it owes and
where amortisation stands after it, the year's totals, SoTicket's fee per structure, and the
chart of amortisation over time. Read in a worker; the same figures as ``regie season``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _
from regie.settlement import season_text
from regie.settlement.season import Season, SeasonLine, season
from regie.settlement.soticket import SoticketStructure, structures
from regie.ui.inventory.table_models import Column, Index, RowsModel, make_table
from regie.ui.settlement.screen import YearScreen, failure_text, fit_rows, say, status_line
from regie.ui.settlement.season_chart import amortisation_chart
from regie.ui.settlement.words import TONES, day, euros
from regie.ui.tasks import Task

STATUS_TONES = {"draft": "plain", "recorded": "ok", "changed": "warn"}


@dataclass(frozen=True)
class SeasonRow:
    """One line of the table as shown: a prestation, or the year's totals (``status`` "")."""

    name: str
    about: str  # the name's tooltip: scheme, kind and dates
    ends: str
    figures: tuple[str, ...]  # base, share, cachet, costs, payback, total, recovered, left
    phase: str
    status: str
    status_text: str


def figure(n: int) -> Any:
    return lambda row: row.figures[n]


# Two-line headers where the word is longer than the amounts under it: every column fits the
# width the section leaves the screen in a 1280-pixel window.
FIGURES = (
    N_("Base"),
    N_("Part"),
    N_("Cachet"),
    N_("Frais"),
    N_("Fondante\nreversée"),
    N_("Total dû"),
    N_("Récupéré"),
    N_("Reste à\namortir"),
)
COLUMNS: list[Column[SeasonRow]] = [
    Column(N_("Prestation"), lambda r: r.name),
    Column(N_("Fin"), lambda r: r.ends),
    *(Column(title, figure(n), numeric=True) for n, title in enumerate(FIGURES)),
    Column(N_("Phase"), lambda r: r.phase),
    Column(N_("Statut"), lambda r: r.status_text),
]
STATUS_COLUMN = len(COLUMNS) - 1
StructureRow = tuple[str, str, str, str, str, str]
STRUCTURE_COLUMNS: list[Column[StructureRow]] = [
    Column(N_("Structure"), lambda r: r[0]),
    Column(N_("Cumul"), lambda r: r[1], numeric=True),
    Column(N_("Ajustement"), lambda r: r[2], numeric=True),
    Column(N_("Redevance"), lambda r: r[3], numeric=True),
    Column(N_("Plancher"), lambda r: r[4], numeric=True),
    Column(N_("Plafond"), lambda r: r[5], numeric=True),
]


@dataclass(frozen=True)
class Year:
    season: Season
    structures: list[SoticketStructure]


class SeasonModel(RowsModel[SeasonRow]):
    """The prestations: the status in its tone, the totals row in bold."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0 and row.about:
            return row.about
        if role == Qt.ItemDataRole.FontRole and not row.status:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS_COLUMN:
            return QColor(TONES[STATUS_TONES.get(row.status, "plain")]) if row.status else None
        return super().data(index, role)


def line_row(line: SeasonLine) -> SeasonRow:
    return SeasonRow(
        name=line.name,
        about=_("{scheme} · du {start} au {end}").format(
            scheme=season_text.scheme_text(line), start=day(line.starts_on), end=day(line.ends_on)
        ),
        ends=day(line.ends_on),
        figures=(
            euros(line.base_cents),
            euros(line.share_cents),
            euros(line.cachet_cents),
            euros(line.costs_cents),
            season_text.payback_text(line.melting_payback_cents),
            euros(line.total_cents),
            euros(line.recovered_to_date_cents),
            euros(line.left_to_amortise_cents),
        ),
        phase=_(line.phase),
        status=line.status,
        status_text=season_text.status_text(line),
    )


def totals_row(found: Season) -> SeasonRow:
    sums = season_text.totals(found)
    return SeasonRow(
        name=_("Total {year}").format(year=found.year),
        about="",
        ends="",
        figures=(
            euros(sums.base_cents),
            euros(sums.share_cents),
            euros(sums.cachet_cents),
            euros(sums.costs_cents),
            season_text.payback_text(sums.melting_payback_cents),
            euros(sums.total_cents),
            season_text.maybe_money(sums.recovered_cents),
            season_text.maybe_money(sums.left_cents),
        ),
        phase="",
        status="",
        status_text="",
    )


def structure_row(found: SoticketStructure) -> StructureRow:
    return (
        found.structure,
        euros(found.accrued_cents),
        season_text.adjustment_text(found),
        euros(found.fee_cents),
        euros(found.floor_cents),
        euros(found.cap_cents),
    )


class SeasonScreen(YearScreen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.shown: Year | None = None
        self.year.setObjectName("seasonYear")
        self.summary = QLabel("")
        self.summary.setObjectName("seasonSummary")
        self.status = status_line("seasonStatus")
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Saison")))
        top.addWidget(self.year)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        self.model = SeasonModel(COLUMNS, parent=self)
        self.table = make_table("seasonTable", self.model)
        self.structures_model: RowsModel[StructureRow] = RowsModel(STRUCTURE_COLUMNS, parent=self)
        self.structures = make_table("seasonStructures", self.structures_model)
        self.structures.horizontalHeader().setStretchLastSection(False)  # fit, not 100 px
        self.chart_view = QChartView()
        self.chart_view.setObjectName("seasonChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        venues = QVBoxLayout()
        venues.addWidget(QLabel(_("SoTicket, redevance de l'année par structure")))
        venues.addWidget(self.structures)
        venues.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.chart_view, 4)
        bottom.addLayout(venues, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addLayout(bottom, 1)

    def refresh(self) -> None:
        db, year = self.db, self.year.value()

        def read(_task: Task) -> Year:
            with db.session() as session:
                return Year(season(session, year), structures(session, year))

        self.run(
            "season",
            read,
            lambda found: self.show_year(found.season, found.structures),
            failed=self._unreadable,
        )

    def show_year(self, found: Season, venues: list[SoticketStructure]) -> None:
        """Show a season and its SoTicket structures (what the reading in the worker found)."""
        self.shown = Year(found, venues)
        say(self.status, "")
        sums = season_text.totals(found)
        self.summary.setText(
            _("À amortir : {invested} · récupéré : {recovered} · reste : {left}").format(
                invested=euros(found.invested_cents),
                recovered=season_text.maybe_money(sums.recovered_cents),
                left=season_text.maybe_money(sums.left_cents),
            )
        )
        self.model.set_rows([*(line_row(line) for line in found.lines), totals_row(found)])
        fit_rows(self.table)
        self.structures_model.set_rows([structure_row(s) for s in venues])
        fit_rows(self.structures)
        self.chart_view.setChart(amortisation_chart(found))

    def _unreadable(self, error: BaseException) -> None:
        """The year cannot be read: said on the screen, nothing stale left beside it."""
        self.shown = None
        self.summary.setText("")
        self.model.set_rows([])
        self.structures_model.set_rows([])
        fit_rows(self.table)
        fit_rows(self.structures)
        say(self.status, failure_text(error), "error")

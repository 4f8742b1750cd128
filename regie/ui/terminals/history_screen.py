"""What happened on the links: every push, pull and status read with its result, and the
journal runs handed to the ledger (where the lines received are kept)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from regie.db import Database
from regie.i18n import N_, _, local_time
from regie.terminals.registry import LinkEvent, PullRecord, journal_pulls, link_events
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.terminals.fleet_model import BAD

KINDS = {
    "push": N_("envoi"),
    "pull": N_("relevé"),
    "status": N_("état"),
    "pair": N_("appairage"),
}


def when(event: LinkEvent | PullRecord) -> str:
    return local_time(event.at).strftime("%d/%m %H:%M:%S")  # i18n: not shown


EVENT_COLUMNS: list[Column[LinkEvent]] = [
    Column(N_("Quand"), when),
    Column(N_("Terminal"), lambda e: e.terminal),
    Column(N_("Échange"), lambda e: _(KINDS.get(e.kind, e.kind))),
    Column(N_("Résultat"), lambda e: _("réussi") if e.ok else _("échec")),
    Column(N_("Détail"), lambda e: e.detail.removeprefix(f"{e.terminal} : ")),
]
PULL_COLUMNS: list[Column[PullRecord]] = [
    Column(N_("Quand"), when),
    Column(N_("Terminal"), lambda p: p.terminal),
    Column(
        N_("Opérations"),
        lambda p: _("n°{first} à {last}").format(first=p.first_seq, last=p.last_seq),
    ),
    Column(N_("Reçues"), lambda p: str(p.lines), numeric=True),
    Column(N_("Importées"), lambda p: str(p.imported), numeric=True),
    Column(N_("Lignes gardées dans"), lambda p: Path(p.archive).name),
]


class HistoryScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.events = RowsModel(EVENT_COLUMNS, tone=lambda e: None if e.ok else BAD, parent=self)
        self.pulls = RowsModel(PULL_COLUMNS, parent=self)
        events_box, pulls_box = QWidget(), QWidget()
        for box, title, name, model, stretch in (
            (events_box, _("Échanges avec les terminaux"), "historyEvents", self.events, 4),
            (
                pulls_box,
                _("Journaux relevés (remis au grand livre)"),
                "historyPulls",
                self.pulls,
                5,
            ),
        ):
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            label, table = QLabel(title), make_table(name, model, stretch=stretch)
            label.setBuddy(table)  # the list's title names it to a screen reader
            inner.addWidget(label)
            inner.addWidget(table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(events_box)
        splitter.addWidget(pulls_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(splitter)
        self.refresh()

    def refresh(self) -> None:
        def read() -> tuple[list[LinkEvent], list[PullRecord]]:
            with self.db.session() as session:
                return link_events(session), journal_pulls(session)

        found = attempt(self, read)
        if found is not None:
            self.events.set_rows(found[0])
            self.pulls.set_rows(found[1])

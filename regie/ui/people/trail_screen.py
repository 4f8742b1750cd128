"""« Journal d'audit »: who changed money or equipment, when, filtered by person, action, day."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.audit.trail import ACTION_LABELS, TrailFilter, action_label, actors
from regie.db import Database
from regie.i18n import _, format_number, ngettext
from regie.ui.forms.day_field import DayField
from regie.ui.people.trail_model import TrailModel


class TrailScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("auditTrailScreen")
        self.person = QComboBox()
        self.person.setObjectName("trailPerson")
        self.action = QComboBox()
        self.action.setObjectName("trailAction")
        self.action.addItem(_("Toutes les actions"), "")
        for key in ACTION_LABELS:
            self.action.addItem(action_label(key), key)
        # Empty: no bound; a day as the office types it (« 14/07 », « hier »).
        self.since = DayField("trailSince", None, optional=True)
        self.until = DayField("trailUntil", None, optional=True)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.refresh)
        self.person.currentIndexChanged.connect(self.refresh)
        self.action.currentIndexChanged.connect(self.refresh)
        clear = QPushButton(_("Tout afficher"))
        clear.clicked.connect(self.clear_filters)
        filters = QHBoxLayout()
        for label, widget in (
            (_("Qui"), self.person),
            (_("Action"), self.action),
            (_("Du"), self.since),
            (_("au"), self.until),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(clear)
        filters.addStretch(1)
        self.model = TrailModel(db)
        self.table = QTableView()
        self.table.setObjectName("trailTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(40)  # a screenful of lines, not the 200 of a page
        header.setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setObjectName("trailSummary")
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.reload_people()

    def reload_people(self) -> None:
        chosen = self.person.currentData() or ""
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(_("Tout le monde"), "")
        with self.db.session() as session:
            for name in actors(session):
                self.person.addItem(name, name)
        self.person.setCurrentIndex(max(self.person.findData(chosen), 0))
        self.person.blockSignals(False)
        self.refresh()

    def filter(self) -> TrailFilter:
        return TrailFilter(
            self.person.currentData() or "",
            self.action.currentData() or "",
            self.since.last_bound(),
            self.until.last_bound(),
        )

    def refresh(self) -> None:
        self.model.show(self.filter())
        total = self.model.total
        self.summary.setText(
            ngettext("{n} ligne", "{n} lignes", total).format(n=format_number(total))
        )

    def clear_filters(self) -> None:
        for widget in (self.person, self.action, self.since, self.until):
            widget.blockSignals(True)
        self.person.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.since.setDate(None)
        self.until.setDate(None)
        for widget in (self.person, self.action, self.since, self.until):
            widget.blockSignals(False)
        self.refresh()

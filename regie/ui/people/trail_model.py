"""The audit trail as a Qt table, read page by page as the view scrolls (``fetchMore``):
a season's trail can hold hundreds of thousands of lines, a screen shows thirty."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from regie.audit.trail import TrailFilter, TrailLine, action_label, count, page, when
from regie.db import Database
from regie.i18n import N_, _

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
PAGE = 200
TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
HEADERS = (N_("Date et heure"), N_("Qui"), N_("Action"), N_("Objet"), N_("Détail"))


def cells(line: TrailLine) -> tuple[str, ...]:
    return (when(line), line.who, action_label(line.action), line.subject, line.text)


class TrailModel(QAbstractTableModel):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.where = TrailFilter()
        self.total = 0
        self.rows: list[tuple[str, ...]] = []

    def show(self, where: TrailFilter) -> None:
        """Start again from the newest line matching ``where``."""
        self.beginResetModel()
        self.where = where
        with self.db.session() as session:
            self.total = count(session, where)
            self.rows = [cells(line) for line in page(session, where, 0, PAGE)]
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = ROOT) -> None:
        if parent.isValid():
            return
        with self.db.session() as session:
            more = [cells(line) for line in page(session, self.where, len(self.rows), PAGE)]
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(ROOT, len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in TEXT_ROLES or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()][index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HEADERS)
        ):
            return _(HEADERS[section])
        return None

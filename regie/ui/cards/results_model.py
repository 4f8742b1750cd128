"""The running list of an encoding session: one row per card laid on a reader, newest first.

A session of 17,000 cards keeps only the last ``LIMIT`` rows: the counts and the rate are
the session's own, the list is what the operator glances at.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from regie.cards.encoding import OUTCOME_LABELS, CardResult
from regie.cards.ntag import CHIP_LABELS
from regie.i18n import N_, _, format_clock
from regie.ui.cards.tones import OUTCOME_COLOURS

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
LIMIT = 500
HEADERS = (
    N_("Heure"),
    N_("Résultat"),
    N_("Numéro"),
    "UID",
    N_("Puce"),
    N_("Lecteur"),
    "APDU",
    "ms",
    N_("Raison"),
)
NUMERIC = {6, 7}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def cells(result: CardResult) -> tuple[str, ...]:
    return (
        format_clock(result.at, seconds=True),
        _(OUTCOME_LABELS[result.outcome]).capitalize(),
        result.number or "—",
        result.uid or "?",
        _(CHIP_LABELS[result.chip]) if result.chip else "?",
        result.reader,
        str(result.apdus),
        f"{result.seconds * 1000:.0f}",
        result.reason,
    )


class EncodingResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[CardResult, tuple[str, ...]]] = []

    def add(self, result: CardResult) -> None:
        """The newest result on top; the oldest falls off past ``LIMIT``."""
        if len(self._rows) >= LIMIT:
            self.beginRemoveRows(ROOT, LIMIT - 1, len(self._rows) - 1)
            del self._rows[LIMIT - 1 :]
            self.endRemoveRows()
        self.beginInsertRows(ROOT, 0, 0)
        self._rows.insert(0, (result, cells(result)))
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def result_at(self, row: int) -> CardResult:
        return self._rows[row][0]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        result, texts = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return texts[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if index.column() in NUMERIC else LEFT
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QColor(OUTCOME_COLOURS[result.outcome][0])
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section in NUMERIC else LEFT
        return None

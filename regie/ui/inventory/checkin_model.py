"""The lines of a loan coming back: each asset with its condition, each lot with a count.

An editable model: the condition of an asset (bon état, abîmé, manquant, pas encore rendu)
and the quantity of a lot returned are chosen in the table; nothing is saved until the
dialog calls ``loans.checkin`` with ``conditions()`` and ``lots()``. Every line starts
unmarked (« pas encore rendu », « pas encore compté »): only what is scanned or chosen
comes back, nothing is « bon état » because nobody looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from regie.i18n import N_, _, ngettext
from regie.inventory.loan_desk import OpenLine
from regie.inventory.models import Condition
from regie.ui.inventory.table_models import LEFT, RIGHT, ROOT

Index = QModelIndex | QPersistentModelIndex

# None: the item stays out (a partial return); the loan stays open for it.
CONDITION_LABELS: dict[Condition | None, str] = {
    Condition.OK: N_("bon état"),
    Condition.DAMAGED: N_("abîmé"),
    Condition.MISSING: N_("manquant"),
    None: N_("pas encore rendu"),
}
CONDITION_TONES = {
    Condition.DAMAGED: QColor("#a35a00"),
    Condition.MISSING: QColor("#b3261e"),
    None: QColor("#7a8590"),
}
HEADERS = (N_("Élément"), N_("Description"), N_("Sortis"), N_("Rendus"), N_("État"))
STATE, BACK = 4, 3


@dataclass
class ReturnLine:
    line: OpenLine
    # Nothing is marked before it is scanned or chosen: an item not looked at stays out.
    condition: Condition | None = None  # assets
    returned: int | None = None  # lots: None until counted (the lot stays out)
    scanned: bool = False

    @property
    def is_lot(self) -> bool:
        return bool(self.line.lot)


class CheckinLinesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[ReturnLine] = []

    def set_lines(self, lines: list[OpenLine]) -> None:
        self.beginResetModel()
        self._lines = [ReturnLine(line) for line in lines]
        self.endResetModel()

    def line_at(self, row: int) -> ReturnLine:
        return self._lines[row]

    def conditions(self) -> dict[str, Condition]:
        return {
            r.line.tag: r.condition for r in self._lines if not r.is_lot and r.condition is not None
        }

    def lots(self) -> tuple[tuple[str, int], ...]:
        return tuple(
            (r.line.lot, r.returned) for r in self._lines if r.is_lot and r.returned is not None
        )

    def set_condition(self, rows: list[int], condition: Condition | None) -> None:
        for row in rows:
            if not self._lines[row].is_lot:
                self.setData(self.index(row, STATE), condition, Qt.ItemDataRole.EditRole)

    def mark_scanned(self, tag: str) -> list[int]:
        """A tag scanned at the desk: that asset (or that kit's contents) is back, fine."""
        rows = [
            n for n, r in enumerate(self._lines) if tag in (r.line.tag, r.line.kit) and r.line.tag
        ]
        for row in rows:
            self._lines[row].scanned = True  # shown in bold; set_condition repaints the row
            self.set_condition([row], Condition.OK)
        return rows

    # -- the Qt model --------------------------------------------------------------------
    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        line = self._lines[index.row()]
        if index.column() == (BACK if line.is_lot else STATE):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        r, column = self._lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column)
        if role == Qt.ItemDataRole.EditRole:
            if column == BACK and r.is_lot:
                return r.line.quantity_out if r.returned is None else r.returned
            if column == STATE and not r.is_lot:
                return _(CONDITION_LABELS[r.condition])
            return self._text(r, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column in (2, BACK) else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.is_lot:
                counted = r.returned is not None
                lost = counted and (r.returned or 0) < r.line.quantity_out
                return QColor("#b3261e") if lost else None if counted else CONDITION_TONES[None]
            return CONDITION_TONES.get(r.condition)
        if role == Qt.ItemDataRole.FontRole and r.scanned:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, r: ReturnLine, column: int) -> str:
        line = r.line
        if r.is_lot:
            if r.returned is None:
                values = (line.lot, _("lot"), str(line.quantity_out), "—", _("pas encore compté"))
                return values[column]
            lost = line.quantity_out - r.returned
            state = (
                ngettext("{lost} manquant", "{lost} manquants", lost).format(lost=lost)
                if lost
                else _("complet")
            )
            values = (line.lot, _("lot"), str(line.quantity_out), str(r.returned), state)
        else:
            description = line.description + (
                _(" (valise {kit})").format(kit=line.kit) if line.kit else ""
            )
            back = "0" if r.condition in (None, Condition.MISSING) else "1"
            values = (line.tag, description, "1", back, _(CONDITION_LABELS[r.condition]))
        return values[column]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        r = self._lines[index.row()]
        if r.is_lot and index.column() == BACK:
            if not isinstance(value, int) or not 0 <= value <= r.line.quantity_out:
                return False
            r.returned = value
        elif not r.is_lot and index.column() == STATE:
            by_label = {_(label): key for key, label in CONDITION_LABELS.items()}
            if value in by_label:
                value = by_label[value]
            if value is not None and not isinstance(value, Condition):
                return False
            r.condition = value
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(HEADERS) - 1))
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HEADERS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(RIGHT if section in (2, BACK) else LEFT)
        return None


class ReturnDelegate(QStyledItemDelegate):
    """A list of conditions for an asset, a bounded counter for a lot."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        assert isinstance(model, CheckinLinesModel)
        line = model.line_at(index.row())
        if line.is_lot:
            spin = QSpinBox(parent)
            spin.setRange(0, line.line.quantity_out)
            return spin
        combo = QComboBox(parent)
        combo.addItems([_(label) for label in CONDITION_LABELS.values()])
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QSpinBox):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)

"""How the fleet table draws a progress bar in a cell, and lets a port be typed or picked."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from regie.i18n import _
from regie.terminals.ports import PortChoice

Index = QModelIndex | QPersistentModelIndex


class ProgressDelegate(QStyledItemDelegate):
    """A progress bar with the stage's name on it; an empty cell before any work."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = round(float(index.data(Qt.ItemDataRole.UserRole) or 0) * 1000)
        bar.text = text
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        # Without State_Horizontal, Qt 6 styles fill the bar from the bottom, as a vertical one.
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class PortDelegate(QStyledItemDelegate):
    """An editable list of the ports seen on this computer: pick one, or type a path or a
    pyserial URL (a pty or a USB gadget is not always listed). A terminal without a port
    starts on ``preferred()`` (the port saved in the preferences) when it is plugged in."""

    def __init__(
        self,
        choices: Callable[[], list[PortChoice]],
        parent: QWidget | None = None,
        preferred: Callable[[], str] = lambda: "",
    ):
        super().__init__(parent)
        self._choices = choices
        self._preferred = preferred

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        box = QComboBox(parent)
        box.setObjectName("portEditor")
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for choice in self._choices():
            box.addItem(f"{choice.port} — {choice.description}", choice.port)
        line = box.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("/dev/ttyACM0 ou socket://192.168.1.50:7000"))
            # Enter in the text, or a port picked in the list, ends the edit.
            line.returnPressed.connect(lambda: self._done(box))
        box.activated.connect(lambda _index: self._done(box))
        return box

    def _done(self, box: QComboBox) -> None:
        self.commitData.emit(box)
        self.closeEditor.emit(box, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        port = str(index.data(Qt.ItemDataRole.EditRole) or "")
        saved = "" if port else self._preferred()
        present = editor.findData(saved) if saved else -1
        if present >= 0:
            editor.setCurrentIndex(present)
            port = saved
        editor.setEditText(port)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        line = editor.lineEdit()
        text = (line.text() if line is not None else editor.currentText()).strip()
        picked = editor.findText(text)
        port = editor.itemData(picked) if picked >= 0 else text.split(" — ")[0]
        model.setData(index, port, Qt.ItemDataRole.EditRole)

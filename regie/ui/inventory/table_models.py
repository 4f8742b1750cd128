"""Qt item models of the inventory screens, over plain rows (never live ORM objects).

``RowsModel`` shows a short list (history, incidents, loans, owners) through declared
columns. ``AssetTableModel`` is the big one: it holds a window of the inventory and asks
the core for the next page when the view scrolls to it (``canFetchMore``/``fetchMore``),
so 20,000 assets open as fast as 200.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from regie.db import Database
from regie.i18n import N_, _, format_money
from regie.inventory.asset_window import (
    SORT_KEYS,
    AssetFilter,
    AssetRow,
    asset_window,
    count_assets,
)
from regie.inventory.assets import STATUS_LABELS
from regie.inventory.models import AssetStatus

log = logging.getLogger(__name__)
# Babel takes ~0.1 ms an amount: regie.i18n keeps each text per language.
money = format_money
R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ROW_ROLES = frozenset(
    (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
    )
)


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    numeric: bool = False  # right-aligned (money, counts)
    tip: Callable[[R], str] | None = None  # the tooltip, when not the whole text of the cell


class RowsModel(QAbstractTableModel, Generic[R]):
    """A read-only table of plain rows; ``tone`` colours a whole row (late, lost…)."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        tone: Callable[[R], QColor | None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._tone = tone
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        rows = list(rows)
        if rows == self._rows:
            return  # read again, nothing new: no reset, the selection and the scroll stay
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def append(self, rows: Sequence[R]) -> None:
        if rows:
            first = len(self._rows)
            self.beginInsertRows(ROOT, first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def remove_at(self, row: int) -> None:
        self.beginRemoveRows(ROOT, row, row)
        del self._rows[row]
        self.endRemoveRows()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in ROW_ROLES or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None  # a view asks for a dozen roles per cell; these four are answered
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)  # the tooltip: the whole text of a cut cell
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.numeric else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and self._tone is not None:
            return self._tone(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(self._columns[section].header)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(RIGHT if self._columns[section].numeric else LEFT)
        return None


STATUS_TONES = {
    AssetStatus.OUT: QColor("#1d5fa8"),
    AssetStatus.BOOKED: QColor("#6a3fa0"),
    AssetStatus.IN_REPAIR: QColor("#a35a00"),
    AssetStatus.QUARANTINED: QColor("#a35a00"),
    AssetStatus.LOST: QColor("#b3261e"),
    AssetStatus.WRITTEN_OFF: QColor("#7a8590"),
}

ASSET_HEADERS = (
    N_("Étiquette"),
    N_("Modèle"),
    N_("N° de série"),
    N_("Propriétaire"),
    N_("Statut"),
    N_("Lieu"),
    N_("Prestation"),
    N_("Coût d'achat"),
)


def asset_cell(row: AssetRow, column: int) -> str:
    values = (
        row.tag,
        row.model,
        row.serial_number,
        row.owner,
        _(STATUS_LABELS[row.status]),
        row.location,
        row.prestation,
        money(row.purchase_cost_cents),
    )
    return values[column]


class AssetTableModel(QAbstractTableModel):
    """The inventory, one page of plain ``AssetRow`` at a time, sorted and filtered in SQL."""

    def __init__(self, db: Database, page_size: int = 200, parent: Any = None) -> None:
        super().__init__(parent)
        self._db = db
        self._page_size = page_size
        self._filter = AssetFilter()
        self._sort, self._descending = "tag", False
        self._rows: list[AssetRow] = []
        self._total = 0
        self._fetching = False  # views and proxies ask again while rows are being inserted
        self._loaded = False

    @property
    def total(self) -> int:
        """Assets matching the filter, loaded or not."""
        return self._total

    @property
    def filter(self) -> AssetFilter:
        return self._filter

    def set_filter(self, where: AssetFilter) -> None:
        self._filter = where
        self.reload()

    def reload(self) -> None:
        """Count again and load the first page (after a filter, a sort or an operation)."""
        self.beginResetModel()
        self._loaded = True
        try:
            with self._db.session() as session:
                self._total = count_assets(session, self._filter)
                self._rows = self._page(session, 0)
        except Exception:
            log.exception("loading the inventory table")
            self._rows, self._total = [], 0
        self.endResetModel()

    def _page(self, session: Any, offset: int) -> list[AssetRow]:
        return asset_window(
            session,
            self._filter,
            offset=offset,
            limit=self._page_size,
            sort=self._sort,
            descending=self._descending,
        )

    def row_at(self, row: int) -> AssetRow:
        return self._rows[row]

    def row_of(self, tag: str) -> int:
        """The loaded row of a tag, or -1."""
        return next((n for n, row in enumerate(self._rows) if row.tag == tag), -1)

    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index = ROOT) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        try:
            self._fetch_page()
        finally:
            self._fetching = False

    def _fetch_page(self) -> None:
        try:
            with self._db.session() as session:
                page = self._page(session, len(self._rows))
        except Exception:
            log.exception("loading a page of the inventory table")
            page = []
        if not page:  # the inventory shrank meanwhile: stop asking
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(ROOT, first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        key, descending = SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder
        if self._loaded and (key, descending) == (self._sort, self._descending):
            return  # the view sorts again when sorting is switched on: nothing to read
        self._sort, self._descending = key, descending
        self.reload()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(ASSET_HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return asset_cell(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if index.column() == len(ASSET_HEADERS) - 1 else LEFT)
        if role == Qt.ItemDataRole.ForegroundRole:
            return STATUS_TONES.get(row.status)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(ASSET_HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(ASSET_HEADERS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(RIGHT if section == len(ASSET_HEADERS) - 1 else LEFT)
        return None


class AssetSortProxy(QSortFilterProxyModel):
    """Between the view and the windowed model: a header click sorts in SQL, over every
    asset, not only the pages loaded so far (the proxy keeps the source order)."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)


def make_table(
    name: str, model: QAbstractItemModel, *, stretch: int | None = None, editable: bool = False
) -> QTableView:
    """A read-only, row-selecting, compact table as every inventory list shows it.

    ``stretch``: the column that takes the spare width (the others fit their contents);
    None: the last column does.
    """
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if not editable:
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setResizeContentsPrecision(40)  # measure a screenful of rows, not thousands
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view

"""The journal as a Qt table: a million transfers, of which only a few pages are in memory.

``rowCount`` comes from the index (the chain head, or the count of a filter); a row is read
when the view paints it, with the rest of its page (a few hundred transfers, by id range),
and kept in a small LRU of pages. Scrolling from the first transfer to the last reads the
pages on the way, never the whole journal. A filter that reads the whole journal to count
(a point of sale, an asset, a time range) is indexed in a worker thread; the table keeps
showing the previous rows until the new index arrives (``ready``).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from regie.changed import Changes
from regie.db import Database
from regie.i18n import N_, _
from regie.ledger.browse import JournalFilter, JournalIndex, JournalRow, journal_index, journal_page
from regie.ledger.labels import account_label, figure, method_label, moment, op_label
from regie.ui.notices import emit
from regie.ui.tasks import Task

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
# Roles as plain ints: a repaint asks ~7 roles of ~300 cells, each comparison counts.
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
HEADERS = (
    N_("N°"),
    N_("Date et heure"),
    N_("Terminal, n°"),
    N_("Opération"),
    N_("Moyen"),
    N_("Débit"),
    N_("Crédit"),
    N_("Actif"),
    N_("Montant"),
    N_("Point de vente"),
)
NUMERIC = {0, 8}
ALIGNMENTS = tuple(RIGHT if column in NUMERIC else LEFT for column in range(len(HEADERS)))
ACCOUNT_COLUMNS = {5: "debit", 6: "credit"}
TONES = {"void": QColor("#b3261e"), "refund": QColor("#8a4b00"), "cash_diff": QColor("#8a4b00")}


class Line(NamedTuple):
    """A transfer and its cells, formatted once, when it is first shown."""

    row: JournalRow
    cells: tuple[str, ...]
    tone: QColor | None


def cell(row: JournalRow, column: int) -> str:
    match column:
        case 0:
            return str(row.id)
        case 1:
            return moment(row.local_time)
        case 2:
            return _("{terminal} n°{seq}").format(terminal=row.source, seq=row.seq)
        case 3:
            return op_label(row.op)
        case 4:
            return method_label(row.method)
        case 5:
            return account_label(row.debit)
        case 6:
            return account_label(row.credit)
        case 7:
            return row.asset
        case 8:
            return figure(row.amount)  # the asset is in the column before
        case _:
            return row.pos


class JournalModel(QAbstractTableModel):
    ready = Signal()  # a new index is in place (after a filter, a reload)
    failed = Signal(str)  # the journal could not be read: a French sentence

    def __init__(
        self, db: Database, page_size: int = 200, max_pages: int = 8, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._page_size = page_size
        self._max_pages = max_pages
        self._filter = JournalFilter()
        self._index = JournalIndex(0, 0, page_size)
        self._newest_first = False
        self._pages: OrderedDict[int, list[JournalRow | Line]] = OrderedDict()
        self._task: Task | None = None
        self._generation = 0  # a slower, older filter's index must not replace a newer one
        self.pages_read = 0

    # -- what is shown -----------------------------------------------------------------
    @property
    def filter(self) -> JournalFilter:
        return self._filter

    @property
    def total(self) -> int:
        return self._index.total

    @property
    def busy(self) -> bool:
        return self._task is not None

    @property
    def newest_first(self) -> bool:
        return self._newest_first

    def rows_in_memory(self) -> int:
        """Transfers held (formatted) in the page cache: a window, never the journal."""
        return sum(len(page) for page in self._pages.values())

    def set_filter(self, where: JournalFilter) -> None:
        self._filter = where
        self.reload()

    def reload(self) -> None:
        """Index again (after a filter or an import); a journal-wide count goes to a thread."""
        self._generation += 1
        generation, where, size = self._generation, self._filter, self._page_size
        if where.indexed:
            self._task = None
            try:
                with self._db.session() as session:
                    index = journal_index(session, where, size)
            except Exception:
                log.exception("indexing the journal")
                emit(self.failed, _("Le journal n'a pas pu être lu (voir le journal de Régie)."))
                index = JournalIndex(0, 0, size)
            self._install(generation, index)
            return

        def work(_task: Task) -> JournalIndex:
            with self._db.session() as session:
                return journal_index(session, where, size)

        task = Task("journal-index", work, self)
        task.succeeded.connect(lambda index: self._install(generation, index))
        task.failed.connect(lambda error: self._index_failed(generation, error))
        self._task = task.start()

    def follow(self, changes: Changes) -> bool:
        """New transfers right after the last one shown, on the whole journal: appended
        (inserted on top, newest first) without reading the journal again. False when the
        change needs a reload (a filter, a gap, an index being read)."""
        spans = changes.ids_of("transfer")
        index, size = self._index, self._page_size
        if not spans or not self._filter.empty or self._task is not None or index.anchors:
            return False
        newest = max(span.stop for span in spans) - 1
        if min(span.start for span in spans) != index.last_id + 1 or index.total != index.last_id:
            return False
        added = newest - index.last_id
        first = 0 if self._newest_first else index.total
        self.beginInsertRows(QModelIndex(), first, first + added - 1)
        if index.total % size:  # the last page was short: read it again when shown
            self._pages.pop(index.total // size, None)
        self._index = JournalIndex(newest, newest, size)
        self.endInsertRows()
        emit(self.ready)
        return True

    def _index_failed(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            log.error("indexing the journal", exc_info=error)
            self._task = None
            emit(self.failed, _("Le journal n'a pas pu être lu (voir le journal de Régie)."))
            emit(self.ready)

    def _install(self, generation: int, index: JournalIndex) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._index, self._pages, self._task = index, OrderedDict(), None
        self.endResetModel()
        emit(self.ready)

    def set_newest_first(self, newest_first: bool) -> None:
        if newest_first != self._newest_first:
            self.beginResetModel()
            self._newest_first = newest_first
            self.endResetModel()

    def row_at(self, row: int) -> JournalRow | None:
        """The transfer shown on a row (its page read if needed), None past the end."""
        line = self._line_at(row)
        return line.row if line is not None else None

    def _line_at(self, row: int) -> Line | None:
        total = self._index.total
        if not 0 <= row < total:
            return None
        position = total - 1 - row if self._newest_first else row
        number, offset = divmod(position, self._page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._read_page(number)
        elif number != next(reversed(self._pages)):
            self._pages.move_to_end(number)
        if offset >= len(page):
            return None
        found = page[offset]
        if isinstance(found, Line):
            return found
        line = Line(found, tuple(cell(found, c) for c in range(len(HEADERS))), TONES.get(found.op))
        page[offset] = line
        return line

    def _read_page(self, number: int) -> list[JournalRow | Line]:
        page: list[JournalRow | Line] = []
        try:
            with self._db.session() as session:
                page.extend(journal_page(session, self._filter, self._index, number))
        except Exception:
            log.exception("reading page %s of the journal", number)
        self.pages_read += 1
        self._pages[number] = page
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return page

    # -- Qt ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else self._index.total

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        column = index.column()
        if not 0 <= column < len(HEADERS):
            return None
        if role == DISPLAY:
            line = self._line_at(index.row())
            return line.cells[column] if line is not None else None
        if role == ALIGNMENT:
            return ALIGNMENTS[column]
        if role == FOREGROUND:
            line = self._line_at(index.row())
            return line.tone if line is not None else None
        if role == TOOLTIP:
            line = self._line_at(index.row())
            if line is None:
                return None
            row, account = line.row, ACCOUNT_COLUMNS.get(column)
            if account is not None:  # the technical name, as exports and the CLI write it
                return str(getattr(row, account))
            if column == 2 and row.model:  # the device by its one name, its model beside
                return f"{row.source} · {row.model}"
            if row.details and not row.details.startswith("["):
                return row.details
            return line.cells[column]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return _(HEADERS[section])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT if section in NUMERIC else LEFT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Journal order only (the n° column): oldest or newest first."""
        if column == 0:
            self.set_newest_first(order == Qt.SortOrder.DescendingOrder)

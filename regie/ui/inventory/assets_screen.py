"""The equipment table: filters, a windowed table of every asset, its detail beside it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import _, ngettext
from regie.inventory.asset_window import AssetFilter
from regie.inventory.assets import STATUS_LABELS
from regie.inventory.references import References, references
from regie.ui.inventory.asset_detail import AssetDetailPanel
from regie.ui.inventory.asset_files import AssetFiles
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.table_models import AssetSortProxy, AssetTableModel

COLUMN_WIDTHS = (115, 150, 110, 100, 110, 120, 140, 100)


def _combo(name: str, everything: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(everything, None)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class AssetsScreen(QWidget):
    changed = Signal()  # an operation changed the inventory (an import)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.model = AssetTableModel(db, parent=self)
        self.proxy = AssetSortProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("assetSearch")
        self.search.setPlaceholderText(_("Étiquette ou n° de série (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.status = _combo("statusFilter", _("Tous les statuts"))
        for status, label in STATUS_LABELS.items():
            self.status.addItem(_(label), status)
        self.owner = _combo("ownerFilter", _("Tous les propriétaires"))
        self.model_filter = _combo("modelFilter", _("Tous les modèles"))
        self.prestation = _combo("prestationFilter", _("Toutes les prestations"))
        self.count = QLabel("")
        self.count.setObjectName("assetCount")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        for combo in (self.status, self.owner, self.model_filter, self.prestation):
            filters.addWidget(combo)
        filters.addStretch(1)

        self.files = AssetFiles(db, self, self.current_filter)
        self.files.imported.connect(self._inventory_changed)
        actions = QHBoxLayout()
        actions.addWidget(self.count)
        actions.addStretch(1)
        for label, name, slot in (
            (_("Impo&rter un CSV…"), "importButton", self.files.ask_import),
            (_("E&xporter en CSV…"), "exportButton", self.files.ask_export),
            (_("Éti&quettes PDF…"), "labelsButton", self._ask_labels),
        ):
            button = QPushButton(label)
            button.setObjectName(name)
            button.clicked.connect(slot)
            actions.addWidget(button)

        self.table = QTableView()
        self.table.setObjectName("assetTable")
        self.table.setModel(self.proxy)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.detail = AssetDetailPanel(db)
        self.detail.changed.connect(self._inventory_changed)  # the status column moved too
        # The detail goes under the table: the table keeps the whole width for its columns.
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)

        # A scanner types fast: filter once it pauses, not at every character.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        for combo in (self.status, self.owner, self.model_filter, self.prestation):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)

        self.load_references()
        self.table.setSortingEnabled(True)  # sorts by the indicator: the first page is read

    # -- filters ---------------------------------------------------------------------
    def load_references(self) -> None:
        def load() -> References:
            with self.db.session() as session:
                return references(session)

        found = attempt(self, load)
        if found is None:
            return
        for combo, names in (
            (self.owner, found.organisations),
            (self.model_filter, found.models),
            (self.prestation, [p.name for p in found.prestations]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for name in names:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def current_filter(self) -> AssetFilter:
        return AssetFilter(
            status=self.status.currentData(),
            owner=self.owner.currentData() or "",
            model=self.model_filter.currentData() or "",
            prestation=self.prestation.currentData() or "",
            text=self.search.text().strip(),
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        where = self.current_filter()
        if where != self.model.filter:
            self.model.set_filter(where)

    def refresh(self) -> None:
        """Read everything again (after an operation elsewhere), keeping the filters."""
        tag = self.detail.tag
        self.load_references()
        self.model.reload()
        if tag:
            self.select_tag(tag)

    def _update_count(self, *_args: object) -> None:
        total, loaded = self.model.total, self.model.rowCount()
        text = ngettext("{total} matériel", "{total} matériels", total).format(total=total)
        self.count.setText(
            text
            if loaded == total
            else _("{text} ({loaded} affichés)").format(text=text, loaded=loaded)
        )

    # -- selection -------------------------------------------------------------------
    def select_tag(self, tag: str) -> None:
        row = self.model.row_of(tag)
        if row < 0:
            self.detail.show_asset(tag)
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(index.row())
        self.table.scrollTo(index)

    def selected_tags(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [self.model.row_at(self.proxy.mapToSource(index).row()).tag for index in rows]

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        current = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        index: QModelIndex = current if current.isValid() else (rows[0] if rows else current)
        if not index.isValid():
            return
        tag = self.model.row_at(self.proxy.mapToSource(index).row()).tag
        if tag != self.detail.tag:
            self.detail.show_asset(tag)

    # -- files -------------------------------------------------------------------------
    def _ask_labels(self) -> None:
        self.files.ask_labels(self.selected_tags())

    def _inventory_changed(self) -> None:
        self.refresh()
        self.changed.emit()

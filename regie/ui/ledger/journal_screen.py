"""The journal: every transfer in journal order, filtered by card, point of sale, asset,
operation and time, over a windowed model that opens a million transfers at once."""

from __future__ import annotations

import datetime as dt

import orjson
from PySide6.QtCore import QDateTime, QLocale, QSize, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.changed import Changes
from regie.db import Database
from regie.i18n import _, event_zone, format_number, locale_name, ngettext
from regie.ledger.browse import (
    OUTSIDE_EVENTS,
    FilterChoices,
    JournalFilter,
    JournalRow,
    filter_choices,
)
from regie.ledger.labels import (
    OP_LABELS,
    account_label,
    amount,
    figure,
    method_label,
    moment,
    op_label,
    vat_rate,
)
from regie.ui.inventory.messages import attempt
from regie.ui.ledger.journal_model import JournalModel
from regie.ui.qdates import qdatetime

# The text each column usually shows at its widest (the last column takes the rest), so the
# ten columns fit the 1,080 pixels the main window leaves the page on a 1,280 × 800 screen.
# Widths are measured on these in the table's font, never on the rows: Qt never reads a
# million rows. A longer account name is cut; its tooltip has it whole.
PADDING = 8  # the item view's text margins


def column_samples() -> tuple[tuple[str, ...], ...]:
    """Each column's usual texts in the language shown; its width is the widest one's."""
    card = (account_label("wallet:0400000000012A"),)
    terminal = _("{terminal} n°{seq}").format(terminal="SUNMI-888", seq=88888)
    ops = tuple(op_label(op) for op in ("topup", "sale", "refund", "void"))
    methods = tuple(method_label(m) for m in ("cash", "card", "stripe_terminal", "cashless"))
    return (
        ("8888888",),
        (moment(dt.datetime(2088, 8, 8, 8, 8, 8)),),
        (terminal,),
        ops,
        methods,
        card,
        card,
        ("GIFT",),
        (figure(-888888),),
    )


def combo(name: str, everything: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem(everything, "")
    # A season's names are long (« Rockstore · Soirée rock 90 »): the box keeps a reasonable
    # width and its list shows them whole, so the window stays narrow enough for a laptop.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    # « Toutes les prestations » whole at rest, and no wider: the window fits 1280 px.
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    metrics = box.fontMetrics()
    text = QSize(metrics.horizontalAdvance(everything), metrics.height())
    kind = QStyle.ContentsType.CT_ComboBox
    box.setMinimumWidth(box.style().sizeFromContents(kind, option, text, box).width())
    box.view().setMinimumWidth(260)
    return box


def moment_edit(name: str, value: QDateTime) -> QDateTimeEdit:
    edit = QDateTimeEdit(value)
    edit.setObjectName(name)
    edit.setLocale(QLocale(locale_name()))
    edit.setDisplayFormat("dd/MM/yyyy HH:mm")  # i18n: not shown (day first in both)
    edit.setCalendarPopup(True)
    edit.setEnabled(False)
    return edit


def wall_clock(edit: QDateTimeEdit) -> int:
    """The typed moment, read on the events' clock as the journal shows it, as seconds."""
    value = edit.dateTime().toPython()
    assert isinstance(value, dt.datetime)
    return int(value.replace(tzinfo=event_zone()).timestamp())


def size_journal_columns(table: QTableView) -> None:
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(24)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    cells, titles = table.fontMetrics(), header.fontMetrics()
    for column, samples in enumerate(column_samples()):
        title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
        widest = max(cells.horizontalAdvance(sample) for sample in samples)
        width = max(widest, titles.horizontalAdvance(title) + 8)
        header.resizeSection(column, width + PADDING)


def describe(row: JournalRow) -> str:
    """One line about a transfer: what was sold, or the reason of a desk operation."""
    text = _("Transfert n°{number} ({operation}, {method})").format(
        number=row.id, operation=op_label(row.op).lower(), method=method_label(row.method).lower()
    )
    if row.link_id != row.id:
        text += _(", lié au n°{number}").format(number=row.link_id)
    if row.details.startswith("["):
        lines = orjson.loads(row.details)
        sold = ", ".join(
            _("{quantity} × {product} à {price} (TVA {rate})").format(
                quantity=quantity, product=product, price=amount(unit), rate=vat_rate(rate)
            )
            for product, quantity, unit, rate in lines
        )
        text += _(" : {what}").format(what=sold)
    elif row.details:
        text += _(" : {what}").format(what=row.details)
    return text


# What posting transfers writes (an import, a pull, a desk operation): rows shown already
# stay as they are.
POSTING = frozenset(
    {"transfer", "balance", "account", "ledger_source", "pos", "product", "sales_summary"}
    | {"ledger_head", "audit_trail", "card", "card_event"}
    | {"seal_record", "seal_head"}  # the audit line of an import is sealed with it
)


class JournalScreen(QWidget):
    CONCERNS = frozenset({"transfer", "account", "ledger_source", "pos", "ledger_asset"})

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.model = JournalModel(db, parent=self)

        self.card = QLineEdit()
        self.card.setObjectName("journalCard")
        self.card.setPlaceholderText(_("UID de la carte"))
        self.card.setClearButtonEnabled(True)
        self.card.setMinimumWidth(170)
        self.event_box = combo("journalEvent", _("Toutes les prestations"))
        self.place = combo("journalPos", _("Tous les points de vente"))
        self.asset = combo("journalAsset", _("Tous les actifs"))
        self.op = combo("journalOp", _("Toutes les opérations"))
        for op, label in OP_LABELS.items():
            self.op.addItem(_(label), op)
        self.since_on = QCheckBox(_("Du"))
        self.since_on.setObjectName("journalSinceOn")
        self.until_on = QCheckBox(_("au"))
        self.until_on.setObjectName("journalUntilOn")
        today = QDateTime(QDateTime.currentDateTime().date(), QTime(0, 0))
        self.since = moment_edit("journalSince", today)
        self.until = moment_edit("journalUntil", today.addDays(1))
        self.newest_first = QCheckBox(_("Les plus récents &en haut"))
        self.newest_first.setObjectName("journalNewestFirst")
        filters = QHBoxLayout()
        filters.addWidget(self.card)
        for widget in (self.event_box, self.place, self.asset, self.op):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.count = QLabel("")
        self.count.setObjectName("journalCount")
        status = QHBoxLayout()  # the dates below the other filters: the window fits 1280 px
        for dates_widget in (self.since_on, self.since, self.until_on, self.until):
            status.addWidget(dates_widget)
        status.addSpacing(12)
        status.addWidget(self.count)
        status.addStretch(1)
        status.addWidget(self.newest_first)

        self.table = QTableView()
        self.table.setObjectName("journalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        size_journal_columns(self.table)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)

        self.detail = QLabel("")
        self.detail.setObjectName("journalDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("color: #33414f; padding: 4px 0;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

        # A UID is typed (or pasted) in one go: filter once typing pauses.
        self._card_timer = QTimer(self)
        self._card_timer.setSingleShot(True)
        self._card_timer.setInterval(300)
        self._card_timer.timeout.connect(self.apply_filters)
        self.card.textChanged.connect(self._card_timer.start)
        self.card.returnPressed.connect(self.apply_filters)
        for box in (self.event_box, self.place, self.asset, self.op):
            box.currentIndexChanged.connect(self.apply_filters)
        for check, edit in ((self.since_on, self.since), (self.until_on, self.until)):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.apply_filters)
            edit.dateTimeChanged.connect(self.apply_filters)
        self.newest_first.toggled.connect(self._order_changed)
        self.model.modelReset.connect(self._update_count)
        self.model.ready.connect(self._update_count)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self._span_set = False
        self.load_choices()
        self.model.reload()

    # -- filters ---------------------------------------------------------------------
    def load_choices(self) -> None:
        def load() -> FilterChoices:
            with self.db.session() as session:
                return filter_choices(session)

        found = attempt(self, load)
        if found is None:
            return
        if found.first and found.last and not self._span_set:
            # The time filter starts on the journal's first and last days, not on today.
            self._span_set = True
            start = dt.datetime.combine(found.first.date(), dt.time())
            end = dt.datetime.combine(found.last.date() + dt.timedelta(days=1), dt.time())
            for edit, moment in ((self.since, start), (self.until, end)):
                edit.blockSignals(True)
                edit.setDateTime(qdatetime(moment))
                edit.blockSignals(False)
        events = [(name, name) for name in found.events]
        events.append((_("Hors prestation"), OUTSIDE_EVENTS))  # listed, never dropped
        for box, items in (
            (self.event_box, events),
            (self.place, [(name, name) for name in found.points_of_sale]),
            (self.asset, [(f"{code} — {name}", code) for code, name in found.assets]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            for label, value in items:
                box.addItem(label, value)
            box.setCurrentIndex(max(box.findData(current), 0))
            box.blockSignals(False)

    def current_filter(self) -> JournalFilter:
        return JournalFilter(
            card="".join(self.card.text().split()).upper(),
            pos=self.place.currentData() or "",
            event=self.event_box.currentData() or "",
            asset=self.asset.currentData() or "",
            op=self.op.currentData() or "",
            since=wall_clock(self.since) if self.since_on.isChecked() else None,
            until=wall_clock(self.until) if self.until_on.isChecked() else None,
        )

    def apply_filters(self) -> None:
        self._card_timer.stop()
        where = self.current_filter()
        if where != self.model.filter:
            self.model.set_filter(where)
            self._update_count()

    def refresh(self) -> None:
        """Read again (after an import, a Z, a melt), keeping the filters."""
        self.load_choices()
        self.model.reload()

    def follow(self, changes: Changes) -> bool:
        """New transfers at the end of the whole journal: appended, not read again."""
        if not changes.entities <= POSTING or not self.model.follow(changes):
            return False
        if not changes.entities.isdisjoint(self.CONCERNS - {"transfer"}):
            self.load_choices()  # a new terminal, point of sale or account to filter on
        self._update_count()
        return True

    # -- order and selection -----------------------------------------------------------
    def _header_clicked(self, section: int) -> None:
        if section == 0:
            self.newest_first.toggle()
        else:  # only the journal order: the indicator stays on the n° column
            self._show_order()

    def _order_changed(self, newest_first: bool) -> None:
        self.model.set_newest_first(newest_first)
        self._show_order()

    def _show_order(self) -> None:
        order = (
            Qt.SortOrder.DescendingOrder
            if self.newest_first.isChecked()
            else (Qt.SortOrder.AscendingOrder)
        )
        self.table.horizontalHeader().setSortIndicator(0, order)

    def _update_count(self) -> None:
        if self.model.busy:
            self.count.setText(_("Recherche dans le journal…"))
            return
        total = self.model.total
        self.count.setText(
            ngettext("{n} transfert", "{n} transferts", total).format(n=format_number(total))
        )
        self.detail.setText("")

    def _current_changed(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        self.detail.setText(describe(row) if row is not None else "")

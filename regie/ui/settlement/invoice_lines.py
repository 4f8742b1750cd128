"""The lines of an invoice being written: label, nature, quantity, unit price excl. VAT, VAT
rate; each line's total and the totals per VAT rate follow every keystroke."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from regie.i18n import N_, _
from regie.money import MoneyFormatError, parse_cents
from regie.settlement.invoices import LineInput, vat_breakdown
from regie.ui.settlement.words import LINE_KINDS, VAT_RATES, euros, rate

LABEL, KIND, QUANTITY, UNIT, VAT, TOTAL = range(6)
HEADERS = (
    N_("Désignation"),
    N_("Nature"),
    N_("Quantité"),
    N_("Prix unitaire HT (€)"),
    N_("TVA"),
    N_("Total HT"),
)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Reading:
    lines: list[LineInput]
    problems: list[str]  # "Ligne 2, quantité : …"


class InvoiceLines(QTableWidget):
    edited = Signal()  # a line changed: the totals follow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("invoiceLines")
        self.setHorizontalHeaderLabels([_(header) for header in HEADERS])
        self.verticalHeader().setDefaultSectionSize(28)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        self.exempt = False  # a VAT exemption: every line at 0 %
        self.itemChanged.connect(self._changed)

    def add_line(
        self,
        label: str = "",
        quantity: str = "1",
        unit: str = "",
        vat_bp: int = 2000,
        kind: str = "service",
    ) -> int:
        row = self.rowCount()
        self.blockSignals(True)
        self.insertRow(row)
        for column, text in ((LABEL, label), (QUANTITY, quantity), (UNIT, unit)):
            item = QTableWidgetItem(text)
            if column != LABEL:
                item.setTextAlignment(RIGHT)
            self.setItem(row, column, item)
        total = QTableWidgetItem("")
        total.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        total.setTextAlignment(RIGHT)
        self.setItem(row, TOTAL, total)
        nature = QComboBox()
        for name, words in LINE_KINDS.items():
            nature.addItem(_(words), name)
        nature.setCurrentIndex(nature.findData(kind))
        vat = QComboBox()
        for bp in VAT_RATES:
            vat.addItem(rate(bp), bp)
        vat.setCurrentIndex(max(vat.findData(0 if self.exempt else vat_bp), 0))
        vat.setEnabled(not self.exempt)
        for column, combo in ((KIND, nature), (VAT, vat)):
            combo.currentIndexChanged.connect(self._changed)
            self.setCellWidget(row, column, combo)
        self.blockSignals(False)
        self._changed()
        return row

    def remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.selectedIndexes()}, reverse=True):
            self.removeRow(row)
        self._changed()

    def set_exempt(self, exempt: bool) -> None:
        """Under a VAT exemption every line is at 0 % (the core refuses any other rate)."""
        self.exempt = exempt
        for row in range(self.rowCount()):
            vat = self.combo(row, VAT)
            if exempt:
                vat.setCurrentIndex(vat.findData(0))
            vat.setEnabled(not exempt)
        self._changed()

    def combo(self, row: int, column: int) -> QComboBox:
        widget = self.cellWidget(row, column)
        assert isinstance(widget, QComboBox)
        return widget

    def text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text().strip() if item is not None else ""

    def read(self) -> Reading:
        """The lines as the core takes them, and what cannot be read, by line and field."""
        lines: list[LineInput] = []
        problems: list[str] = []
        for row in range(self.rowCount()):
            label = self.text(row, LABEL)
            line = row + 1
            values: list[int] = []
            for field, column in ((N_("quantité"), QUANTITY), (N_("prix HT"), UNIT)):
                try:
                    values.append(parse_cents(self.text(row, column)))
                except MoneyFormatError as error:
                    problems.append(
                        _("Ligne {line}, {field} : {problem}").format(
                            line=line, field=_(field), problem=error
                        )
                    )
            if not label:
                problems.append(_("Ligne {line}, désignation : à remplir").format(line=line))
            if len(values) < 2 or not label:
                continue
            if values[0] <= 0:
                problems.append(
                    _("Ligne {line}, quantité : doit être plus grande que zéro").format(line=line)
                )
                continue
            # Quantities are typed to the hundredth and kept in thousandths (1,5 day = 1500).
            lines.append(
                LineInput(
                    label,
                    values[0] * 10,
                    values[1],
                    int(self.combo(row, VAT).currentData()),
                    str(self.combo(row, KIND).currentData()),
                )
            )
        return Reading(lines, problems)

    def _changed(self, *_args: object) -> None:
        self.blockSignals(True)
        for row in range(self.rowCount()):
            try:
                quantity = parse_cents(self.text(row, QUANTITY)) * 10
                unit = parse_cents(self.text(row, UNIT))
                shown = euros(LineInput("", quantity, unit, 0).total_cents)
            except MoneyFormatError:
                shown = "—"
            total = self.item(row, TOTAL)
            if total is not None:
                total.setText(shown)
        self.blockSignals(False)
        self.edited.emit()


def totals_html(lines: list[LineInput]) -> str:
    """The totals per VAT rate, then excl. VAT, VAT and incl. VAT, as a small table."""
    rows = []
    total_excl = total_vat = 0
    for bp, base, vat in vat_breakdown(lines):
        cells = (
            _("TVA {rate}").format(rate=rate(bp)),
            _("base {amount}").format(amount=euros(base)),
            _("TVA {amount}").format(amount=euros(vat)),
        )
        rows.append(
            "<tr><td>{}</td><td align='right'>{}</td><td align='right'>{}</td></tr>".format(*cells)
        )
        total_excl += base
        total_vat += vat
    for title, cents in (
        (_("Total HT"), total_excl),
        (_("Total TVA"), total_vat),
        (_("Total TTC"), total_excl + total_vat),
    ):
        rows.append(
            f"<tr><td><b>{title}</b></td><td></td><td align='right'><b>{euros(cents)}</b></td></tr>"
        )
    return "<table cellspacing='0' cellpadding='3'>" + "".join(rows) + "</table>"

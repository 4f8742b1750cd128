"""The four live lists of an audit: present, missing, unknown, misplaced, with counts."""

from __future__ import annotations

import bisect

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from regie.i18n import N_, _
from regie.inventory.audits import AuditResult, AuditState
from regie.ui.inventory.table_models import Column, RowsModel, make_table

Line = tuple[str, str]  # tag, and its model or where it should be
# key, title, second column, colour, share of the width (misplaced says where: more room)
LISTS = (
    ("present", N_("Présents"), N_("Modèle"), "#0b6b2f", 5),
    ("missing", N_("Manquants"), N_("Modèle"), "#33414f", 5),
    ("unknown", N_("Inconnus"), "", "#b3261e", 4),
    ("misplaced", N_("Mal placés"), N_("Lieu attendu"), "#8a4b00", 7),
)


class AuditLists(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.models: dict[str, RowsModel[Line]] = {}
        self.titles: dict[str, QLabel] = {}
        self._audit_id: int | None = None  # the audit the lists show, updated scan by scan
        for column, (key, _title, second, colour, stretch) in enumerate(LISTS):
            columns: list[Column[Line]] = [Column(N_("Étiquette"), lambda line: line[0])]
            if second:
                columns.append(Column(second, lambda line: line[1]))
            model: RowsModel[Line] = RowsModel(columns, parent=self)
            title = QLabel()
            title.setObjectName(f"audit-title-{key}")
            title.setStyleSheet(f"font-weight: bold; font-size: 15px; color: {colour};")
            self.models[key], self.titles[key] = model, title
            grid.addWidget(title, 0, column)
            table = make_table(f"audit-{key}", model)
            title.setBuddy(table)  # the list's title names it to a screen reader
            grid.addWidget(table, 1, column)
            grid.setColumnStretch(column, stretch)
        self.clear()

    def show_state(self, state: AuditState) -> None:
        """An audit in progress: what is expected and not seen yet is missing.

        After a scan only the new lines move (a depot holds thousands of items: the lists
        are not rebuilt at each keystroke of the scanner).
        """
        if state.audit_id == self._audit_id and self._grew_by_scans(state):
            self._count(len(state.expected))
            return
        self._audit_id = state.audit_id
        expected = state.expected
        self._show(
            {
                "present": [(tag, expected.get(tag, "")) for tag in state.present],
                "missing": [(tag, expected[tag]) for tag in state.missing],
                "unknown": [(tag, "") for tag in state.unknown],
                "misplaced": list(state.misplaced),
            },
            len(expected),
        )

    def show_result(self, result: AuditResult) -> None:
        """A saved audit: its lists stay readable after it is closed."""
        self._audit_id = None
        self._show(
            {
                "present": [(tag, "") for tag in result.present],
                "missing": [(tag, "") for tag in result.missing],
                "unknown": [(tag, "") for tag in result.unknown],
                "misplaced": list(result.misplaced),
            },
            len(result.present) + len(result.missing),
        )

    def clear(self) -> None:
        self._audit_id = None
        self._show({key: [] for key, *_rest in LISTS}, 0)

    def _grew_by_scans(self, state: AuditState) -> bool:
        """Append what the last scans added; False when the lists must be rebuilt."""
        models = self.models
        seen = (
            len(models["present"].rows()),
            len(models["unknown"].rows()),
            len(models["misplaced"].rows()),
        )
        if seen[0] > len(state.present) or seen[1] > len(state.unknown):
            return False
        if seen[2] > len(state.misplaced):
            return False
        new_present = state.present[seen[0] :]
        models["present"].append([(tag, state.expected.get(tag, "")) for tag in new_present])
        models["unknown"].append([(tag, "") for tag in state.unknown[seen[1] :]])
        models["misplaced"].append(list(state.misplaced[seen[2] :]))
        missing = models["missing"]
        for tag in new_present:  # the missing list is sorted by tag
            tags = [line[0] for line in missing.rows()]
            row = bisect.bisect_left(tags, tag)
            if row < len(tags) and tags[row] == tag:
                missing.remove_at(row)
        return True

    def _show(self, rows: dict[str, list[Line]], expected: int) -> None:
        for key, *_rest in LISTS:
            self.models[key].set_rows(rows[key])
        self._count(expected)

    def _count(self, expected: int) -> None:
        for key, title, *_rest in LISTS:
            shown = self.models[key].rowCount()
            count = f"{shown} / {expected}" if key == "present" else str(shown)
            self.titles[key].setText(_("{title} ({count})").format(title=_(title), count=count))

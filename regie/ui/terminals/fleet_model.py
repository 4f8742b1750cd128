"""The fleet table: one row per terminal, a check box to pick it, its port (typed or picked),
what it runs, and the live progress and result of the last push or pull."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from regie import clock
from regie.i18n import N_, _, local_time
from regie.terminals.registry import TerminalInfo
from regie.terminals.sizes import progress_percent

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
HEADERS = (
    N_("Terminal"),
    N_("Point de vente"),
    N_("Port"),
    N_("Configuration"),
    N_("Journal"),
    N_("Vu"),
    N_("Progression"),
    N_("Résultat"),
)
PORT, PROGRESS, RESULT = 2, 6, 7
GOOD, BAD, WAITING = QColor("#1e7a34"), QColor("#b3261e"), QColor("#5b6b7a")
# The core's stage names (keys the core reports, never shown) → what the progress bar says.
STAGES = {
    "attente": N_("en attente"),
    "connexion": N_("connexion"),
    "envoi": N_("envoi"),
    "vérification": N_("vérification"),  # i18n: not shown
    "validée": N_("en service"),  # i18n: not shown
    "à jour": N_("déjà à jour"),  # i18n: not shown
    "échec": N_("échec"),  # i18n: not shown
    "relevé": N_("relevé"),  # i18n: not shown
    "import": N_("import"),
    "terminé": N_("relevé"),  # i18n: not shown
}


@dataclass
class FleetRow:
    info: TerminalInfo
    port: str
    checked: bool = False
    stage: str = ""
    done: int = 0
    total: int = 0
    ok: bool | None = None
    result: str = ""

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def fraction(self) -> float:
        if self.stage in ("validée", "à jour", "terminé"):  # i18n: not shown
            return 1.0
        return self.done / self.total if self.total else 0.0

    def progress_text(self) -> str:
        if not self.stage:
            return ""
        label = _(STAGES.get(self.stage, self.stage))
        if self.stage in ("envoi", "relevé", "import") and self.total:  # i18n: not shown
            return _("{stage} {percent} %").format(
                stage=label, percent=progress_percent(self.done, self.total)
            )
        return label


def seen_text(info: TerminalInfo) -> str:
    if info.last_seen is None:
        return _("jamais")
    seen = local_time(info.last_seen)
    today = local_time(clock.now()).date()
    return seen.strftime("%H:%M" if seen.date() == today else "%d/%m %H:%M")  # i18n: not shown


def configuration_text(info: TerminalInfo) -> str:
    if info.config_version is None:
        text = _("aucune")
    else:
        text = _("v{version} en service").format(version=info.config_version)
    if info.prepared_version and info.prepared_version != info.config_version:
        text += _(" (v{version} prête)").format(version=info.prepared_version)
    return text


class FleetModel(QAbstractTableModel):
    port_edited = Signal(str, str)  # terminal, port

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[FleetRow] = []

    # -- content -------------------------------------------------------------------------
    def load(self, infos: list[TerminalInfo]) -> None:
        """New registry rows; ticks, typed ports and the last results stay."""
        before = {row.name: row for row in self._rows}
        self.beginResetModel()
        self._rows = []
        for info in infos:
            old = before.get(info.name)
            row = FleetRow(info, info.port)
            if old is not None:
                row.port, row.checked = old.port or info.port, old.checked
                row.stage, row.done, row.total = old.stage, old.done, old.total
                row.ok, row.result = old.ok, old.result
            self._rows.append(row)
        self.endResetModel()

    def rows(self) -> list[FleetRow]:
        return list(self._rows)

    def row_named(self, name: str) -> int:
        return next(n for n, row in enumerate(self._rows) if row.name == name)

    def checked(self) -> list[FleetRow]:
        return [row for row in self._rows if row.checked]

    def failed(self) -> list[FleetRow]:
        return [row for row in self._rows if row.ok is False]

    def check_all(self, checked: bool = True) -> None:
        for row in self._rows:
            row.checked = checked
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def set_port(self, name: str, port: str) -> None:
        self.setData(self.index(self.row_named(name), PORT), port)

    def set_progress(self, name: str, stage: str, done: int, total: int) -> None:
        number = self.row_named(name)
        row = self._rows[number]
        row.stage, row.done, row.total = stage, done, total
        if stage in ("attente", "connexion"):
            row.ok, row.result = None, ""
        self.dataChanged.emit(self.index(number, PROGRESS), self.index(number, RESULT))

    def set_result(self, name: str, ok: bool, message: str) -> None:
        number = self.row_named(name)
        row = self._rows[number]
        row.ok, row.result = ok, message.removeprefix(f"{name} : ")
        if not ok:
            row.stage = "échec"  # i18n: not shown
        self.dataChanged.emit(self.index(number, 0), self.index(number, RESULT))

    # -- Qt ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def cell(self, row: FleetRow, column: int) -> str:
        info = row.info
        values = (
            info.name,
            info.pos or "—",
            row.port or _("(à choisir)"),
            configuration_text(info),
            _("n°{seq}").format(seq=info.last_seq) if info.last_seq else _("rien relevé"),
            seen_text(info),
            row.progress_text(),
            row.result,
        )
        return values[column]

    def describe(self, row: FleetRow) -> str:
        """The whole story of a row, for its tooltip and the line under the table."""
        info = row.info
        asset = f"{info.asset_tag} · {info.model}" if info.asset_tag else _("sans matériel")
        if info.serial_number:
            asset += _(" n° {serial}").format(serial=info.serial_number)
        text = f"{info.name} — {asset}, {info.pos or _('sans point de vente')}"
        if info.agent_version:
            text += _(", {agent} (protocole {protocol})").format(
                agent=info.agent_version, protocol=info.protocol
            )
        return text + (f"\n{row.result}" if row.result else "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return self.describe(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(row, column)
        if role == Qt.ItemDataRole.EditRole and column == PORT:
            return row.port
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return Qt.CheckState.Checked if row.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole and column == PROGRESS:
            return row.fraction
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == PORT and not row.port:
                return WAITING
            if column in (PROGRESS, RESULT) and row.ok is not None:
                return GOOD if row.ok else BAD
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.column() == 0:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == PORT:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            row.checked = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole and index.column() == PORT:
            port = str(value).strip()
            if port == row.port:
                return True
            row.port = port
            self.port_edited.emit(row.name, port)
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        return None

"""Réglages de la convention: every number in force on a day, where it comes from, its
history, and a new value with the date it applies from (a change never rewrites the past)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _
from regie.people.roles import Permission
from regie.settings.convention import (
    OPTIONS,
    Option,
    Settings,
    Version,
    history,
    option,
    parse_value,
    set_setting,
    settings_at,
)
from regie.ui.inventory.messages import confirm
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.permissions import guard
from regie.ui.settlement.screen import (
    Screen,
    date_edit,
    failure_text,
    python_date,
    say,
    single_row,
    status_line,
)
from regie.ui.settlement.words import capitalised, day, euros, rate
from regie.ui.tasks import Task


@dataclass(frozen=True)
class SettingRow:
    option: Option
    value: str
    since: str


def shown(declared: Option, value: int | str) -> str:
    """A setting's value for people: euros, a rate, a number, or its text cut short."""
    if declared.kind == "cents" and isinstance(value, int):
        return euros(value)
    if declared.kind == "bp" and isinstance(value, int):
        return rate(value)
    text = str(value)
    return text if len(text) <= 48 else text[:47] + "…"


COLUMNS: list[Column[SettingRow]] = [
    Column(N_("Réglage"), lambda r: capitalised(_(r.option.label))),
    Column(N_("Valeur"), lambda r: r.value, numeric=True),
    Column(N_("Depuis"), lambda r: r.since),
    Column(N_("Nom"), lambda r: r.option.name),
]
HISTORY: list[Column[Version]] = [
    Column(N_("À partir du"), lambda v: day(v.valid_from)),
    Column(N_("Valeur"), lambda v: shown(option(v.name), v.value), numeric=True),
    Column(N_("Note"), lambda v: v.note),
]


class SettingsScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.versions: list[Version] = []
        self.at = date_edit("settingsAt", clock.today())
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Réglages en vigueur le")))
        top.addWidget(self.at)
        explain = QLabel(
            _("Un règlement prend les valeurs en vigueur le dernier jour de sa prestation.")
        )
        explain.setStyleSheet("color: #5b6b7a;")
        top.addWidget(explain, 1)
        self.model: RowsModel[SettingRow] = RowsModel(COLUMNS, parent=self)
        self.table = single_row(make_table("settingsTable", self.model, stretch=0))
        self.table.selectionModel().selectionChanged.connect(self._chosen)

        self.change_box = QGroupBox(_("Historique et nouvelle valeur"))
        self.history: RowsModel[Version] = RowsModel(HISTORY, parent=self)
        self.history_table = make_table("settingsHistory", self.history, stretch=2)
        self.history_table.setMaximumHeight(130)
        self.value = QLineEdit()
        self.value.setObjectName("settingValue")
        self.valid_from = date_edit("settingFrom", clock.today())
        self.note = QLineEdit()
        self.note.setObjectName("settingNote")
        self.note.setPlaceholderText(_("décision, assemblée, avenant…"))
        self.save_button = QPushButton(_("Enregistrer la nouvelle &valeur…"))
        self.save_button.setObjectName("settingSave")
        self.may_change = guard(self.save_button, db, Permission.CHANGE_CONVENTION)
        form = QFormLayout()
        form.addRow(_("Nouve&lle valeur :"), self.value)
        form.addRow(_("À pa&rtir du :"), self.valid_from)
        form.addRow(_("Not&e :"), self.note)
        form.addRow("", self.save_button)
        change = QHBoxLayout(self.change_box)
        change.addWidget(self.history_table, 3)
        change.addLayout(form, 2)
        self.status = status_line("settingsStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.change_box)
        layout.addWidget(self.status)
        self.at.dateChanged.connect(self.refresh)
        self.save_button.clicked.connect(self.ask_save)
        self.value.returnPressed.connect(self.ask_save)
        self.settle_controls()

    def controls(self) -> list[QWidget]:
        return [self.at, self.save_button]

    def settle_controls(self) -> None:
        if not self.busy:
            self.change_box.setEnabled(self.selected() is not None)
            self.save_button.setEnabled(self.may_change)

    def refresh(self) -> None:
        db, at = self.db, self.at.last_day()  # the day the list shows until a new one is read

        def read(_task: Task) -> tuple[Settings, list[Version]]:
            with db.session() as session:
                return settings_at(session, at), history(session)

        self.run("settings-read", read, self._read)

    def _read(self, state: tuple[Settings, list[Version]]) -> None:
        values, self.versions = state
        chosen = self.selected()
        rows = []
        for declared in OPTIONS:
            since = values.since.get(declared.name)
            rows.append(
                SettingRow(
                    declared,
                    shown(declared, values.values[declared.name]),
                    _("le {day}").format(day=day(since)) if since else _("par défaut"),
                )
            )
        self.model.set_rows(rows)
        if chosen is not None:
            self.choose(chosen.option.name)
        self._chosen()

    def selected(self) -> SettingRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def choose(self, name: str) -> None:
        row = next(n for n, r in enumerate(self.model.rows()) if r.option.name == name)
        self.table.selectRow(row)

    def _chosen(self) -> None:
        chosen = self.selected()
        self.settle_controls()
        if chosen is None:
            self.history.set_rows([])
            self.change_box.setTitle(_("Historique et nouvelle valeur (choisissez un réglage)"))
            return
        self.change_box.setTitle(
            _("Historique de « {setting} »").format(setting=_(chosen.option.label))
        )
        self.history.set_rows([v for v in self.versions if v.name == chosen.option.name])
        self.value.setPlaceholderText(chosen.value)

    def ask_save(self) -> None:
        chosen = self.selected()
        if chosen is None or not self.value.text().strip():
            return
        declared = chosen.option
        try:
            starts = python_date(self.valid_from)
            typed = shown(declared, parse_value(declared, self.value.text()))
        except UserError as error:
            say(self.status, str(error), "error")
            return
        confirm(
            self,
            _("Nouvelle valeur d'un réglage"),
            _(
                "À partir du {day}, « {setting} » vaudra {value}. Les règlements des prestations "
                "qui finissent à cette date ou après l'utiliseront ; ceux d'avant gardent "
                "l'ancienne valeur."
            ).format(day=day(starts), setting=_(declared.label), value=typed),
            _("&Enregistrer"),
            lambda: self.save(declared.name, self.value.text(), starts, self.note.text()),
        )

    def save(self, name: str, value: str, starts: dt.date, note: str) -> None:
        db = self.db

        def work(_task: Task) -> Version:
            with db.session() as session:
                return set_setting(session, name, value, starts, note.strip())

        self.run("settings-save", work, self._saved, failed=self._save_failed)

    def _saved(self, version: Version) -> None:
        declared = option(version.name)
        self.value.clear()
        self.note.clear()
        say(
            self.status,
            _("{setting} : {value} à partir du {day}.").format(
                setting=capitalised(_(declared.label)),
                value=shown(declared, version.value),
                day=day(version.valid_from),
            ),
            "ok",
        )
        self.changed.emit()
        self.refresh()

    def _save_failed(self, error: BaseException) -> None:
        say(self.status, failure_text(error), "error")

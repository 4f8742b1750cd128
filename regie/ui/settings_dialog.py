"""Préférences: every setting of the registry shown in the dialog, one tab per group, each
with the editor its kind calls for. OK checks everything first, then saves (the office's
settings in the database, this laptop's in its file); Annuler changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.errors import NotFound, UserError
from regie.i18n import LANGUAGES, _, language
from regie.logs import describe_failure
from regie.people.roles import Permission
from regie.settings.laptop import LaptopSettings
from regie.settings.office import invoicing_organisation, office_values, set_office
from regie.settings.registry import (
    CONVENTION,
    GROUPS,
    ORGANISATION,
    SETTINGS,
    BadValue,
    Setting,
    Value,
)
from regie.terminals.ports import candidate_ports
from regie.ui.forms.file_dialogs import folder_path
from regie.ui.permissions import refusal

log = logging.getLogger(__name__)


class Field:
    """One setting's editor: ``value()`` reads it back (BadValue when it cannot be read)."""

    def __init__(self, item: Setting, widget: QWidget, read: Callable[[], Value]) -> None:
        self.item = item
        self.widget = widget
        self.read = read

    def value(self) -> Value:
        return self.item.check(self.read())


def decimal_text(value: int) -> str:
    """Cents (or basis points) as a person types them: ``50000`` → ``500,00`` in French."""
    whole, part = divmod(value, 100)
    text = f"{whole}.{part:02d}"
    return text.replace(".", ",") if language() == "fr" else text


def combo(name: str, entries: list[tuple[str, str]], current: str) -> QComboBox:
    """An editable list: known entries (value, description) and whatever the user types."""
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    for value, description in entries:
        box.addItem(value)
        box.setItemData(box.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
    box.setCurrentText(current)
    return box


def placeholder(box: QComboBox, text: str) -> None:
    line = box.lineEdit()
    if line is not None:
        line.setPlaceholderText(text)


class PreferencesDialog(QDialog):
    languageChanged = Signal(str)  # after OK, when the language is another one

    def __init__(
        self, settings: LaptopSettings, db: Database, devices: DeviceManager, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Préférences"))
        self.resize(800, 600)
        self.settings = settings
        self.db = db
        self.devices = devices
        self.values = {s.key: settings.get(s.key) for s in SETTINGS if s.scope == "laptop"}
        self.office_problem = ""
        self.convention_refused = ""  # an operator sees the convention, a manager changes it
        self.organisation_refused = ""  # and the office's own settings (organisation.*)
        try:
            self.convention_refused = refusal(db, Permission.CHANGE_CONVENTION)
            self.organisation_refused = refusal(db, Permission.CHANGE_SETTINGS)
            with db.session() as session:
                self.values.update(office_values(session))
                invoicing_organisation(session)
        except NotFound as missing:
            self.office_problem = str(missing)
        except Exception as error:  # the office's database unreachable: its tabs say so
            log.exception("reading the office settings")
            self.office_problem = describe_failure(error)
        self.fields: dict[str, Field] = {}

        self.tabs = QTabWidget()
        self.tabs.setObjectName("preferenceTabs")
        for group in GROUPS:
            items = [s for s in SETTINGS if s.group == group and s.shown]
            if items:
                self.tabs.addTab(self._tab(group, items), _(group))
        self.problem = QLabel("")
        self.problem.setObjectName("preferencesProblem")
        self.problem.setStyleSheet("color: #a33a00; font-weight: bold;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox()
        ok = buttons.addButton(_("Enregistrer"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("preferencesSave")
        cancel = buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("preferencesCancel")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for problem in settings.problems:  # the file had values Régie could not read
            self.problem.setText(problem)

    # -- building ------------------------------------------------------------------------
    def _tab(self, group: str, items: list[Setting]) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        office = items[0].scope == "office"
        if office:
            notes = [
                _("Réglages du bureau : gardés dans la base, les mêmes sur chaque ordinateur."),
                _(items[0].help),  # the group's: where these values are kept and used
            ]
            for text in notes:
                note = QLabel(text)
                note.setWordWrap(True)
                note.setStyleSheet("color: #5b6b7a;")
                column.addWidget(note)
            if self.office_problem:
                warning = QLabel(self.office_problem)
                warning.setObjectName("officeProblem")
                warning.setWordWrap(True)
                warning.setStyleSheet("color: #a33a00;")
                column.addWidget(warning)
        refused = {
            CONVENTION: self.convention_refused,
            ORGANISATION: self.organisation_refused,
        }.get(group, "")
        if refused:
            note = QLabel(refused)
            note.setObjectName(
                "conventionRefused" if group == CONVENTION else "organisationRefused"
            )
            note.setWordWrap(True)
            note.setStyleSheet("color: #a33a00; font-weight: bold;")
            column.addWidget(note)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column.addLayout(form)
        column.addStretch(1)
        for item in items:
            field = self._field(item)
            field.widget.setToolTip(_(item.help) if item.help else "")
            missing = item.key not in self.values or item.key.startswith("organisation.")
            if office and self.office_problem and missing:
                field.widget.setEnabled(False)
            if refused:
                field.widget.setEnabled(False)
                field.widget.setToolTip(refused)
            self.fields[item.key] = field
            text = _(item.label)
            label = QLabel(text[:1].upper() + text[1:])  # whole: a wrapped label gets clipped
            form.addRow(label, field.widget)
        if len(items) < 10:
            return page
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def _field(self, item: Setting) -> Field:
        current = self.values.get(item.key, item.default)
        name = "setting-" + item.key
        if item.kind == "choice":
            box = QComboBox()
            box.setObjectName(name)
            names = LANGUAGES if item.key == "language" else {c: c for c in item.choices}
            for code in item.choices:
                box.addItem(names[code], code)
            box.setCurrentIndex(max(box.findData(current), 0))
            return Field(item, box, lambda: str(box.currentData()))
        if item.kind == "int":
            spin = QSpinBox()
            spin.setObjectName(name)
            spin.setRange(item.minimum or 0, item.maximum or 1_000_000)
            spin.setValue(int(current))
            return Field(item, spin, spin.value)
        if item.kind == "reader":
            readers = sorted(self.devices.state.readers)
            entries = [(reader, _("branché")) for reader in readers]
            box = combo(name, entries, str(current))
            placeholder(box, _("le premier trouvé"))
            return Field(item, box, lambda: box.currentText().strip())
        if item.kind == "port":
            ports = candidate_ports([str(current)] if current else [])
            box = combo(name, [(p.port, p.description) for p in ports], str(current))
            placeholder(box, _("à choisir à chaque fois"))
            return Field(item, box, lambda: box.currentText().strip())
        if item.kind == "folder":
            return self._folder_field(item, name, str(current))
        if item.key == "organisation.address":
            text = QPlainTextEdit(str(current))
            text.setObjectName(name)
            text.setFixedHeight(72)
            return Field(item, text, lambda: text.toPlainText().strip())
        if item.kind in ("cents", "bp") and isinstance(current, int):
            amount = QLineEdit(decimal_text(current))
            amount.setObjectName(name)
            return self._amount_field(item, amount)
        line = QLineEdit(str(current))
        line.setObjectName(name)
        return Field(item, line, lambda: line.text().strip())

    def _amount_field(self, item: Setting, line: QLineEdit) -> Field:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        line.setAlignment(Qt.AlignmentFlag.AlignRight)
        row.addWidget(line, 1)
        row.addWidget(QLabel("€" if item.kind == "cents" else "%"))
        field = Field(item, holder, lambda: item.parse(line.text()))
        field.widget.setObjectName(line.objectName() + "-row")
        return field

    def _folder_field(self, item: Setting, name: str, current: str) -> Field:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        line = QLineEdit(current)
        line.setObjectName(name)
        line.setPlaceholderText(_("le dossier « sauvegardes » des données de Régie"))
        choose = QPushButton(_("Choisir…"))

        def pick() -> None:
            typed = line.text().strip()
            folder = folder_path(self, _(item.label), Path(typed) if typed else None)
            if folder:
                line.setText(str(folder))

        choose.clicked.connect(pick)
        row.addWidget(line, 1)
        row.addWidget(choose)

        def read() -> str:
            text = line.text().strip()
            if text and not Path(text).expanduser().is_dir():
                raise BadValue(_("le dossier « {folder} » n'existe pas").format(folder=text))
            return text

        return Field(item, holder, read)

    # -- saving --------------------------------------------------------------------------
    def save(self) -> None:
        """Check every field, then write what changed; a refusal leaves everything as it was."""
        chosen: dict[str, Value] = {}
        for key, field in self.fields.items():
            if not field.widget.isEnabled():
                continue
            try:
                chosen[key] = field.value()
            except UserError as error:
                self._refuse(field, str(error))
                return
        changed = {k: v for k, v in chosen.items() if v != self.values.get(k, v)}
        office = {k: v for k, v in changed.items() if self.fields[k].item.scope == "office"}
        laptop = {k: v for k, v in changed.items() if self.fields[k].item.scope == "laptop"}
        current = next(iter(self.fields.values()))
        try:
            if office:
                with self.db.session() as session:
                    for key, value in office.items():
                        current = self.fields[key]
                        set_office(session, key, value)
            current = self.fields["language"]
            self.settings.update(laptop)
        except UserError as error:
            self._refuse(current, str(error))
            return
        except Exception as error:
            log.exception("saving the settings")
            self.problem.setText(
                _("Rien n'est enregistré : {reason}").format(reason=describe_failure(error))
            )
            return
        self.accept()
        if "language" in laptop:
            self.languageChanged.emit(str(laptop["language"]))

    def _refuse(self, field: Field, message: str) -> None:
        self.problem.setText(_(field.item.label) + " — " + message)
        widget: QWidget | None = field.widget
        while widget is not None and self.tabs.indexOf(widget) < 0:
            widget = widget.parentWidget()
        if widget is not None:
            self.tabs.setCurrentIndex(self.tabs.indexOf(widget))
        field.widget.setFocus()

"""« Utilisateurs » (administrators): who may use Régie, with which role, and their PINs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.people.actor import has_people, set_desk_actor, sign_in
from regie.people.directory import PersonRow, add_person, list_people, set_active, set_pin, set_role
from regie.people.roles import Role, role_label
from regie.ui.inventory.messages import show_error


class UsersScreen(QWidget):
    changed = Signal()  # people were added or changed: the audit trail has new lines
    signed_in = Signal()  # the first administrator, just created here, is at the keyboard

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("usersScreen")
        self.people: list[PersonRow] = []
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels([_("Nom"), _("Rôle"), _("État")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        self.name = QLineEdit()
        self.name.setObjectName("userName")
        self.role = QComboBox()
        self.role.setObjectName("userRole")
        for role in Role:
            self.role.addItem(role_label(role), role.value)
        self.pin = QLineEdit()
        self.pin.setObjectName("userPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(_("4 à 12 chiffres"))
        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        form.addRow(_("Rôle"), self.role)
        form.addRow(_("Code PIN"), self.pin)
        buttons = QHBoxLayout()
        self.add_button = self._button(_("A&jouter"), "addUser", self.add)
        self.role_button = self._button(_("Changer le &rôle"), "changeRole", self.change_role)
        self.pin_button = self._button(_("Changer le &code"), "changePin", self.change_pin)
        self.active_button = self._button(_("Dé&sactiver"), "toggleUser", self.toggle_active)
        for button in (self.add_button, self.role_button, self.pin_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        help_text = QLabel(
            _(
                "Opérateur : la caisse, les prêts, les cartes. Responsable : aussi les Z, les "
                "remboursements, les sorties d'inventaire et la convention. Administrateur : "
                "aussi les utilisateurs."
            )
        )
        help_text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.reload()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def reload(self) -> None:
        with self.db.session() as session:
            self.people = list_people(session)
        self.table.setRowCount(len(self.people))
        for row, person in enumerate(self.people):
            state = _("actif") if person.active else _("désactivé")
            for column, text in enumerate((person.name, role_label(person.role), state)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._selected()

    def selected(self) -> PersonRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.people[rows[0].row()] if rows else None

    def _selected(self) -> None:
        person = self.selected()
        for button in (self.role_button, self.pin_button, self.active_button):
            button.setEnabled(person is not None)
        if person is not None:
            self.name.setText(person.name)
            self.role.setCurrentIndex(self.role.findData(person.role))
            self.active_button.setText(_("Dé&sactiver") if person.active else _("Réac&tiver"))

    def _run(self, work: Callable[[Session], object]) -> bool:
        try:
            with self.db.session() as session:
                work(session)
        except UserError as error:
            show_error(self, str(error))
            return False
        self.pin.clear()
        self.reload()
        self.changed.emit()
        return True

    def add(self) -> None:
        name, role, pin = self.name.text(), self.role.currentData(), self.pin.text()
        with self.db.session() as session:
            first = not has_people(session)
        if self._run(lambda s: add_person(s, name, role, pin)) and first:
            # Whoever creates the first administrator is that person: no Ctrl+U needed to
            # leave the single-user mode the base was in a moment ago.
            set_desk_actor(sign_in(self.db, name, pin, place="window"))
            self.signed_in.emit()

    def change_role(self) -> None:
        if (person := self.selected()) is not None:
            self._run(lambda s: set_role(s, person.name, self.role.currentData()))

    def change_pin(self) -> None:
        if (person := self.selected()) is not None:
            self._run(lambda s: set_pin(s, person.name, self.pin.text()))

    def toggle_active(self) -> None:
        if (person := self.selected()) is not None:
            self._run(lambda s: set_active(s, person.name, not person.active))

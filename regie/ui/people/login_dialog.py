"""« Qui êtes-vous ? »: a name and a PIN, at start and from « Changer d'utilisateur ».

A manager or administrator whose PIN is shorter than the rule (set before it) is asked for a
new one right there, before the window opens for them.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.people.actor import Actor, acting_as, set_desk_actor, sign_in
from regie.people.demo import demo_hint
from regie.people.directory import list_people, set_pin
from regie.people.pins import min_digits
from regie.people.roles import role_label


class LoginDialog(QDialog):
    """Accepted once a name and its PIN match; the person is then at the desk."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(_("Régie — identification"))
        with db.session() as session:
            people = [row for row in list_people(session) if row.active]
            hint = demo_hint(session)
        self.name = QComboBox()
        self.name.setObjectName("loginName")
        self.name.setEditable(True)
        for row in people:
            self.name.addItem(row.name)
        self.pin = QLineEdit()
        self.pin.setObjectName("loginPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(_("code à chiffres"))
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.new_pin, self.again = QLineEdit(), QLineEdit()
        for field, name in ((self.new_pin, "loginNewPin"), (self.again, "loginNewPinAgain")):
            field.setObjectName(name)
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pending: Actor | None = None  # signed in, but must choose a longer PIN first
        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        form.addRow(_("Code PIN"), self.pin)
        form.addRow(_("Nouveau code PIN"), self.new_pin)
        form.addRow(_("Encore une fois"), self.again)
        self.form = form
        self._show_new_pin(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Se connecter"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(_("Qui êtes-vous ? Choisissez votre nom et tapez votre code PIN."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        if hint:
            shown = ", ".join(
                _("{name} ({role}) : {pin}").format(name=name, role=role_label(role), pin=pin)
                for name, role, pin in hint
            )
            demo = QLabel(_("Démonstration — {people}").format(people=shown))
            demo.setObjectName("loginHint")
            demo.setWordWrap(True)
            demo.setStyleSheet("color: #5b6b7a;")
            layout.addWidget(demo)
        layout.addWidget(buttons)
        self.pin.setFocus()

    def _show_new_pin(self, shown: bool) -> None:
        for field in (self.new_pin, self.again):
            self.form.setRowVisible(field, shown)

    def try_sign_in(self) -> None:
        if self.pending is not None:
            self._change_pin(self.pending)
            return
        try:
            actor = sign_in(self.db, self.name.currentText(), self.pin.text(), place="window")
        except UserError as error:
            self.error.setText(str(error))
            self.pin.clear()
            self.pin.setFocus()
            return
        if actor.must_change_pin:
            self.pending = actor
            self.name.setEnabled(False)
            self.pin.setEnabled(False)
            self._show_new_pin(True)
            self.error.setText(
                _(
                    "Votre code PIN est trop court pour un {role} : choisissez-en un nouveau "
                    "d'au moins {digits} chiffres."
                ).format(role=role_label(actor.role), digits=min_digits(actor.role))
            )
            self.new_pin.setFocus()
            self.setMinimumWidth(max(self.width(), 420))
            self.adjustSize()  # room for the two new fields and the reason
            return
        self._signed_in(actor)

    def _change_pin(self, actor: Actor) -> None:
        if self.new_pin.text() != self.again.text():
            self.error.setText(_("les deux codes PIN diffèrent : tapez-les à nouveau"))
        else:
            try:
                with acting_as(actor), self.db.session() as session:
                    set_pin(session, actor.name, self.new_pin.text())
            except UserError as error:
                self.error.setText(str(error))
            else:
                self._signed_in(dataclasses.replace(actor, must_change_pin=False))
                return
        self.new_pin.clear()
        self.again.clear()
        self.new_pin.setFocus()

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        set_desk_actor(actor)
        self.accept()

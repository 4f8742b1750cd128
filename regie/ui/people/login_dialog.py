"""« Qui êtes-vous ? »: a name and a PIN, at start and from « Changer d'utilisateur »."""

from __future__ import annotations

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
from regie.people.actor import Actor, set_desk_actor, sign_in
from regie.people.demo import demo_hint
from regie.people.directory import list_people
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
        form = QFormLayout()
        form.addRow(_("Nom"), self.name)
        form.addRow(_("Code PIN"), self.pin)
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

    def try_sign_in(self) -> None:
        try:
            with self.db.session() as session:
                self.actor = sign_in(session, self.name.currentText(), self.pin.text())
        except UserError as error:
            self.error.setText(str(error))
            self.pin.clear()
            self.pin.setFocus()
            return
        set_desk_actor(self.actor)
        self.accept()

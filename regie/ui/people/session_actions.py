"""Who is at the keyboard: the login at start, the status-bar name, « Changer d'utilisateur »."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QWidget

from regie.db import Database
from regie.i18n import _
from regie.people.actor import current_actor, has_people, set_desk_actor
from regie.people.roles import role_label
from regie.ui.people.login_dialog import LoginDialog


def needs_login(db: Database) -> bool:
    with db.session() as session:
        return has_people(session)


def login_at_start(db: Database) -> bool:
    """Ask who is there when people exist; False: the person gave up (Régie closes)."""
    if not needs_login(db):
        return True
    return LoginDialog(db).exec() == QDialog.DialogCode.Accepted


def who_text() -> str:
    actor = current_actor()
    if actor is None:
        return _("Sans identification")
    return _("Connecté : {name} ({role})").format(name=actor.name, role=role_label(actor.role))


class SessionActions(QObject):
    """The window's part: call :meth:`add_to_menu` and :meth:`status_label` when building."""

    switched = Signal()  # another person is at the keyboard: screens show what they may do

    def __init__(self, window: QWidget, db: Database) -> None:
        super().__init__(window)
        self.window = window
        self.db = db
        self.label: QLabel | None = None

    def status_label(self) -> QLabel:
        self.label = QLabel(who_text())
        self.label.setObjectName("userStatus")
        return self.label

    def add_to_menu(self, menu: QMenu) -> QAction:
        action = QAction(_("Changer d'&utilisateur…"), self.window)
        action.setObjectName("switchUser")
        action.setShortcut(QKeySequence("Ctrl+U"))
        action.triggered.connect(self.switch_user)
        menu.addAction(action)
        return action

    def switch_user(self) -> LoginDialog:
        dialog = LoginDialog(self.db, self.window)
        dialog.accepted.connect(self._switched)
        dialog.open()
        return dialog

    def signed_in_here(self) -> None:
        """Someone was signed in without the login dialog (the first administrator)."""
        self._switched()

    def _switched(self) -> None:
        if self.label is not None:
            self.label.setText(who_text())
        self.switched.emit()

    def log_out(self) -> None:
        set_desk_actor(None)
        self._switched()

"""The « Utilisateurs et audit » section: the audit trail (managers and administrators) and
the users (administrators). Others see why the section is closed to them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.people.actor import may
from regie.people.roles import Permission
from regie.ui.people.trail_screen import TrailScreen
from regie.ui.people.users_screen import UsersScreen


class PeoplePage(QWidget):
    signed_in = Signal()  # the first administrator was created and signed in (users screen)

    def __init__(self, db: Database, devices: DeviceManager | None = None) -> None:
        super().__init__()
        self.db = db
        self.tabs = QTabWidget()
        self.tabs.setObjectName("peopleTabs")
        self.closed = QLabel()
        self.closed.setObjectName("peopleClosed")
        self.closed.setWordWrap(True)
        self.closed.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        title = QLabel(_("Utilisateurs et audit"))
        title.setObjectName("pageTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.closed, 1)
        self.trail: TrailScreen | None = None
        self.users: UsersScreen | None = None
        self.fresh = True
        self.rebuild()

    def rebuild(self) -> None:
        """Tabs for what the person at the desk may see (after a login or a change of user)."""
        self.tabs.clear()
        self.trail = self.users = None
        with self.db.session() as session:
            audit, people = (
                may(session, Permission.VIEW_AUDIT),
                may(session, Permission.MANAGE_PEOPLE),
            )
        self.fresh = True  # just read: the first showing needs no second reading
        if audit:
            self.trail = TrailScreen(self.db)
            self.tabs.addTab(self.trail, _("Journal d'audit"))
        if people:
            self.users = UsersScreen(self.db)
            self.users.signed_in.connect(self.signed_in)
            self.tabs.addTab(self.users, _("Utilisateurs"))
            if self.trail is not None:
                self.users.changed.connect(self.trail.reload_people)
        self.tabs.setVisible(audit or people)
        self.closed.setVisible(not (audit or people))
        self.closed.setText(
            _(
                "Le journal d'audit est réservé aux responsables et aux administrateurs ; "
                "changez d'utilisateur (menu Fichier) pour le consulter."
            )
        )

    def showEvent(self, event: QShowEvent) -> None:
        if self.trail is not None and not self.fresh:
            self.trail.reload_people()  # lines written since the page was last shown
        self.fresh = False
        super().showEvent(event)

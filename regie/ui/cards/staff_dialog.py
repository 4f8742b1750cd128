"""Make a staff card: the card (laid on the reader or typed), the person, the points of sale it
opens, manager mode, and an expiry date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie import clock
from regie.cards.monitor import CardInfo
from regie.cards.staff import ALL_POINTS_OF_SALE, StaffInfo, make_staff_card
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _, event_zone
from regie.ui.cards.taps import follow_taps, read_card
from regie.ui.inventory.forms import shown_locale
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.scan_field import ScanField
from regie.ui.qdates import qdate


class StaffCardDialog(QDialog):
    saved = Signal(object)  # StaffInfo

    def __init__(
        self,
        db: Database,
        devices: DeviceManager,
        points_of_sale: list[str],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.card: CardInfo | None = None
        self.outcome: StaffInfo | None = None
        self.setObjectName("staffCard")
        self.setWindowTitle(_("Nouvelle carte staff"))
        self.setMinimumWidth(600)
        self.ref = ScanField(_("posez la carte sur le lecteur, ou tapez son numéro puis Entrée"))
        self.ref.setObjectName("staffRef")
        self.found = QLabel(_("Aucune carte choisie."))
        self.found.setObjectName("staffFound")
        self.found.setWordWrap(True)
        self.person = QLineEdit()
        self.person.setObjectName("staffPerson")
        self.person.setPlaceholderText(_("Prénom (rôle)"))
        self.everywhere = QCheckBox(_("&Tous les points de vente"))
        self.everywhere.setObjectName("staffEverywhere")
        self.places = QListWidget()
        self.places.setObjectName("staffPlaces")
        self.places.setMaximumHeight(150)
        for name in points_of_sale:
            item = QListWidgetItem(name, self.places)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.others = QLineEdit()
        self.others.setObjectName("staffOtherPlaces")
        self.others.setPlaceholderText(_("d'autres, séparés par des virgules"))
        self.manager = QCheckBox(_("Mode &gérant"))
        self.manager.setObjectName("staffManager")
        self.expires = QCheckBox(_("&Expire le :"))
        self.expires.setObjectName("staffExpires")
        self.expiry = QDateTimeEdit()
        self.expiry.setObjectName("staffExpiry")
        self.expiry.setLocale(shown_locale())
        self.expiry.setDisplayFormat("dd/MM/yyyy HH:mm")  # i18n: not shown
        self.expiry.setCalendarPopup(True)
        self.expiry.setDateTime(QDateTime(qdate(clock.today() + dt.timedelta(days=3)), QTime(6, 0)))
        self.expiry.setEnabled(False)
        self.expires.toggled.connect(self.expiry.setEnabled)
        self.everywhere.toggled.connect(lambda on: self.places.setEnabled(not on))
        expiry_row = QHBoxLayout()
        expiry_row.addWidget(self.expires)
        expiry_row.addWidget(self.expiry)
        expiry_row.addStretch(1)
        form = QFormLayout()
        form.addRow(_("&Carte :"), self.ref)
        form.addRow("", self.found)
        form.addRow(_("&Personne :"), self.person)
        form.addRow(_("Points de &vente :"), self.everywhere)
        form.addRow("", self.places)
        form.addRow("", self.others)
        form.addRow("", self.manager)
        form.addRow("", expiry_row)
        self.save_button = QPushButton(_("Enregi&strer"))
        self.save_button.setObjectName("staffSave")
        self.save_button.setDefault(True)
        cancel = QPushButton(_("Annuler"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.ref.scanned.connect(self.choose)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        follow_taps(self, devices, self.choose)

    def choose(self, ref: str) -> CardInfo | None:
        card = read_card(self, self.db, ref, self.found.setText)
        if card is not None:
            self.card = card
            staff = (
                _(" — déjà carte staff de {person}").format(person=card.staff.person)
                if card.staff
                else ""
            )
            self.found.setText(
                _("Carte <b>{number}</b> ({state_label}){staff}").format(
                    number=card.number, state_label=_(card.state_label), staff=staff
                )
            )
            if card.staff and not self.person.text():
                self.person.setText(card.staff.person)
        return card

    def chosen_places(self) -> list[str]:
        if self.everywhere.isChecked():
            return [ALL_POINTS_OF_SALE]
        places = [
            item.text()
            for item in (self.places.item(row) for row in range(self.places.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]
        return places + [p.strip() for p in self.others.text().split(",") if p.strip()]

    def expires_at(self) -> dt.datetime | None:
        if not self.expires.isChecked():
            return None
        moment = self.expiry.dateTime().toPython()
        assert isinstance(moment, dt.datetime)
        return moment.replace(tzinfo=event_zone())  # typed on the events' clock, stored in UTC

    def save(self) -> StaffInfo | None:
        ref = self.card.number if self.card else self.ref.text().strip()
        person, places = self.person.text(), self.chosen_places()
        manager, expires_at = self.manager.isChecked(), self.expires_at()

        def run() -> StaffInfo:
            with self.db.session() as session:
                return make_staff_card(
                    session,
                    ref,
                    person=person,
                    points_of_sale=places,
                    manager=manager,
                    expires_at=expires_at,
                )

        if not ref:
            self.found.setText(_("Posez d'abord la carte sur le lecteur (ou tapez son numéro)."))
            self.found.setStyleSheet("color: #b3261e; font-weight: bold;")
            return None
        info = attempt(self, run)
        if info is not None:
            self.outcome = info
            self.saved.emit(info)
            self.accept()
        return info

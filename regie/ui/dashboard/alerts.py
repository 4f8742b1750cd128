"""What needs doing, each alert with what to do and the section where it is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from regie.devices.manager import DeviceSnapshot
from regie.i18n import _, format_date, format_number, ngettext

if TYPE_CHECKING:  # the figures' module loads in the reading thread: the window opens first
    from regie.dashboard import Snapshot

STYLE = """
QLabel#dashAlert {
    padding: 6px 12px; border: none; border-left: 4px solid #e4572e;
    background: #fdf0eb; color: #1f2a36; font-size: 13px;
}
QLabel#dashAlert:hover, QLabel#dashAlert:focus { background: #fbe0d6; }
QLabel#dashAllGood {
    color: #0b6b2f; font-size: 13px; padding: 6px 12px; background: #e9f5ee;
    border-left: 4px solid #0b6b2f;
}
"""


@dataclass(frozen=True)
class Alert:
    key: str  # reader, stripe_key, overdue, ledger, stripe_mismatch
    text: str  # what is wrong, then what to do
    section: str  # the section where it is done


def reader_present(devices: DeviceSnapshot) -> bool:
    return bool(devices.readers)


def alerts(snapshot: Snapshot | None, devices: DeviceSnapshot) -> list[Alert]:
    found: list[Alert] = []
    if not reader_present(devices):
        found.append(
            Alert(
                "reader",
                _(
                    "Aucun lecteur de cartes : branchez le lecteur USB (ACR122U) ; s'il l'est "
                    "déjà, débranchez-le et rebranchez-le, puis redémarrez l'ordinateur si le "
                    "lecteur n'apparaît toujours pas."
                ),
                "cards",
            )
        )
    if snapshot is None:
        return found
    from regie.dashboard import StripeKey  # loaded by now: the snapshot came from there

    overdue = snapshot.equipment.overdue
    if overdue:
        first = overdue[0]
        found.append(
            Alert(
                "overdue",
                ngettext(
                    "{n} prêt en retard ({borrower}, attendu le {due}) : relancez l'emprunteur ou "
                    "enregistrez le retour.",
                    "{n} prêts en retard (le plus ancien : {borrower}, attendu le {due}) : "
                    "relancez les emprunteurs ou enregistrez les retours.",
                    len(overdue),
                ).format(
                    n=format_number(len(overdue)),
                    borrower=first.borrower,
                    due=format_date(first.due_on),
                ),
                "inventory",
            )
        )
    ledger = snapshot.ledger
    if not ledger.ok:
        found.append(
            Alert(
                "ledger",
                _(
                    "Le grand livre ne tombe pas juste : lancez « Vérifier le journal » "
                    "(Grand livre, onglet Exports et vérification) avant toute clôture."
                ),
                "ledger",
            )
        )
    if ledger.stripe_mismatches:
        found.append(
            Alert(
                "stripe_mismatch",
                ngettext(
                    "{n} écart entre Stripe et le grand livre : ouvrez le rapprochement pour "
                    "le régler.",
                    "{n} écarts entre Stripe et le grand livre : ouvrez le rapprochement pour les "
                    "régler.",
                    ledger.stripe_mismatches,
                ).format(n=format_number(ledger.stripe_mismatches)),
                "settlement",
            )
        )
    if snapshot.stripe_key is StripeKey.MISSING:
        found.append(
            Alert(
                "stripe_key",
                _(
                    "Aucune clé Stripe : enregistrez-la (Règlement › Stripe › « Enregistrer la "
                    "clé ») pour rapprocher les paiements par carte bancaire."
                ),
                "settlement",
            )
        )
    elif snapshot.stripe_key is StripeKey.NO_KEYRING:
        found.append(
            Alert(
                "stripe_key",
                _(
                    "Clé Stripe illisible faute de trousseau système : installez gnome-keyring ou "
                    "KWallet, puis enregistrez la clé (Règlement › Stripe)."
                ),
                "settlement",
            )
        )
    return found


class AlertButton(QLabel):
    """One alert: a wrapped text that opens its section on a click, or Enter once focused."""

    clicked = Signal()

    def __init__(self, alert: Alert, parent: QWidget | None = None) -> None:
        super().__init__(alert.text, parent)
        self.alert = alert
        self.setObjectName("dashAlert")
        self.setWordWrap(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(_("Cliquez pour ouvrir la section concernée"))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class AlertList(QFrame):
    """The alerts, most urgent first; « nothing to report » when there is none."""

    section_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashAlerts")
        self.current: list[Alert] = []
        self.buttons: list[AlertButton] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.all_good = QLabel("")
        self.all_good.setObjectName("dashAllGood")
        self.all_good.setWordWrap(True)
        self._layout.addWidget(self.all_good)

    def show_alerts(self, found: list[Alert]) -> None:
        self.all_good.setText(_("Rien à signaler : tout est en ordre."))
        self.all_good.setVisible(not found)
        if found == self.current and len(self.buttons) == len(found):
            return
        self.current = found
        for button in self.buttons:
            button.hide()
            button.deleteLater()
        self.buttons = []
        for index, alert in enumerate(found):
            button = AlertButton(alert)
            button.clicked.connect(lambda s=alert.section: self.section_requested.emit(s))
            self._layout.insertWidget(index, button)
            button.show()  # now, not on the next turn of the loop: a screenshot may come first
            self.buttons.append(button)

    def alert_keys(self) -> list[str]:
        return [alert.key for alert in self.current]

"""The card monitor: tap any card (or type its UID, number or QR) and see all about it; block
it, unblock it, or run the lost-card procedure from here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from regie.cards.lookup import CardsError, normalise_uid
from regie.cards.models import CardState
from regie.cards.monitor import card_info
from regie.cards.staff import check_staff_card
from regie.cards.states import Replacement, block_card, unblock_card
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.ledger.desk import balances_of
from regie.ui.cards.card_panel import CardPanel, Shown
from regie.ui.cards.lost_card_dialog import LostCardDialog, moved_text
from regie.ui.cards.reason_dialog import ReasonDialog
from regie.ui.cards.taps import follow_taps
from regie.ui.cards.words import caption, sentence
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.scan_field import ScanField


def read_card(db: Database, ref: str) -> Shown:
    """What the office knows of ``ref``; an unknown chip still shows its ledger balances."""
    with db.session() as session:
        try:
            info = card_info(session, ref)
        except CardsError as error:
            uid = normalise_uid(ref)
            if uid is None:
                return Shown(ref, None, message=sentence(str(error)))
            return Shown(
                uid,
                None,
                chip_balances=balances_of(session, uid),
                message=_("Puce {uid} : aucune carte de Régie").format(uid=uid),
            )
        verdict = ""
        if info.staff is not None and info.uid:
            place = info.staff.points_of_sale[0] if info.staff.points_of_sale else "*"
            check = check_staff_card(session, info.uid, place)
            verdict = _("valide") if check.allowed else _(check.reason)
        return Shown(ref, info, staff_verdict=verdict)


class MonitorScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.devices = devices
        self.dialog: QWidget | None = None
        self.ref = ScanField(_("UID, numéro imprimé ou QR code, puis Entrée"))
        self.ref.setObjectName("monitorRef")
        self.ref.setMinimumWidth(320)
        top = QHBoxLayout()
        top.addWidget(caption(_("Posez une carte sur le lecteur, ou &tapez :"), self.ref))
        top.addWidget(self.ref)
        top.addStretch(1)
        self.panel = CardPanel(db, self)
        self.block_button = QPushButton(_("&Bloquer…"))
        self.block_button.setObjectName("monitorBlock")
        self.unblock_button = QPushButton(_("Débl&oquer…"))
        self.unblock_button.setObjectName("monitorUnblock")
        self.lost_button = QPushButton(_("Carte &perdue…"))
        self.lost_button.setObjectName("monitorLost")
        self.lost_button.setToolTip(
            _(
                "Déclarer la carte perdue (liste de blocage), choisir sa remplaçante en la posant "
                "sur le lecteur, et y reporter le solde"
            )
        )
        actions = QHBoxLayout()
        for button in (self.block_button, self.unblock_button, self.lost_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.panel, 1)
        layout.addLayout(actions)
        self.ref.scanned.connect(self.show_card)
        self.block_button.clicked.connect(self.ask_block)
        self.unblock_button.clicked.connect(self.ask_unblock)
        self.lost_button.clicked.connect(self.open_lost)
        follow_taps(self, devices, self.tapped)
        self._enable()

    def tapped(self, uid: str) -> None:
        if not uid:
            self.panel.show_card(Shown("", None, message=_("UID illisible : reposez la carte")))
            self._enable()
            return
        self.show_card(uid)

    def show_card(self, ref: str) -> Shown | None:
        if not ref.strip():
            self.panel.show_card(None)
            self._enable()
            return None
        shown = attempt(self, lambda: read_card(self.db, ref))
        if shown is not None:
            self.panel.show_card(shown)
            self._enable()
        return shown

    def refresh(self) -> None:
        shown = self.panel.shown
        if shown is not None and shown.info is not None:
            self.show_card(shown.info.number)

    def _enable(self) -> None:
        info = self.panel.shown.info if self.panel.shown else None
        state = info.state if info else None
        self.block_button.setEnabled(state in (CardState.ACTIVE, CardState.RETURNED))
        self.unblock_button.setEnabled(state in (CardState.BLOCKED, CardState.LOST))
        self.lost_button.setEnabled(
            info is not None and state is not CardState.DESTROYED and not info.replaced_by
        )

    # -- actions -----------------------------------------------------------------------
    def _number(self) -> str:
        shown = self.panel.shown
        assert shown is not None and shown.info is not None
        return shown.info.number

    def ask_block(self) -> ReasonDialog:
        number = self._number()
        dialog = ReasonDialog(
            _("Bloquer la carte {number}").format(number=number),
            _(
                "Les terminaux refuseront la carte {number} dès qu'ils recevront la nouvelle "
                "liste de blocage. Son solde reste sur la carte."
            ).format(number=number),
            _("&Bloquer la carte"),
            self,
        )
        dialog.accepted.connect(lambda: self._change(block_card, number, dialog.reason()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def ask_unblock(self) -> ReasonDialog:
        number = self._number()
        dialog = ReasonDialog(
            _("Débloquer la carte {number}").format(number=number),
            _("La carte {number} redevient active : les terminaux l'acceptent de nouveau.").format(
                number=number
            ),
            _("&Débloquer la carte"),
            self,
        )
        dialog.accepted.connect(lambda: self._change(unblock_card, number, dialog.reason()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _change(self, operation: Callable[..., object], number: str, reason: str) -> None:
        def run() -> bool:
            with self.db.session() as session:
                operation(session, number, reason=reason)
            return True

        if attempt(self, run):
            self.show_card(number)
            self.changed.emit()

    def open_lost(self) -> LostCardDialog | None:
        shown = self.panel.shown
        if shown is None or shown.info is None:
            return None
        dialog = LostCardDialog(self.db, self.devices, shown.info, self)
        dialog.replaced.connect(self._replaced)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _replaced(self, done: Replacement) -> None:
        self.show_card(done.new_number)
        self.changed.emit()
        show_info(
            self,
            _("Carte remplacée"),
            _(
                "Carte {old_number} perdue, sur la liste de blocage ; remplacée par la carte "
                "{new_number}."
            ).format(old_number=done.old_number, new_number=done.new_number),
            moved_text(done),
        )

"""The lost-card procedure: the lost card goes on the block list, its replacement is chosen by
laying it on the reader, and its balances move over through the ledger, after a confirmation.
Everything happens in one transaction (``replace_card``): all or nothing."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.monitor import CardInfo
from regie.cards.states import Replacement, replace_card
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import _
from regie.ui.cards.taps import follow_taps, read_card
from regie.ui.cards.words import amounts, balance_phrase
from regie.ui.inventory.messages import attempt, confirm
from regie.ui.inventory.scan_field import ScanField


def moved_text(done: Replacement) -> str:
    if not done.balances_moved:
        return _("Aucun solde à reporter.")
    return _("Solde reporté sur la carte {new_number} : {amounts}.").format(
        new_number=done.new_number, amounts=amounts(done.balances_moved)
    )


class LostCardDialog(QDialog):
    replaced = Signal(object)  # Replacement

    def __init__(
        self, db: Database, devices: DeviceManager, old: CardInfo, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.old = old
        self.new: CardInfo | None = None
        self.outcome: Replacement | None = None
        self.confirmation: QWidget | None = None
        self.setObjectName("lostCard")
        self.setWindowTitle(_("Carte perdue : {number}").format(number=old.number))
        self.setMinimumWidth(620)
        money = amounts(old.balances)
        intro = QLabel(
            _(
                "La carte <b>{number}</b> sera déclarée perdue et mise sur la liste de blocage "
                "que reçoivent les terminaux. "
            ).format(number=old.number)
            + (
                _(
                    "Son solde (<b>{money}</b>) passera sur la carte de remplacement, par une "
                    "écriture du grand livre."
                ).format(money=money)
                if money
                else _("Elle n'a pas de solde à reporter.")
            )
        )
        intro.setWordWrap(True)
        self.reason = QLineEdit(_("carte perdue"))
        self.reason.setObjectName("lostReason")
        self.ref = ScanField(_("posez la carte sur le lecteur, ou tapez son numéro puis Entrée"))
        self.ref.setObjectName("lostReplacementRef")
        self.found = QLabel(_("Posez la carte de remplacement sur le lecteur."))
        self.found.setObjectName("lostReplacement")
        self.found.setWordWrap(True)
        self.found.setStyleSheet("font-size: 16px;")
        form = QFormLayout()
        form.addRow(_("&Raison :"), self.reason)
        form.addRow(_("&Carte de remplacement :"), self.ref)
        form.addRow("", self.found)
        self.replace_button = QPushButton(_("&Déclarer perdue et remplacer…"))
        self.replace_button.setObjectName("lostReplace")
        self.replace_button.setEnabled(False)
        cancel = QPushButton(_("Annuler"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.replace_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.ref.scanned.connect(self.choose)
        self.replace_button.clicked.connect(self.ask_confirm)
        cancel.clicked.connect(self.reject)
        follow_taps(self, devices, self.choose)

    def choose(self, ref: str) -> CardInfo | None:
        """The replacement: the card laid on the reader (or typed)."""
        new = read_card(self, self.db, ref, self.found.setText)
        if new is None:
            return None
        self.new = new
        self.found.setText(
            _(
                "Carte <b>{number}</b> — {state_label}, lot {batch} ({owner}), {balance_phrase}"
            ).format(
                number=new.number,
                state_label=_(new.state_label),
                batch=new.batch,
                owner=new.owner,
                balance_phrase=balance_phrase(new.balances),
            )
        )
        self.replace_button.setEnabled(new.number != self.old.number)
        return new

    def ask_confirm(self) -> None:
        assert self.new is not None
        new = self.new
        self.confirmation = confirm(
            self,
            _("Remplacer la carte perdue"),
            _(
                "Déclarer la carte {number} perdue (liste de blocage) et la remplacer par la "
                "carte {number2} ({balance_phrase} à reporter) ? Ce choix ne s'annule pas."
            ).format(
                number=self.old.number,
                number2=new.number,
                balance_phrase=balance_phrase(self.old.balances),
            ),
            _("&Déclarer perdue et remplacer"),
            self.replace,
            destructive=True,
        )

    def replace(self) -> None:
        assert self.new is not None
        old, new, reason = self.old.number, self.new.number, self.reason.text()

        def run() -> Replacement:
            with self.db.session() as session:
                return replace_card(session, old, new, reason=reason)

        done = attempt(self, run)
        if done is not None:
            self.outcome = done
            self.replaced.emit(done)
            self.accept()

"""The office desk on a card's wallet: cash top-up and correction (the refund has its own
window, refund_dialog). Each window asks before writing and writes at most once.

A window fixes its idempotency key when it opens and its moment at its first writing: a
second click, or a retry after an error, replays that first posting instead of adding one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from regie import clock
from regie.cards.lookup import loadable_uid, wallet_uid
from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.ledger.desk import balances_of, cash_topup, correction
from regie.ledger.labels import amount
from regie.money import parse_cents
from regie.ui.inventory.messages import attempt, confirm, report_failure
from regie.ui.ledger.melting_screen import holdings
from regie.ui.notices import emit


@dataclass(frozen=True)
class Outcome:
    """What the desk just wrote: the card's chip UID, and what to tell the person."""

    uid: str
    title: str
    text: str
    detail: str = ""


def holdings_text(balances: dict[str, int]) -> str:
    return holdings(balances) or _("aucun solde")


def typed_cents(field: QLineEdit) -> int:
    """The amount typed, in cents (0 when empty); MoneyFormatError when unreadable."""
    text = field.text().strip()
    return parse_cents(text) if text else 0


class DeskDialog(QDialog):
    """A form about one card, its « do it » button, a confirmation, then one writing."""

    written = Signal(object)  # the Outcome, once written

    def __init__(
        self,
        db: Database,
        uid: str,
        balances: dict[str, int],
        title: str,
        action: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("deskDialog")
        self.db, self.uid = db, uid
        self.key = f"guichet-{uuid.uuid4()}"
        self.moment: dt.datetime | None = None
        self.outcome: Outcome | None = None
        card = QLabel(_("Carte {uid}").format(uid=uid))
        card.setObjectName("deskCard")
        card.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.form = QFormLayout()
        self.form.addRow(_("Solde actuel :"), QLabel(holdings_text(balances)))
        self.buttons = QDialogButtonBox()
        self.go = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setObjectName("deskGo")
        self.go.setDefault(True)
        cancel = self.buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.go.clicked.connect(self.ask)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(card)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def ask(self) -> None:
        """Check the form, then confirm; nothing is written before the « yes »."""
        try:
            question = self.question()
        except Exception as error:  # an unreadable amount, a missing reason
            report_failure(self, error)
            return
        confirm(self, self.windowTitle(), question, self.confirm_label(), self.write)

    def write(self) -> None:
        """Post once: a second call (a double click) does nothing more."""
        if self.outcome is not None:
            return
        self.moment = self.moment or clock.now()
        self.go.setEnabled(False)
        outcome = attempt(self, self.replay)
        self.go.setEnabled(outcome is None)
        if outcome is not None:
            self.outcome = outcome
            emit(self.written, outcome)
            self.accept()

    def replay(self) -> Outcome:
        """The writing, with this window's key and moment (the same posting every time)."""
        with self.db.session() as session:
            return self.post(session, self.card_of(session, self.uid))

    @staticmethod
    def card_of(session: Session, ref: str) -> str:
        """The chip UID this window writes to (a top-up refuses a card terminals refuse)."""
        return wallet_uid(session, ref)

    # -- what each desk operation says and does ----------------------------------------
    def question(self) -> str:
        raise NotImplementedError

    def confirm_label(self) -> str:
        raise NotImplementedError

    def post(self, session: Session, uid: str) -> Outcome:
        raise NotImplementedError


def asset_choice(assets: list[tuple[str, str]], name: str) -> QComboBox:
    """The ledger's assets, the local euro first chosen."""
    box = QComboBox()
    box.setObjectName(name)
    for code, label in assets:
        box.addItem(_("{name} ({code})").format(name=label, code=code), code)
    box.setCurrentIndex(max(box.findData("EUR"), 0))
    return box


def money_entry(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setPlaceholderText(amount(0))
    field.setMaximumWidth(160)
    return field


class TopUpDialog(DeskDialog):
    """Cash handed over at the desk, loaded on the card."""

    def __init__(
        self,
        db: Database,
        uid: str,
        balances: dict[str, int],
        assets: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, uid, balances, _("Recharge en espèces"), _("&Recharger…"), parent)
        self.setObjectName("deskTopUp")
        self.amount = money_entry("topUpAmount")
        self.asset = asset_choice(assets, "topUpAsset")
        self.form.addRow(_("&Montant reçu en espèces :"), self.amount)
        self.form.addRow(_("M&onnaie chargée :"), self.asset)
        self.amount.setFocus()

    def chosen(self) -> tuple[int, str]:
        cents = typed_cents(self.amount)
        if cents <= 0:
            raise UserError(_("le montant d'une recharge doit être positif"))
        return cents, str(self.asset.currentData())

    def question(self) -> str:
        cents, code = self.chosen()
        return _("Recharger {amount} en espèces sur la carte {uid} ?").format(
            amount=amount(cents, code), uid=self.uid
        )

    def confirm_label(self) -> str:
        return _("&Recharger")

    @staticmethod
    def card_of(session: Session, ref: str) -> str:
        return loadable_uid(session, ref)

    def post(self, session: Session, uid: str) -> Outcome:
        cents, code = self.chosen()
        cash_topup(session, uid, cents, asset=code, key=self.key, at=self.moment)
        return Outcome(
            uid,
            _("Recharge enregistrée"),
            _("Chargé sur la carte {uid} : {amount}.").format(uid=uid, amount=amount(cents, code)),
            _("Nouveau solde : {balances}").format(
                balances=holdings_text(balances_of(session, uid))
            ),
        )


class CorrectionDialog(DeskDialog):
    """Money added or removed on a card by hand, with the reason recorded."""

    def __init__(
        self,
        db: Database,
        uid: str,
        balances: dict[str, int],
        assets: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(db, uid, balances, _("Correction de solde"), _("&Corriger…"), parent)
        self.setObjectName("deskCorrection")
        self.add = QRadioButton(_("&Ajouter sur la carte"))
        self.add.setObjectName("correctionAdd")
        self.remove = QRadioButton(_("Re&tirer de la carte"))
        self.remove.setObjectName("correctionRemove")
        self.add.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.add)
        group.addButton(self.remove)
        direction = QHBoxLayout()
        direction.addWidget(self.add)
        direction.addWidget(self.remove)
        direction.addStretch(1)
        self.amount = money_entry("correctionAmount")
        self.asset = asset_choice(assets, "correctionAsset")
        self.reason = QLineEdit()
        self.reason.setObjectName("correctionReason")
        self.reason.setPlaceholderText(_("obligatoire : pourquoi cette correction"))
        self.form.addRow(_("Sens :"), direction)
        self.form.addRow(_("&Montant :"), self.amount)
        self.form.addRow(_("M&onnaie :"), self.asset)
        self.form.addRow(_("Moti&f :"), self.reason)
        self.amount.setFocus()

    def chosen(self) -> tuple[int, str, str]:
        """(signed cents, asset, reason), refused as the core refuses them."""
        cents = typed_cents(self.amount)
        if cents < 0:  # « -5 » typed: the sign is the direction's
            cents = -cents
        reason = self.reason.text().strip()
        if not reason:
            raise UserError(_("une correction demande un motif"))
        if cents == 0:
            raise UserError(_("une correction de 0 ne change rien"))
        signed = -cents if self.remove.isChecked() else cents
        return signed, str(self.asset.currentData()), reason

    def question(self) -> str:
        signed, code, reason = self.chosen()
        template = (
            _("Retirer {amount} de la carte {uid} ?\nMotif : {reason}")
            if signed < 0
            else _("Ajouter {amount} sur la carte {uid} ?\nMotif : {reason}")
        )
        return template.format(amount=amount(abs(signed), code), uid=self.uid, reason=reason)

    def confirm_label(self) -> str:
        return _("&Corriger")

    def post(self, session: Session, uid: str) -> Outcome:
        signed, code, reason = self.chosen()
        correction(session, uid, signed, reason, asset=code, key=self.key, at=self.moment)
        return Outcome(
            uid,
            _("Correction enregistrée"),
            _("Carte {uid} corrigée de {amount}.").format(
                uid=uid, amount=("+" if signed > 0 else "") + amount(signed, code)
            ),
            _("Nouveau solde : {balances}").format(
                balances=holdings_text(balances_of(session, uid))
            ),
        )

"""The desk's buttons under a card's wallet: cash top-up, refund, correction.

They wait for a card; « Rembourser… » stays disabled, with the reason as its tooltip, for a
person whose role may not refund (the core refuses it anyway). Each opens its window
(desk_dialogs, refund_dialog); what it wrote comes back through ``operated``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from regie.db import Database
from regie.i18n import _
from regie.ledger.browse import filter_choices
from regie.people.roles import Permission
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.ledger.desk_dialogs import CorrectionDialog, DeskDialog, Outcome, TopUpDialog
from regie.ui.ledger.refund_dialog import RefundDialog, quote_card
from regie.ui.notices import emit
from regie.ui.permissions import refusal


class DeskBar(QWidget):
    operated = Signal(object)  # the Outcome of a desk operation, once written

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.uid = ""
        self.balances: dict[str, int] = {}
        self.dialog: DeskDialog | None = None  # the one open (tests find it here)
        self.topup = QPushButton(_("Recharger en &espèces…"))
        self.topup.setObjectName("deskTopUpButton")
        self.refund = QPushButton(_("Rem&bourser…"))
        self.refund.setObjectName("deskRefundButton")
        self.correct = QPushButton(_("C&orriger…"))
        self.correct.setObjectName("deskCorrectButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.topup, self.refund, self.correct):
            layout.addWidget(button)
        layout.addStretch(1)
        self.topup.clicked.connect(self.open_topup)
        self.refund.clicked.connect(self.open_refund)
        self.correct.clicked.connect(self.open_correction)
        self.set_card("", {})

    def set_card(self, uid: str, balances: dict[str, int]) -> None:
        """The card shown (none: ""); the role is read again, someone may have logged in."""
        self.uid, self.balances = uid, balances
        self.topup.setEnabled(bool(uid))
        for button, permission in (
            (self.refund, Permission.REFUND),
            (self.correct, Permission.CORRECT_BALANCE),
        ):
            why = refusal(self.db, permission) if uid else ""
            button.setEnabled(bool(uid) and not why)
            button.setToolTip(why)

    def _assets(self) -> list[tuple[str, str]] | None:
        def read() -> list[tuple[str, str]]:
            with self.db.session() as session:
                return filter_choices(session).assets

        return attempt(self, read)

    def open_topup(self) -> DeskDialog | None:
        assets = self._assets()
        if assets is None:
            return None
        return self._open(TopUpDialog(self.db, self.uid, self.balances, assets, self))

    def open_correction(self) -> DeskDialog | None:
        assets = self._assets()
        if assets is None:
            return None
        return self._open(CorrectionDialog(self.db, self.uid, self.balances, assets, self))

    def open_refund(self) -> DeskDialog | None:
        quoted = attempt(self, lambda: quote_card(self.db, self.uid))
        if quoted is None:
            return None
        quote, rules, shown = quoted
        return self._open(RefundDialog(self.db, self.uid, self.balances, quote, rules, shown, self))

    def _open(self, dialog: DeskDialog) -> DeskDialog:
        self.dialog = dialog
        dialog.written.connect(self._written)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _written(self, outcome: Outcome) -> None:
        emit(self.operated, outcome)
        show_info(self.window(), outcome.title, outcome.text, outcome.detail)

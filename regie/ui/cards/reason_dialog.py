"""Ask why before a change that stays in a card's history (block, unblock, revoke)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.i18n import _
from regie.ui.cards.words import caption


class ReasonDialog(QDialog):
    """A question, a reason field and the action's button (enabled once a reason is typed)."""

    def __init__(
        self, title: str, question: str, action: str, parent: QWidget, reason: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cardReasonDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        text = QLabel(question)
        text.setWordWrap(True)
        self.field = QLineEdit(reason)
        self.field.setObjectName("cardReason")
        self.field.setPlaceholderText(_("La raison (elle reste dans l'historique de la carte)"))
        self.buttons = QDialogButtonBox()
        self.action: QPushButton = self.buttons.addButton(
            action, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(caption(_("&Raison :"), self.field))
        layout.addWidget(self.field)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._enable)
        self._enable()

    def reason(self) -> str:
        return self.field.text().strip()

    def _enable(self) -> None:
        self.action.setEnabled(bool(self.reason()))

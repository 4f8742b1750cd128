"""A Z's ticket saved as a PDF to print: the paper (an 80 mm thermal roll or an A4 sheet),
the button, and a line that says where it went. Shown by the closures list (the selected Z)
and by the closure wizard's last page (the Z just made)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from regie.db import Database
from regie.errors import UserError
from regie.i18n import _
from regie.ledger.ticket_pdf import write_ticket
from regie.ledger.tickets import z_ticket
from regie.logs import describe_failure
from regie.ui.forms.file_dialogs import save_path
from regie.ui.notices import emit
from regie.ui.tasks import Task

log = logging.getLogger(__name__)


class TicketPrinter(QWidget):
    """Saves the ticket of the Z that ``number()`` names (None: no Z chosen)."""

    saved = Signal(object)  # the Path written

    def __init__(
        self, db: Database, number: Callable[[], int | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.number = db, number
        self.paper = QComboBox()
        self.paper.setObjectName("ticketPaper")
        self.paper.addItem(_("Rouleau 80 mm (imprimante de caisse)"), "80mm")
        self.paper.addItem(_("Feuille A4"), "a4")
        self.paper.setAccessibleName(_("Papier du ticket"))
        self.button = QPushButton(_("Enregistrer le &ticket Z (PDF)…"))
        self.button.setObjectName("ticketSave")
        # Entry on the Z wizard's last page finishes the wizard, as before the ticket was there:
        # the ticket is saved on a click or its Alt+T, never by Enter (a file dialog would open).
        self.button.setAutoDefault(False)
        self.button.setToolTip(
            _("Le ticket du Z : totaux par jeton, par point de vente et par moyen de paiement, ")
            + _("empreinte du journal et signature ; à imprimer depuis le PDF.")
        )
        self.status = QLabel("")
        self.status.setObjectName("ticketStatus")
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.paper)
        layout.addWidget(self.status, 1)
        self.button.clicked.connect(self.ask_save)
        self.tasks: list[Task] = []

    def ask_save(self) -> None:
        number = self.number()
        if number is None:
            return
        path = save_path(
            self,
            _("Ticket du Z n°{number}").format(number=number),
            f"ticket-z-{number}-{self.paper.currentData()}.pdf",
            _("PDF (*.pdf)"),
        )
        if path is not None:
            self.save(path)

    def save(self, path: Path) -> Task | None:
        """Write the ticket in a worker; ``saved`` says when it is on disk."""
        number, paper = self.number(), self.paper.currentData()
        if number is None:
            return None

        def work(_task: Task) -> Path:
            with self.db.session() as session:
                ticket = z_ticket(session, number)
            return write_ticket(ticket, path, paper)

        task = Task("ticket-z", work, self)
        task.succeeded.connect(self._saved)
        task.failed.connect(self._failed)
        self.tasks.append(task)
        self.status.setText(_("Ticket en cours…"))
        task.start()
        return task

    def _saved(self, path: Path) -> None:
        self.status.setText(_("Ticket enregistré : {file}").format(file=path))
        self.status.setStyleSheet("color: #0b6b2f;")
        emit(self.saved, path)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, UserError):
            log.error("ticket failed", exc_info=error)
        text = str(error) if isinstance(error, UserError) else describe_failure(error)
        self.status.setText(text)
        self.status.setStyleSheet("color: #b3261e;")

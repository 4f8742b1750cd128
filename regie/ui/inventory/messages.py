"""Messages and confirmations of the inventory screens: French, window-modal, non-blocking.

Boxes are opened with ``open()``, not ``exec()``: the asyncio loop (qasync) and the card
reader keep running behind them, and a test can find the box and press its buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from regie.errors import UserError
from regie.i18n import _
from regie.logs import describe_failure
from regie.money import MoneyFormatError

log = logging.getLogger(__name__)
T = TypeVar("T")


def _box(
    parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, detail: str = ""
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("inventoryMessage")
    if detail:
        box.setInformativeText(detail)
    return box


def show_error(parent: QWidget, message: str, title: str | None = None) -> QMessageBox:
    """The message of a refused operation, as the core wrote it."""
    shown_title = title if title is not None else _("Opération impossible")
    box = _box(parent, QMessageBox.Icon.Warning, shown_title, message)
    box.addButton(_("Fermer"), QMessageBox.ButtonRole.AcceptRole)
    box.open()
    return box


def show_info(parent: QWidget, title: str, message: str, detail: str = "") -> QMessageBox:
    box = _box(parent, QMessageBox.Icon.Information, title, message, detail)
    box.addButton(_("Fermer"), QMessageBox.ButtonRole.AcceptRole)
    box.open()
    return box


def confirm(
    parent: QWidget,
    title: str,
    question: str,
    action: str,
    on_yes: Callable[[], None],
    *,
    destructive: bool = False,
    keep: str | None = None,
) -> QMessageBox:
    """Ask before doing; ``on_yes`` runs only if the user presses ``action``.

    ``keep`` names the other button when "Annuler" would be ambiguous (cancelling a booking).
    """
    icon = QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question
    box = _box(parent, icon, title, question)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(keep or _("Annuler"), QMessageBox.ButtonRole.RejectRole)
    # A destructive action is never the default: Enter must not write off an item.
    box.setDefaultButton(no if destructive else yes)
    box.setEscapeButton(no)

    def finished() -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(finished)
    box.open()
    return box


def report_failure(parent: QWidget, error: Exception) -> QMessageBox:
    """A refusal shows its French message as the core wrote it; anything else (a bug, the
    database gone) a French sentence pointing at the log, never a traceback."""
    if isinstance(error, UserError | MoneyFormatError):
        return show_error(parent, str(error))
    log.error("inventory operation failed", exc_info=error)
    return show_error(parent, describe_failure(error), _("Erreur"))


def attempt(parent: QWidget, action: Callable[[], T]) -> T | None:
    """Run an operation; on failure show why and return None.

    Nothing is half-saved then: every operation runs in its own transaction, rolled back
    on error.
    """
    try:
        return action()
    except Exception as error:
        report_failure(parent, error)
    return None

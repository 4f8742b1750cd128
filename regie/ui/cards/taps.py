"""Cards laid on a reader, handed to the screen on show.

The device manager tells every listener about every card; a screen acts on a tap only while
it is on screen and no dialog of another window is above it, so the card laid down for a
dialog (a replacement card, a staff card) never also moves the screen behind it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from regie.cards.monitor import CardInfo, card_info
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.i18n import _
from regie.ui.inventory.messages import attempt

TapHandler = Callable[[str], object]  # the UID in upper-case hex, "" when unreadable


def follow_taps(widget: QWidget, devices: DeviceManager, on_tap: TapHandler) -> None:
    """Call ``on_tap`` on the Qt thread for each card laid while ``widget`` is on show."""

    def listener(event: ReaderEvent) -> None:
        if event.kind is not ReaderEventKind.CARD_INSERTED or not isValid(widget):
            return
        if not widget.isVisible():
            return
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not widget.window():
            return
        on_tap(event.uid.hex().upper())

    unsubscribe = devices.subscribe(listener)
    widget.destroyed.connect(lambda *_: unsubscribe())


def read_card(
    parent: QWidget, db: Database, uid: str, say: Callable[[str], None]
) -> CardInfo | None:
    """What Régie knows of the card laid for a dialog; None (and why, through ``say`` or a
    message box) when its UID could not be read or the card cannot be found."""
    if not uid:
        say(_("UID illisible : reposez la carte."))
        return None

    def load() -> CardInfo:
        with db.session() as session:
            return card_info(session, uid, history=0)

    return attempt(parent, load)

"""The card-reader part of the status bar: none / reader name / card present."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from regie.devices.manager import DeviceManager, DeviceSnapshot
from regie.devices.readers import ReaderEvent
from regie.devices.simulated import reader_name
from regie.i18n import N_, _


def describe(state: DeviceSnapshot) -> tuple[str, str]:
    """The status text and its tone (ok, idle, warn) for a device snapshot."""
    if state.service_up is False and not state.readers:
        return _("Lecteur : service pcscd injoignable"), "warn"
    if not state.readers:
        return _("Lecteur : aucun"), "idle"
    readers = sorted(state.readers.values(), key=lambda r: (not r.card_present, r.name))
    first = readers[0]
    more = f" (+{len(readers) - 1})" if len(readers) > 1 else ""
    if first.card_present:
        uid = first.uid.hex().upper() if first.uid else _("illisible")
        return _("Lecteur : {name}{more} — carte {uid} posée").format(
            name=reader_name(first.name), more=more, uid=uid
        ), "ok"
    name = reader_name(first.name)
    return _("Lecteur : {name}{more} — pas de carte").format(name=name, more=more), "idle"


TONES = {
    "ok": "color: #0b6b2f; font-weight: bold;",
    "idle": "",
    "warn": "color: #a33a00;",
}


MONITOR_HINT = N_("Cliquez pour voir la carte posée dans le moniteur de carte (Ctrl+M)")


class ReaderStatus(QLabel):
    clicked = Signal()  # the main window opens the card monitor on the card lying there

    def __init__(self, devices: DeviceManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerStatus")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._devices = devices
        self._unsubscribe = devices.subscribe(self._on_event)
        self.refresh()

    def _on_event(self, _event: ReaderEvent) -> None:
        self.refresh()

    def refresh(self) -> None:
        text, tone = describe(self._devices.state)
        self.setText(text)
        self.setStyleSheet(TONES[tone])
        names = sorted(self._devices.state.readers)
        readers = (
            "\n".join(map(reader_name, names)) if names else _("Aucun lecteur de cartes détecté")
        )
        self.setToolTip(f"{readers}\n{_(MONITOR_HINT)}")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def detach(self) -> None:
        self._unsubscribe()

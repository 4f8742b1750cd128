"""The card reader and serial port this laptop's settings name (Préférences › Appareils),
read from the main window's loaded settings: "" when unset, or outside a main window."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from regie.settings.laptop import LaptopSettings

CARD_READER = "devices.card_reader"
SERIAL_PORT = "devices.serial_port"


def saved_device(widget: QWidget, key: str) -> str:
    """The saved value, from the first window up the parents that holds the settings."""
    window: QWidget | None = widget.window()
    while window is not None:
        settings = getattr(window, "settings", None)
        if isinstance(settings, LaptopSettings):
            return settings.text(key).strip()
        parent = window.parentWidget()
        window = parent.window() if parent is not None else None
    return ""

"""Régie's icon on its windows and in the task bar (the PNGs of resources/, see installer/)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

# <checkout>/resources, or <bundle>/_internal/resources in the PyInstaller bundle.
RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def application_icon() -> QIcon:
    icon = QIcon()
    for png in sorted(RESOURCES.glob("regie-*.png")):
        icon.addFile(str(png))
    return icon


def install_icon(app: QApplication) -> None:
    """The icon, and the menu entry the desktop links the window to (regie.desktop)."""
    app.setWindowIcon(application_icon())
    app.setDesktopFileName("regie")

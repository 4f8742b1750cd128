"""Every file dialog of the window: in French, opening where the user keeps documents.

The first dialog opens in the user's Documents folder (never the folder Régie was started
from); each one after opens where the last file was chosen, remembered in this laptop's
settings (``files.last_folder``) once the main window hands them over (``remember_in``).
Qt's own words in the dialog follow the language (``regie.ui.language``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from regie.settings.laptop import LaptopSettings

LAST_FOLDER = "files.last_folder"
_memory = LaptopSettings(None)  # until the main window hands over the laptop's settings


def remember_in(settings: LaptopSettings) -> None:
    """Remember the last folder in ``settings`` (the laptop's file) from now on."""
    global _memory
    _memory = settings


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def start_folder() -> Path:
    """Where the next dialog opens: the last folder used if it still exists, else Documents."""
    last = _memory.text(LAST_FOLDER)
    if last and Path(last).is_dir():
        return Path(last)
    return documents_folder()


def remember(path: Path) -> None:
    folder = path if path.is_dir() else path.parent
    with contextlib.suppress(OSError):  # a read-only config folder: it just forgets
        _memory.set(LAST_FOLDER, str(folder))


def file_dialog(
    parent: QWidget | None,
    title: str,
    *,
    saving: bool = False,
    offered: str = "",
    filters: str = "",
    folder: bool = False,
    start: Path | None = None,
) -> QFileDialog:
    """The dialog, built and not shown: for a file to save (``offered`` its name), a file to
    open, or a folder; it starts in ``start`` (a folder the field already names, the backups')
    or else ``start_folder()``."""
    where = start if start is not None and start.is_dir() else start_folder()
    dialog = QFileDialog(parent, title, str(where), filters)
    dialog.setObjectName("fileDialog")
    if folder:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    elif saving:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        if offered:
            dialog.selectFile(offered)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog


def ask(dialog: QFileDialog) -> Path | None:
    """Show ``dialog``; the path chosen (remembered for the next one), or None if cancelled."""
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    chosen = Path(dialog.selectedFiles()[0])
    remember(chosen)
    return chosen


def save_path(parent: QWidget | None, title: str, offered: str, filters: str = "") -> Path | None:
    return ask(file_dialog(parent, title, saving=True, offered=offered, filters=filters))


def open_path(parent: QWidget | None, title: str, filters: str = "") -> Path | None:
    return ask(file_dialog(parent, title, filters=filters))


def open_paths(parent: QWidget | None, title: str, filters: str = "") -> list[Path]:
    """Several existing files (the terminals' journals), or none if cancelled."""
    dialog = file_dialog(parent, title, filters=filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return []
    chosen = [Path(name) for name in dialog.selectedFiles()]
    if chosen:
        remember(chosen[0])
    return chosen


def folder_path(parent: QWidget | None, title: str, start: Path | None = None) -> Path | None:
    return ask(file_dialog(parent, title, folder=True, start=start))

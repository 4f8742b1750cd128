"""An unexpected error in the window: logged with its traceback, shown in plain French with what
to do, the traceback folded behind the details button, one dialog for an error that repeats."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QTextEdit
from pytestqt.qtbot import QtBot

from regie.ui.error_dialog import install_error_handler

pytestmark = pytest.mark.gui


def explode() -> None:
    raise RuntimeError("le tiroir-caisse a pris feu")


def test_an_error_in_a_slot_shows_a_french_dialog_and_its_traceback_goes_to_the_log(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, qapp: QApplication, artifacts: Path
) -> None:
    french = QTranslator()  # Qt's own buttons in French, as regie.ui.app installs them
    assert french.load("qtbase_fr", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    qapp.installTranslator(french)
    reporter = install_error_handler(qapp, qt_loop)
    try:
        QTimer.singleShot(0, explode)  # a Qt slot raising: PySide6 hands it to sys.excepthook
        qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())
        box = reporter.box
        assert isinstance(box, QMessageBox)
        assert box.text() == "Une erreur inattendue s'est produite."
        advice = box.informativeText()
        log = Path(advice.rsplit("\n", 1)[-1])
        assert "Vos données sont à l'abri" in advice and "fermez Régie et rouvrez-la" in advice
        assert log.is_file() and log.name == "regie.log"
        assert "Traceback" not in box.text() + advice
        assert "RuntimeError: le tiroir-caisse a pris feu" in box.detailedText()
        details = [b for b in box.buttons() if "détails" in b.text().casefold()]
        assert len(details) == 1  # the traceback stays folded until the user asks for it
        assert not any(edit.isVisible() for edit in box.findChildren(QTextEdit))
        assert "in explode" in log.read_text(encoding="utf-8")
        box.resize(box.sizeHint())
        QApplication.processEvents()
        assert box.grab().save(str(artifacts / "error-dialog.png"))

        # The same error again from the asyncio loop and from a thread: logged, one dialog.
        qt_loop.call_soon(explode)
        thread = threading.Thread(target=explode, name="lecteur")
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: log.read_text(encoding="utf-8").count("pris feu") >= 6)
        text = log.read_text(encoding="utf-8")
        assert "(thread lecteur)" in text and "(asyncio:" in text
        QApplication.processEvents()
        assert reporter.shown == 1
        box.accept()
        QTimer.singleShot(0, explode)
        qtbot.waitUntil(lambda: reporter.shown == 2)  # once closed, the next error is said
        assert reporter.box is not None
        reporter.box.accept()
    finally:
        reporter.uninstall()
        qapp.removeTranslator(french)

"""Backups from the main window: « Sauvegarder maintenant », then « Restaurer une sauvegarde… »
checks the file, shows what it holds, asks, and the window reopens on the restored database."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from regie.backups.copies import backups
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.simulated import SimulatedBackend
from regie.ledger.verify import verify
from regie.ui.main_window import MainWindow
from tests.test_backup import festival_db, import_festival, transfers

pytestmark = pytest.mark.gui


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> Iterator[MainWindow]:
    db = festival_db(tmp_path)
    devices = DeviceManager([SimulatedBackend()], loop=qt_loop)
    shown = MainWindow(db, devices)
    shown.settings.set("backup.folder", str(tmp_path / "sauvegardes"))
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    devices.stop()
    shown.db.dispose()


def modal_box(qtbot: QtBot, name: str) -> QMessageBox:
    def found() -> bool:
        box = QApplication.activeModalWidget()
        return isinstance(box, QMessageBox) and box.objectName() == name

    qtbot.waitUntil(found, timeout=10_000)
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def press(box: QMessageBox, text: str) -> None:
    next(b for b in box.buttons() if b.text().replace("&", "") == text).click()


def test_restore_from_the_menu_asks_then_reopens_on_the_backup_and_can_be_undone(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, artifacts: Path
) -> None:
    folder = tmp_path / "sauvegardes"
    before = transfers(window.db)
    window.findChild(QAction, "backupNow").trigger()
    qtbot.waitUntil(lambda: len(backups(folder)) == 1, timeout=10_000)
    (backup,) = backups(folder)
    qtbot.waitUntil(lambda: backup.name in window.statusBar().currentMessage())

    import_festival(window.db, tmp_path, 200, seed=11)  # the festival goes on
    after = transfers(window.db)
    assert after > before

    window.backups.restore_from(backup.path)
    box = modal_box(qtbot, "restoreConfirmation")
    assert "grand livre vérifié" in box.informativeText()
    assert "revenir en arrière" in box.informativeText()
    qtbot.wait(200)  # laid out at its final size before the screenshot
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert box.grab().save(str(screens / "backup-restore-confirmation.png"))
    press(box, "Annuler")
    assert transfers(window.db) == after  # cancelled: nothing changed
    assert not list(tmp_path.glob(".regie-*.partial"))

    window.backups.restore_from(backup.path)
    press(modal_box(qtbot, "restoreConfirmation"), "Restaurer")
    done = modal_box(qtbot, "restoreDone")
    assert "La base remplacée est sauvegardée" in done.informativeText()
    press(done, "Fermer")
    assert transfers(window.db) == before
    with window.db.session() as session:
        assert verify(session).ok
    assert len(backups(folder)) == 2  # the replaced database, to undo the restore
    assert window.findChild(QAction, "restoreBackup") is not None  # the menus were rebuilt


def test_a_tampered_backup_is_refused_with_the_reason_and_nothing_changes(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, artifacts: Path
) -> None:
    window.backups.back_up_now()
    folder = tmp_path / "sauvegardes"
    qtbot.waitUntil(lambda: len(backups(folder)) == 1, timeout=10_000)
    (backup,) = backups(folder)
    edited = sqlite3.connect(backup.path)
    edited.execute("DROP TRIGGER IF EXISTS transfer_no_delete")
    edited.execute("DELETE FROM transfer WHERE id = 30")
    edited.commit()
    edited.close()
    before = transfers(window.db)

    window.backups.restore_from(backup.path)
    box = modal_box(qtbot, "restoreRefused")
    assert "ne se vérifie pas" in box.text() and "transfert n°30 supprimé" in box.text()
    qtbot.wait(200)
    assert box.grab().save(str(artifacts / "screens" / "backup-restore-refused.png"))
    press(box, "Fermer")
    assert transfers(window.db) == before


def test_a_database_on_a_server_is_not_backed_up_automatically_and_the_window_says_why(
    qtbot: QtBot, window: MainWindow
) -> None:
    server = Database("postgresql://regie@serveur.invalid/festival")
    sqlite, window.db = window.db, server
    try:
        window.backups.start_automatic()
        assert "PostgreSQL" in window.statusBar().currentMessage()
        assert "pg_dump" in window.statusBar().currentMessage()
        assert not window.backups.timer.isActive()
    finally:
        window.db = sqlite
        server.dispose()

"""Start the GUI: one asyncio loop on the Qt main thread (qasync), devices, main window."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time

import qasync  # after PySide6, so qasync picks the PySide6 binding
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from regie.audit.recorder import install_audit
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.devices.readers import CardReaderBackend
from regie.devices.simulated import SimulatedBackend
from regie.i18n import _
from regie.paths import default_database_path
from regie.settings.event_zone import read_zone_of
from regie.settings.laptop import LaptopSettings
from regie.terminals.trust import install as install_fleet
from regie.ui.error_dialog import install_error_handler
from regie.ui.icon import install_icon
from regie.ui.language import install_qt_translations
from regie.ui.main_window import MainWindow
from regie.ui.people.session_actions import login_at_start

log = logging.getLogger(__name__)
STARTUP_PROBE = "REGIE_STARTUP_PROBE"  # set: print a line once usable, then quit


def open_database(url: str) -> Database:
    """Open and migrate; the embedded default gets the demo festival on first start."""
    db = Database(url)
    install_audit()  # the window is a composition root: changes are recorded with who and when
    install_fleet()  # journal files are checked against the paired terminals
    db.upgrade()
    if url == f"sqlite:///{default_database_path()}":
        from regie.demo import fill_demo  # every model and sample: only for this database

        fill_demo(db)
    read_zone_of(db)  # every moment shown on the clock of the office's events
    return db


def reader_backends(simulate_reader: bool, db: Database | None = None) -> list[CardReaderBackend]:
    """The real readers, and the simulated one when asked or on the demo festival's base
    (its cards can then be tapped and encoded with no reader, nor pcscd)."""
    from regie.cards.demo import holds_demo_cards

    backends: list[CardReaderBackend] = [PcscBackend()]
    if simulate_reader or (db is not None and holds_demo_cards(db)):
        backends.append(SimulatedBackend())
    return backends


def build_window(
    db: Database,
    backends: list[CardReaderBackend],
    loop: asyncio.AbstractEventLoop,
    settings: LaptopSettings | None = None,
) -> MainWindow:
    """The main window; with ``settings`` it reopens where it was left and remembers it."""
    devices = DeviceManager(backends, loop=loop)
    window = MainWindow(db, devices, settings)
    devices.start()
    return window


def probe_startup(window: MainWindow) -> None:
    """bench/startup.py: once the window is shown and the loop idle, say so and quit."""

    def ready() -> None:
        # The CPU seconds used so far: on a loaded machine the wall clock alone says little.
        print(f"{STARTUP_PROBE} ready cpu={time.process_time():.3f}", flush=True)
        window.close()

    QTimer.singleShot(0, ready)


def run(url: str, simulate_reader: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    install_qt_translations(app)  # the language regie.cli chose (--lang, REGIE_LANG, settings)
    app.setApplicationName("Régie")
    app.setOrganizationName("regie")
    install_icon(app)
    try:
        db = open_database(url)
    except Exception as error:
        from regie.logs import describe_failure

        log.exception("opening the database")
        QMessageBox.critical(
            None,
            "Régie",
            _("Impossible d'ouvrir la base.\n\n{reason}").format(reason=describe_failure(error)),
        )
        return 2
    if not login_at_start(db):  # once people exist, who is at the keyboard; Cancel closes
        db.dispose()
        return 0

    async def main() -> None:
        install_error_handler(app, asyncio.get_running_loop())  # no traceback reaches the user
        window = build_window(
            db,
            reader_backends(simulate_reader, db),
            asyncio.get_running_loop(),
            LaptopSettings.load(),
        )
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        # A session logout or `kill` closes Régie like its Quit menu: the database is closed.
        for number in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
                asyncio.get_running_loop().add_signal_handler(number, window.close)
        window.show()
        window.warm_up()  # each section's code, once the window is up
        window.backups.start_automatic()  # a backup at opening, then every hour
        if os.environ.get(STARTUP_PROBE):
            probe_startup(window)
        try:
            await closed.wait()
        finally:
            window.devices.stop()
            window.backups.back_up_on_close()
            db.dispose()

    qasync.run(main())
    return 0

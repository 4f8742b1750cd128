"""What a new user gets from `regie` on a fresh machine: the window, on the demo festival."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from regie.db import Database
from regie.inventory.models import Asset
from tests.rig.services import XvfbDisplay

REPO = Path(__file__).resolve().parents[1]


def windows_on(display: str) -> str:
    result = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        check=True,
    )
    return result.stdout


@pytest.mark.gui
def test_regie_opens_its_window_on_the_demo_festival_at_first_start(
    xvfb: XvfbDisplay, tmp_path: Path
) -> None:
    data_dir = tmp_path / "données"
    env = {
        **os.environ,
        "REGIE_DATA_DIR": str(data_dir),
        "REGIE_DATABASE_URL": "",
        "DISPLAY": xvfb.display,
        "QT_QPA_PLATFORM": "xcb",
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "regie", "--simulate-reader"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "regie.sqlite3" not in windows_on(xvfb.display):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "no Régie window after 30 s"
            time.sleep(0.2)
        db = Database(f"sqlite:///{data_dir / 'regie.sqlite3'}")
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Asset)) == 27
        db.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert process.returncode == 0, output  # SIGTERM closes it like Quit, not a crash
    assert "Traceback" not in output

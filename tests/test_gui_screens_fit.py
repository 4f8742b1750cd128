"""Every screen of the main window at 1280 × 720, then at 200 %, in French and in English:
nothing cut, every control named for a screen reader. Each screen is saved under
``artifacts/screens/fit-*.png`` to be looked at.

One window per language in this process; the 200 % run is a child process
(``QT_SCALE_FACTOR=2``: Qt's scale is fixed when the application starts).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from regie import i18n
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.ui.app import build_window
from regie.ui.language import install_qt_translations
from regie.ui.pages import SECTIONS
from tests.gui_screen_walk import clipped, look_at_every_screen, settled, shown, unnamed

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def season(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("fit") / "festival.sqlite3"
    shutil.copyfile(demo_file, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def walk(qtbot: QtBot, db: Database, loop: asyncio.AbstractEventLoop, language: str, shots: Path):
    """Every tab of every section at 1280 × 720: (what is cut, what is unnamed)."""
    i18n.set_language(language)
    install_qt_translations(QApplication.instance(), language)  # type: ignore[arg-type]
    window = build_window(db, [SimulatedBackend()], loop)
    qtbot.addWidget(window)

    def wait(page: QWidget) -> None:
        qtbot.waitUntil(lambda: settled(page), timeout=30_000)
        shown(QApplication.instance())  # type: ignore[arg-type]

    try:
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        return look_at_every_screen(window, wait, shots, f"fit-{language}-1280")
    finally:
        window.devices.stop()
        i18n.set_language("fr")
        install_qt_translations(QApplication.instance(), "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_screen_fits_1280_by_720_with_every_control_named(
    language: str,
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    season: Database,
    artifacts: Path,
) -> None:
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    cut, nameless = walk(qtbot, season, qt_loop, language, shots)
    assert not cut, "\n".join(cut)
    assert not nameless, "without an accessible name:\n" + "\n".join(nameless)


def test_every_screen_fits_at_200_percent_in_both_languages(
    season: Database, artifacts: Path
) -> None:
    shots = artifacts / "screens"
    shots.mkdir(exist_ok=True)
    environment = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui_screen_walk", season.url, str(shots)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(list(shots.glob("fr-200-*.png"))) >= len(SECTIONS)
    assert not report["clipped"], "\n".join(report["clipped"])
    assert not report["unnamed"], "\n".join(report["unnamed"])


def test_the_walk_finds_a_cut_label_a_cut_button_and_an_unnamed_field(qtbot: QtBot) -> None:
    holder = QWidget()
    qtbot.addWidget(holder)
    row = QHBoxLayout(holder)
    label, button, field = (
        QLabel("Encaissé moins dépensé chez elle"),
        QPushButton("Enregistrer"),
        QLineEdit(),
    )
    choice = QComboBox()
    choice.addItems(["Toutes les prestations", "MamaStock 2026"])
    choice.setObjectName("narrowChoice")
    choice.setAccessibleName("Prestation")
    row.addWidget(choice)
    label.setObjectName("narrowLabel")
    button.setObjectName("narrowButton")
    field.setObjectName("lonelyField")
    for widget in (label, button, field):
        row.addWidget(widget)
    holder.show()
    label.setFixedWidth(40)
    button.setFixedWidth(30)
    choice.setFixedWidth(90)
    QApplication.processEvents()
    assert sorted(line.split(":")[0] for line in clipped(holder)) == [
        "QWidget/narrowButton",
        "QWidget/narrowChoice",
        "QWidget/narrowLabel",
    ]
    choice.setFixedWidth(choice.sizeHint().width())
    assert len(clipped(holder)) == 2
    assert unnamed(holder) == ["QWidget/lonelyField"]
    buddy = QLabel("&Nom :")
    buddy.setBuddy(field)
    row.addWidget(buddy)
    assert unnamed(holder) == []

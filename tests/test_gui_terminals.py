"""The Terminals screens in the real main window under Xvfb, against five real agents on
five cables (each a socat pty pair, a relay carrying 300 KB/s so that progress can be seen,
and a second pty pair): a fleet push with live progress, a cable pulled mid-transfer and the
retry, journals pulled into the ledger exactly once. Screenshots in artifacts/screens/."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from regie.db import Database
from regie.ledger.models import Source, Transfer
from regie.terminals.registry import list_terminals, set_menu_item
from regie.ui.app import build_window
from regie.ui.main_window import MainWindow
from regie.ui.terminals.fleet_model import PORT
from regie.ui.terminals.page import TerminalsPage
from regie.ui.terminals.push_dialog import PushDialog
from tests.test_terminals_rig import (
    POINTS_OF_SALE,
    Agent,
    Cable,
    Relay,
    fleet_db,
    pairing_keyring,
    serial_of,
)

pytestmark = pytest.mark.gui
NAMES = [f"SUNMI-V2S-{n:03d}" for n in range(1, 6)]
SALES = 200


class Line:
    """Régie on ``left.a`` — relay — agent on ``right.b``."""

    def __init__(self, folder: Path, name: str, number: int, stack: contextlib.ExitStack) -> None:
        serial, pos = serial_of(number), POINTS_OF_SALE[number - 1]  # as the inventory has it
        self.left, self.right = Cable(folder / "left"), Cable(folder / "right")
        stack.callback(self.left.close)
        stack.callback(self.right.close)
        self.relay = Relay(self.left.b, self.right.a, rate=300_000)
        stack.callback(self.relay.stop)
        self.agent = Agent(
            self.right.b,
            folder / "state",
            *("--name", name, "--serial", serial, "--pos", pos, "--simulate-sales", str(SALES)),
        )
        stack.callback(self.agent.stop)


@pytest.fixture
def festival(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, list[Line]]]:
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=5, big=True)
    with contextlib.ExitStack() as stack:
        # The push pairs each terminal (secrets in a file keyring); the pull checks them.
        stack.enter_context(pairing_keyring(tmp_path / "keyring.json", monkeypatch))
        lines = [Line(tmp_path / f"line{n}", name, n + 1, stack) for n, name in enumerate(NAMES)]
        yield db, lines
    db.dispose()


@pytest.fixture
def window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: tuple[Database, list[Line]]
) -> Iterator[MainWindow]:
    main = build_window(festival[0], [], qt_loop)
    qtbot.addWidget(main)
    main.resize(1280, 760)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.devices.stop()


def shoot(widget: QWidget, artifacts: Path, name: str) -> None:
    folder = artifacts / "screens"
    folder.mkdir(exist_ok=True)
    widget.grab().save(str(folder / f"terminals-{name}.png"))


def ledger_lines(db: Database) -> int:
    with db.session() as session:
        return (
            session.scalar(
                select(func.count(func.distinct(Transfer.source_id * 1_000_000 + Transfer.seq)))
                .join(Source, Source.id == Transfer.source_id)
                .where(Source.name.in_(NAMES))
            )
            or 0
        )


def test_a_fleet_gets_its_configs_live_a_pulled_cable_is_retried_and_journals_land_once(
    qtbot: QtBot,
    window: MainWindow,
    festival: tuple[Database, list[Line]],
    artifacts: Path,
) -> None:
    db, lines = festival
    window.show_section("terminals")
    page = window.pages.currentWidget()
    assert isinstance(page, TerminalsPage)
    fleet, model = page.fleet, page.fleet.model
    assert [row.name for row in model.rows()] == NAMES
    shoot(window, artifacts, "1-fleet")

    # The first port is typed in the table, as a user does; the others the same way, faster.
    table = fleet.table
    cell = model.index(0, PORT)
    table.setCurrentIndex(cell)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # or a double-click: the port editor opens
    editor = table.findChild(QComboBox, "portEditor")
    assert editor is not None
    qtbot.keyClicks(editor.lineEdit(), lines[0].left.a)
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    assert model.rows()[0].port == lines[0].left.a
    for name, line in zip(NAMES[1:], lines[1:], strict=True):
        model.set_port(name, line.left.a)
    with db.session() as session:  # the ports are remembered for next time
        assert [t.port for t in list_terminals(session)] == [line.left.a for line in lines]

    qtbot.mouseClick(fleet.check_button, Qt.MouseButton.LeftButton)
    assert len(model.checked()) == 5
    qtbot.mouseClick(fleet.push_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: fleet.push_dialog is not None and fleet.push_dialog.isVisible(), timeout=20_000
    )
    dialog = fleet.push_dialog
    assert isinstance(dialog, PushDialog)
    titles = [dialog.tree.topLevelItem(n).text(0) for n in range(5)]
    assert titles[0] == f"SUNMI-V2S-001 : aucune configuration → v1 (1,0 Mo) — {lines[0].left.a}"
    assert (
        dialog.tree.topLevelItem(0)
        .child(0)
        .text(0)
        .startswith("première configuration de ce terminal : Bar Nord, 500 produits")
    )
    shoot(dialog, artifacts, "2-push-diff")
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)

    # Live progress; the third cable is pulled once a quarter of its bytes went over.
    third = lambda: model.rows()[2]  # noqa: E731
    qtbot.waitUntil(lambda: third().stage == "envoi" and third().fraction > 0.25, timeout=20_000)
    lines[2].left.pull()
    qtbot.waitUntil(
        lambda: all(0.3 < r.fraction < 1 for r in model.rows() if r.ok is None), timeout=20_000
    )
    shoot(window, artifacts, "3-push-progress")
    qtbot.waitUntil(lambda: fleet.work is None, timeout=60_000)
    results = [(row.ok, row.result) for row in model.rows()]
    assert [ok for ok, _ in results] == [True, True, False, True, True]
    assert (
        "liaison coupée" in results[2][1]
        and "Le terminal garde sa configuration d'usine" in (results[2][1])
    )
    assert fleet.summary.text().startswith("4 terminaux à jour, 1 échec : SUNMI-V2S-003.")
    assert fleet.summary.text().endswith(" : l'envoi reprendra où il s'est arrêté.")  # cut mid-way
    assert fleet.retry_button.isEnabled()
    assert fleet.detail.text().startswith("SUNMI-V2S-003 — CCC-V2S-003 · Sunmi V2s n° V2S2409003")
    assert "liaison coupée" in fleet.detail.text()  # the failed row is shown at once
    shoot(window, artifacts, "4-push-failed")
    assert lines[2].agent.active() == {}  # nothing half-applied
    assert all(line.agent.active()["version"] == 1 for n, line in enumerate(lines) if n != 2)

    lines[2].left.plug()  # the cable is back
    qtbot.mouseClick(fleet.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fleet.work is None and model.rows()[2].ok is not None, timeout=60_000)
    assert model.rows()[2].ok, model.rows()[2].result
    assert "reprise à" in model.rows()[2].result
    assert "reprise à" in fleet.detail.text()  # the line under the table follows
    assert lines[2].agent.active()["version"] == 1
    assert model.rows()[2].info.config_version == 1
    shoot(window, artifacts, "5-retried")

    qtbot.mouseClick(fleet.pull_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: fleet.work is None and all(r.ok is not None for r in model.rows()), timeout=60_000
    )
    assert all(r.ok for r in model.rows()), [r.result for r in model.rows()]
    assert fleet.summary.text() == (
        f"5 journaux relevés : {5 * SALES} opérations importées au grand livre."
    )
    assert ledger_lines(db) == 5 * SALES
    shoot(window, artifacts, "6-pulled")
    qtbot.mouseClick(fleet.pull_button, Qt.MouseButton.LeftButton)  # once more: nothing new
    qtbot.waitUntil(
        lambda: fleet.work is None and "0 opération" in fleet.summary.text(), timeout=60_000
    )
    assert ledger_lines(db) == 5 * SALES

    table.setCurrentIndex(model.index(0, 0))
    qtbot.mouseClick(fleet.status_button, Qt.MouseButton.LeftButton)
    box = None

    def status_box() -> bool:
        nonlocal box
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        return box is not None

    qtbot.waitUntil(status_box, timeout=20_000)
    assert box is not None and "Terminal : SUNMI-V2S-001" in box.text()
    assert "0 pas encore relevée par Régie" in box.text()
    shoot(box, artifacts, "7-status")
    box.close()

    page.tabs.setCurrentWidget(page.config)
    qtbot.waitUntil(lambda: page.config.view is not None, timeout=20_000)
    assert page.config.facts["cards"].text() == "0 carte staff, 17\u202f000 cartes bloquées"
    assert page.config.changes.item(0).text() == "le terminal a déjà cette version"
    shoot(window, artifacts, "8-config")

    page.tabs.setCurrentWidget(page.history)
    events = page.history.events.rows()
    assert sum(1 for e in events if e.kind == "push" and not e.ok) == 1
    assert sum(1 for e in events if e.kind == "pull" and e.ok) == 10
    assert sorted(p.terminal for p in page.history.pulls.rows()) == NAMES
    shoot(window, artifacts, "9-history")

    # A price changes: the push dialog says exactly what will change on that terminal.
    with db.session() as session:
        set_menu_item(session, "Bar Nord", "Bière 25cl", 350, 2000, "Bar")
    page.tabs.setCurrentWidget(fleet)
    model.check_all(False)
    model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    fleet.push_dialog = None
    qtbot.mouseClick(fleet.push_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: fleet.push_dialog is not None and fleet.push_dialog.isVisible(), timeout=20_000
    )
    changed = fleet.push_dialog
    top = changed.tree.topLevelItem(0)
    assert changed.tree.topLevelItemCount() == 1
    assert top.text(0).startswith("SUNMI-V2S-001 : v1 → v2 (1,0 Mo)")
    assert [top.child(n).text(0) for n in range(top.childCount())] == [
        "Produits : 0 ajouté, 0 retiré, 1 modifié",
        "Bière 25cl : 3,00\xa0€ → 3,50\xa0€",
    ]
    shoot(changed, artifacts, "2b-push-diff-v2")
    changed.reject()

    # In the ledger: the five terminals' lines, once.
    window.show_section("ledger")
    ledger = window.pages.currentWidget()
    journal = ledger.journal  # type: ignore[attr-defined]
    journal.refresh()
    qtbot.waitUntil(lambda: journal.model.total > 0, timeout=20_000)
    shoot(window, artifacts, "10-ledger")

"""A transfer cut near its end never reads as finished: the sizes and shares said after a cut
cable keep the precision that tells « almost » from « all »."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from regie.terminals.push import PushJob
from regie.terminals.sizes import progress_percent, progress_sizes, size_text
from tests.test_terminals_rig import fleet_db

MIB = 1024 * 1024


def test_almost_all_of_a_transfer_does_not_read_as_all_of_it() -> None:
    # 1,245,184 / 1,048,576 = 1.1875 Mo held, rounded down: 1,1 (the old text rounded it up
    # to 1,2, as the whole: 1,260,021 / 1,048,576 = 1.2016…)
    assert progress_sizes(1_245_184, 1_260_021) == ("1,1 Mo", "1,2 Mo")
    assert progress_sizes(1_260_021, 1_260_021) == ("1,2 Mo", "1,2 Mo")


def test_the_part_held_gets_the_decimals_it_needs() -> None:
    # 1,259,000 / MIB = 1.20068… → 1,200 (down); 1,260,021 / MIB = 1.20164… → 1,202
    assert progress_sizes(1_259_000, 1_260_021) == ("1,200 Mo", "1,202 Mo")
    # 1,048,676 / MIB = 1.000095… and 1,049,076 / MIB = 1.000476…: 1,000 both, so in bytes
    assert progress_sizes(MIB + 100, MIB + 500) == (
        "1\u202f048\u202f676 o",
        "1\u202f049\u202f076 o",
    )
    # 1,023,900 / 1024 = 999.90… → 999 Ko (down); 1,024,000 / 1024 = 1000 Ko
    assert progress_sizes(1_023_900, 1_024_000) == ("999 Ko", "1\u202f000 Ko")


def test_sizes_follow_the_language(english: None) -> None:
    assert progress_sizes(1_245_184, 1_260_021) == ("1.1 MB", "1.2 MB")
    assert size_text(MIB) == "1.0 MB"


@pytest.mark.parametrize(
    ("done", "total", "said"), [(995, 1000, 99), (999_999, 10**6, 99), (1000, 1000, 100), (0, 0, 0)]
)
def test_a_share_reads_100_only_at_the_last_byte(done: int, total: int, said: int) -> None:
    assert progress_percent(done, total) == said


@pytest.mark.gui
def test_the_fleet_screen_promises_no_resumed_transfer_when_the_port_never_opened(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from regie.ui.terminals.fleet_screen import FleetScreen

    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=1)
    try:
        fleet = FleetScreen(db)
        qtbot.addWidget(fleet)
        fleet.start_push([PushJob("SUNMI-V2S-001", str(tmp_path / "no-such-port"))])
        qtbot.waitUntil(lambda: fleet.work is None, timeout=10_000)
        said = fleet.summary.text()
        assert said.startswith("0 terminal à jour, 1 échec : SUNMI-V2S-001.")
        assert "reprendra" not in said, said  # nothing was sent: nothing to resume
    finally:
        db.dispose()

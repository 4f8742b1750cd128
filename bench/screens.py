"""Switching screens: every section and every tab of the main window, on the demo database.

Each switch is timed from the click (``show_section``, a tab made current) until the event
loop is idle again (pending events processed, the new screen painted), the first time (the
page is built, its modules imported) and again. Between two clicks the bench waits as a person
looking at the screen would (0.4 s), so that one screen's background reading (a report's
preview) is not counted in the next one's switch. Prints each, and the worst of each kind
against the 100 ms budget of issue 8. Runs offscreen unless a display is set.

A real Régie runs from bytecode: the measure runs in a child process with Python's bytecode
kept in a private folder, after a warm-up run that compiles it (as bench/startup.py does).

Run: .venv/bin/python -m bench.screens [--db sqlite:///file]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BUDGET_MS = 100.0  # issue 8: no screen takes more than 100 ms to switch to
ROUNDS = ("première fois", "de nouveau")


def settle() -> None:
    """Until the loop is idle: posted events, timers due now, paints (a few passes)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    for _pass in range(3):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    settle()
    elapsed = (time.perf_counter() - start) * 1000
    look()
    return elapsed


def look(seconds: float = 0.4) -> None:
    """A person looks at the screen before the next click: what it reads in the background
    (a report's preview, the figures) ends before the next switch is timed."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def measure(url: str) -> None:
    import asyncio

    import PySide6  # noqa: F401  (qasync must see PySide6 first)
    import qasync
    from PySide6.QtWidgets import QApplication, QTabWidget

    from regie.db import Database
    from regie.devices.simulated import SimulatedBackend
    from regie.i18n import _
    from regie.ui.app import build_window
    from regie.ui.pages import SECTIONS

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    db = Database(url)
    window = build_window(db, [SimulatedBackend()], loop)
    window.resize(1280, 800)
    window.show()
    window.warm_up(0)  # as regie.ui.app does: sections' code loaded in the first idle moments
    settle()
    while not window.warmed:  # a person takes a second or two before the first click
        settle()
    rows: list[tuple[str, str, float]] = []  # round, screen, ms
    order = [*SECTIONS[1:], SECTIONS[0]]  # the window opens on the dashboard
    for round_name in ROUNDS:
        for section in order:
            ms = timed(lambda key=section.key: window.show_section(key))
            rows.append((round_name, _(section.title), ms))
            print(f"{round_name:14} {_(section.title):28} {ms:7.1f} ms", flush=True)
            page = window.pages.currentWidget()
            for tabs in page.findChildren(QTabWidget) if page is not None else []:
                first = tabs.currentIndex()
                for index in [*range(tabs.count()), first]:
                    if index == tabs.currentIndex():
                        continue
                    ms = timed(lambda t=tabs, i=index: t.setCurrentIndex(i))
                    name = f"{_(section.title)} › {tabs.tabText(index).replace('&', '')}"
                    rows.append((round_name, name, ms))
                    print(f"{round_name:14} {name:28} {ms:7.1f} ms", flush=True)
    for round_name in ROUNDS:
        _round, screen, worst = max((r for r in rows if r[0] == round_name), key=lambda r: r[2])
        verdict = "dans le budget" if worst <= BUDGET_MS else "HORS BUDGET"
        print(
            f"pire ({round_name}) : {screen} en {worst:.0f} ms "
            f"(budget {BUDGET_MS:.0f} ms) — {verdict}"
        )
    over = sorted({screen for _r, screen, ms in rows if ms > BUDGET_MS})
    if over:
        print("au-delà de 100 ms au moins une fois : " + ", ".join(over))
    window.devices.stop()
    window.close()
    loop.close()
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a new demo database)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    from bench.startup import demo_database, environment

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = demo_database(data_dir, args.db)
        env = environment(data_dir, url)
        env.pop("REGIE_STARTUP_PROBE", None)
        command = [sys.executable, "-m", "bench.screens", "--measure", url]
        subprocess.run(command, env=env, capture_output=True, check=False)  # compiles bytecode
        print(f"charge de la machine : {os.getloadavg()[0]:.1f}")
        sys.exit(subprocess.run(command, env=env, check=False).returncode)


if __name__ == "__main__":
    main()

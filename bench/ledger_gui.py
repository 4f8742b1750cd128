"""Ledger screens benchmark: the GUI's event loop during an import, and the journal view on a
big journal. Prints figures.

Targets (issue 5): the event loop never stalls more than 50 ms during an import (a QTimer
ticks every 10 ms on the GUI thread; the longest gap between two ticks is the stall); the
journal view opens instantly on a 1,000,000-transfer journal and scrolls smoothly.
Qt runs offscreen (no display needed).

Run: .venv/bin/python -m bench.ledger_gui [--transactions N] [--journal-db URL]
``--journal-db`` times the journal view on an existing big ledger (e.g. the one
``bench.ledger`` builds) instead of the one just imported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from regie.db import Database
from regie.ledger.browse import JournalFilter
from regie.ledger.simulate import Festival, write_journal
from regie.ui.ledger.import_dialog import ImportDialog
from regie.ui.ledger.journal_screen import JournalScreen

STALL_TARGET_MS = 50


class StallMeter:
    """Ticks every 10 ms on the GUI thread and keeps the gaps between ticks."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps, self._last = [], time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def summary(self) -> str:
        ordered = sorted(self.gaps)
        p99 = ordered[int(len(ordered) * 0.99)] if ordered else 0.0
        return (
            f"pause maximale {max(ordered, default=0):.0f} ms, 99e centile {p99:.0f} ms, "
            f"médiane {statistics.median(ordered) if ordered else 0:.0f} ms "
            f"({len(ordered)} tops de 10 ms)"
        )

    @property
    def worst(self) -> float:
        return max(self.gaps, default=0.0)


def run_until(done: Callable[[], bool], seconds: float = 3600) -> None:
    """Run the Qt event loop (as the app does: idle between events) until ``done()``."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(5)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    check.stop()


def quiet(_kind: QtMsgType, _context: object, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform says it at every show
        print(message)


def time_journal(app: QApplication, db: Database, meter: StallMeter) -> float:
    """Open the journal view (first paint with its rows), scroll, filter; print figures."""
    start = time.perf_counter()
    screen = JournalScreen(db)
    screen.resize(1080, 720)
    screen.show()
    screen.repaint()
    app.processEvents()
    opened = (time.perf_counter() - start) * 1000
    model = screen.model
    print(
        f"journal : {model.total} transferts ouverts en {opened:.0f} ms "
        f"({model.rows_in_memory()} lignes en mémoire, {model.pages_read} page(s) lue(s))"
    )
    scroll = screen.table.verticalScrollBar()
    steps = []
    for position in range(0, scroll.maximum() + 1, max(scroll.maximum() // 50, 1)):
        begin = time.perf_counter()
        scroll.setValue(position)
        screen.table.viewport().repaint()
        steps.append((time.perf_counter() - begin) * 1000)
    print(
        f"défilement par bonds sur tout le journal : {len(steps)} écrans, "
        f"médiane {statistics.median(steps):.1f} ms, pire {max(steps):.1f} ms ; "
        f"{model.rows_in_memory()} lignes en mémoire"
    )
    place = screen.place.itemData(1) or ""
    meter.start()
    begin = time.perf_counter()
    model.set_filter(JournalFilter(pos=place))
    run_until(lambda: not model.busy)
    counted = time.perf_counter() - begin
    settled = time.perf_counter() + 0.1
    run_until(lambda: time.perf_counter() > settled)  # the table repaints with the new rows
    meter.stop()
    print(
        f"filtre « {place} » (compté dans un thread) : {model.total} transferts en "
        f"{counted * 1000:.0f} ms ; {meter.summary()}"
    )
    screen.close()
    return opened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--pos", type=int, default=40)
    parser.add_argument("--db", help="database URL to import into (default: temporary SQLite)")
    parser.add_argument("--journal-db", help="a big ledger to time the journal view on")
    args = parser.parse_args()
    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "festival.jsonl"
        spec = Festival(transactions=args.transactions, cards=args.cards, points_of_sale=args.pos)
        lines = write_journal(spec, str(journal))
        print(f"journal généré : {lines} lignes, {journal.stat().st_size / 1e6:.0f} Mo")
        db = Database(args.db or f"sqlite:///{Path(tmp) / 'ledger.sqlite3'}")
        db.upgrade()

        dialog = ImportDialog(db)
        dialog.show()
        dialog.add_files([journal])
        meter = StallMeter()
        progress: list[int] = []
        dialog.progress.valueChanged.connect(progress.append)
        app.processEvents()
        meter.start()
        start = time.perf_counter()
        dialog.start()
        run_until(lambda: not dialog.running)
        elapsed = time.perf_counter() - start
        meter.stop()
        result = dialog.outcome
        assert result is not None, dialog.status.text()
        print(
            f"import par la fenêtre : {result.lines} lignes ({result.transfers} transferts) en "
            f"{elapsed:.1f} s = {result.lines / elapsed:.0f} lignes/s ; "
            f"{len(progress)} mises à jour de la barre"
        )
        print(f"boucle d'événements pendant l'import : {meter.summary()}")
        stall = meter.worst
        dialog.close()

        big = Database(args.journal_db) if args.journal_db else db
        opened = time_journal(app, big, meter)
        big.dispose()
        if big is not db:
            db.dispose()
    verdict = "OK" if stall <= STALL_TARGET_MS else "TROP LONG"
    print(
        f"RÉSULTAT : pause maximale pendant l'import {stall:.0f} ms (cible {STALL_TARGET_MS} ms, "
        f"{verdict}) ; journal ouvert en {opened:.0f} ms"
    )


if __name__ == "__main__":
    main()

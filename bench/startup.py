"""Cold start of a real ``regie`` process on the demo database, to a usable main window.

The clock starts before the process is spawned and stops when the process prints the
``REGIE_STARTUP_PROBE`` line: the window is shown and the event loop idle (the app quits
right after). Prints each run and the median; over the 1 s budget, the slowest imports
(``python -X importtime``). Needs a display (Xvfb: ``xvfb-run -a``) or runs offscreen.

Run: .venv/bin/python -m bench.startup [--runs 7] [--db sqlite:///file]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regie.db import Database
from regie.demo import fill_demo
from regie.ui.app import STARTUP_PROBE

BUDGET = 1.0  # seconds, issue 8
REPO = Path(__file__).resolve().parents[1]


def environment(data_dir: Path, url: str) -> dict[str, str]:
    env = {
        **os.environ,
        STARTUP_PROBE: "1",
        "REGIE_DATA_DIR": str(data_dir),
        "REGIE_DATABASE_URL": url,
        "XDG_CONFIG_HOME": str(data_dir / "config"),  # no remembered section or language
        "PYTHONPATH": str(REPO),
        # An installed Régie runs from bytecode: compiled once (the warm-up run), kept aside.
        "PYTHONPYCACHEPREFIX": str(data_dir / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def one_start(env: dict[str, str], extra: list[str] | None = None) -> tuple[float, float, str]:
    """Wall seconds to the probe line, the CPU seconds Régie had used by then, its stderr."""
    command = [sys.executable, *(extra or []), "-m", "regie", "--simulate-reader"]
    with tempfile.TemporaryFile("w+") as errors:  # a pipe would fill up and block Régie
        start = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        assert process.stdout is not None
        elapsed = cpu = float("nan")
        for line in process.stdout:
            if line.startswith(STARTUP_PROBE):
                elapsed = time.perf_counter() - start
                cpu = float(line.rpartition("cpu=")[2] or "nan")
                break
        process.communicate(timeout=60)
        errors.seek(0)
        return elapsed, cpu, errors.read()


def import_breakdown(env: dict[str, str], top: int = 25) -> None:
    _elapsed, _cpu, err = one_start(env, ["-X", "importtime"])
    rows = []
    for line in err.splitlines():
        _own, _bar, rest = line.removeprefix("import time:").partition("|")
        total, _bar, name = rest.partition("|")
        if line.startswith("import time:") and total.strip().isdigit():
            rows.append((int(total), name.rstrip()))
    rows.sort(reverse=True)
    print(f"\nles {top} imports les plus longs (cumulé, ms) :")
    for total, name in rows[:top]:
        print(f"  {total / 1000:8.1f}  {name}")


def demo_database(data_dir: Path, url: str | None) -> str:
    """``url``, or a new demo festival's SQLite file in ``data_dir``."""
    if url:
        return url
    url = f"sqlite:///{data_dir / 'demo.sqlite3'}"
    db = Database(url)
    db.upgrade()
    fill_demo(db)
    db.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: a new demo database)")
    parser.add_argument("--imports", action="store_true", help="print the import times anyway")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        url = demo_database(data_dir, args.db)
        env = environment(data_dir, url)
        one_start(env)  # warm the OS file cache: "cold" is a new process, not a new boot
        times, cpus = [], []
        for run in range(1, args.runs + 1):
            elapsed, cpu, err = one_start(env)
            if elapsed != elapsed:  # NaN: the probe line never came
                sys.exit(f"regie ne s'est pas ouvert :\n{err[-2000:]}")
            times.append(elapsed)
            cpus.append(cpu)
            print(f"démarrage {run} : {elapsed * 1000:.0f} ms (CPU de regie : {cpu * 1000:.0f} ms)")
        median = statistics.median(times)
        verdict = "dans le budget" if median <= BUDGET else "HORS BUDGET"
        print(
            f"médiane : {median * 1000:.0f} ms sur {len(times)} démarrages "
            f"(budget {BUDGET * 1000:.0f} ms) — {verdict}"
        )
        # Wall time counts the other programs of a busy machine; CPU time is Régie's own work.
        print(
            f"médiane du temps CPU de regie : {statistics.median(cpus) * 1000:.0f} ms "
            f"(charge de la machine : {os.getloadavg()[0]:.1f})"
        )
        if median > BUDGET or args.imports:
            import_breakdown(env)


if __name__ == "__main__":
    main()

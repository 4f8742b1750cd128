"""The Linux bundle's build (PyInstaller, installer/regie.spec), started as early as possible.

Building takes a minute of one core. The suite runs in one process on a 2-core machine, so
conftest starts the build in the background as soon as it knows test_installer_bundle.py will
run; its tests then find the bundle ready, or wait for the rest of the build.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "installer" / "regie.spec"


@dataclass(kw_only=True)
class BundleBuild:
    folder: Path  # holds dist/ and work/
    process: subprocess.Popen[bytes]
    log: Path
    started: float

    def wait(self) -> tuple[Path, float, str]:
        """``(dist/regie, seconds the build took, its log)``; the seconds count from its start."""
        returncode = self.process.wait()
        seconds = time.monotonic() - self.started
        text = self.log.read_text(encoding="utf-8", errors="replace")
        if returncode != 0:
            raise AssertionError(f"PyInstaller failed ({returncode}):\n{text[-6000:]}")
        return self.folder / "dist" / "regie", seconds, text


EARLY_BUILD = pytest.StashKey["BundleBuild"]()


def start_build(under: Path | None = None) -> BundleBuild:
    folder = Path(tempfile.mkdtemp(prefix="regie-bundle-", dir=under))
    log = folder / "pyinstaller.log"
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(folder / "dist"), "--workpath", str(folder / "work"), str(SPEC)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    return BundleBuild(folder=folder, process=process, log=log, started=time.monotonic())

"""The core never imports Qt: checked on the source and on a real interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import regie
from regie.layers import violations

PACKAGE = Path(regie.__file__).parent


def test_no_core_module_imports_qt_or_the_ui() -> None:
    found = violations(PACKAGE)
    assert not found, "couche violée :\n" + "\n".join(map(str, found))


def test_the_contract_catches_a_core_module_that_imports_qt(tmp_path: Path) -> None:
    package = tmp_path / "regie"
    (package / "ui").mkdir(parents=True)
    (package / "ui" / "window.py").write_text("from PySide6.QtWidgets import QWidget\n")
    (package / "ledger.py").write_text("def f():\n    import qasync\n")
    (package / "cards.py").write_text("from regie.ui import window\n")
    # The CLI may open the window lazily, in its gui command, and in no other way.
    (package / "cli.py").write_text(
        "from regie.ui.app import run\n"
        "def gui():\n    from regie.ui.app import run\n"
        "def other():\n    import PySide6\n"
    )
    found = sorted((v.path.name, v.line, v.module) for v in violations(package))
    assert found == [
        ("cards.py", 1, "regie.ui"),
        ("cards.py", 1, "regie.ui.window"),
        ("cli.py", 1, "regie.ui.app"),
        ("cli.py", 1, "regie.ui.app.run"),
        ("cli.py", 5, "PySide6"),
        ("ledger.py", 2, "qasync"),
    ]


def test_importing_every_core_module_loads_no_qt() -> None:
    code = (
        "import pkgutil, sys, importlib, regie\n"
        "for m in pkgutil.walk_packages(regie.__path__, 'regie.'):\n"
        "    if m.name.startswith(('regie.ui', 'regie.migrations', 'regie.__main__')):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'qasync'))\n"
        "print(len([n for n in sys.modules if n.startswith('regie')]), bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    assert int(out[0]) > 10  # the walk really imported the core
    assert out[1].strip() == "[]"

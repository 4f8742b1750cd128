"""The layer rule, as code: only ``regie.ui`` may import Qt (PySide6, shiboken6, qasync).

The core never imports Qt and never imports the UI, with one exception: the ``gui`` command
of the CLI is the composition root that opens the window, so ``regie/cli.py`` may import
``regie.ui.app`` inside that command (never at module level: the CLI must start without Qt).
The test suite runs :func:`violations` over the package, so a crossing fails the build.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

QT_MODULES = ("PySide6", "shiboken6", "qasync")
UI_PACKAGE = "regie.ui"
GUI_LAUNCHER = ("cli.py", "regie.ui.app")  # the one allowed, lazy, way into the UI


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    module: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} importe {self.module}"


def _forbidden(module: str) -> bool:
    root = module.split(".")[0]
    return root in QT_MODULES or module == UI_PACKAGE or module.startswith(UI_PACKAGE + ".")


def imported_modules(source: str, top_level_only: bool = False) -> list[tuple[int, str]]:
    """Every module a source file imports, anywhere in it (functions included)."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def violations(package_dir: Path) -> list[Violation]:
    """Imports of Qt or of regie.ui from any module outside ``<package_dir>/ui``."""
    result = []
    ui_dir = package_dir / "ui"
    for path in sorted(package_dir.rglob("*.py")):
        if ui_dir in path.parents:
            continue
        source = path.read_text(encoding="utf-8")
        top_level = set(imported_modules(source, top_level_only=True))
        for line, module in imported_modules(source):
            if not _forbidden(module):
                continue
            launcher = path.relative_to(package_dir).as_posix() == GUI_LAUNCHER[0] and (
                module == GUI_LAUNCHER[1] or module.startswith(GUI_LAUNCHER[1] + ".")
            )
            if launcher and (line, module) not in top_level:
                continue
            result.append(Violation(path, line, module))
    return result

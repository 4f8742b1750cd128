"""The layers of the house, checked by import-linter's contracts (pyproject.toml), and no file
circle: two modules that import each other, directly or through a longer loop. An import inside
a function or for the type checker alone still counts: it hides a circle, it does not remove it."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

import regie

PACKAGE = Path(regie.__file__).parent
REPO = PACKAGE.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package and the contracts found under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True
    )


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def contract(contract_id: str) -> dict[str, object]:
    return next(c for c in contracts() if c["id"] == contract_id)


def test_the_house_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_lint_imports_names_the_contract_a_deliberate_violation_breaks(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "regie", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    money = tmp_path / "regie" / "money.py"
    money.write_text(money.read_text("utf-8") + "\nimport regie.ledger  # a core module, up\n")
    clock = tmp_path / "regie" / "clock.py"
    clock.write_text(clock.read_text("utf-8") + "\nfrom PySide6 import QtCore  # Qt in the core\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Only regie.ui imports Qt (PySide6, shiboken6, qasync) BROKEN" in result.stdout
    assert "regie.clock is not allowed to import PySide6" in result.stdout
    assert "The layers of the house BROKEN" in result.stdout
    assert "regie.money is not allowed to import regie.ledger" in result.stdout


def test_every_module_outside_the_ui_is_forbidden_qt() -> None:
    """The Qt contract lists its modules: a new one must be listed too (the layers contract is
    exhaustive, so it already names every module of regie)."""
    top_level = grimp.build_graph("regie", cache_dir=None).find_children("regie")
    assert set(contract("qt")["source_modules"]) == top_level - {"regie.ui"}  # type: ignore[call-overload]


def imports_inside_functions(path: Path) -> set[int]:
    """The lines of the imports that run only when a function of the module is called."""
    tree = ast.parse(path.read_text("utf-8"))
    return {
        line
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }


def circles(package: str) -> list[list[str]]:
    """Every set of modules that import one another (strongly connected, Tarjan's algorithm),
    each as its modules in order."""
    graph = grimp.build_graph(package, cache_dir=None)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges.get(module, []):
            if other not in index:
                connect(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            connect(module)
    return sorted(found)


def test_no_two_modules_import_each_other_when_loaded() -> None:
    found = circles("regie")
    assert found == [], "cercles de fichiers :\n" + "\n".join(" ↔ ".join(g) for g in found)


def test_the_circle_check_finds_a_loop_through_three_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "festival"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "loans.py").write_text("from festival import cards\n")
    (package / "cards.py").write_text("import festival.ledger\n")
    (package / "ledger.py").write_text("def f():\n    from festival.loans import x\n")  # lazy
    (package / "desk.py").write_text("import festival.loans\n")  # into the loop, not back
    monkeypatch.syspath_prepend(str(tmp_path))

    assert circles("festival") == [["festival.cards", "festival.ledger", "festival.loans"]]


def test_the_gui_command_is_the_one_lazy_way_into_the_ui() -> None:
    """The layers contract ignores ``regie.cli -> regie.ui.app``: only inside the ``gui``
    command, so that the CLI starts without Qt."""
    ignored = {c["id"]: c["ignore_imports"] for c in contracts() if "ignore_imports" in c}
    assert ignored == {"layers": ["regie.cli -> regie.ui.app"]}  # and no other exception
    graph = grimp.build_graph("regie", cache_dir=None)
    into_ui = [
        m for m in graph.find_modules_directly_imported_by("regie.cli") if m.startswith("regie.ui")
    ]
    assert into_ui == ["regie.ui.app"]
    lazy = imports_inside_functions(PACKAGE / "cli.py")
    details = graph.get_import_details(importer="regie.cli", imported="regie.ui.app")
    assert details and all(detail["line_number"] in lazy for detail in details)


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

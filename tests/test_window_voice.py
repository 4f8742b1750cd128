"""One voice: the window never speaks command line.

Every text the window can show — the marked texts of ``regie/ui`` and of every core module the
window reaches through its imports (the errors of the operations it calls, the dashboard's
alerts, settings' help) — is read here, in French and in English, and none may tell the office
to type a command (« regie … »), an option (« --role ») or a variable (« REGIE_PIN »). A core
message whose way to act differs between the faces is said two ways (``regie.errors.UserError``):
its ``command=`` wording is the command line's and is left out of this walk.

And the first administrator created in the window is signed in at once.
"""

from __future__ import annotations

import ast
import asyncio
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

import regie
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.errors import UserError
from regie.people.actor import current_actor, set_desk_actor
from tests.test_i18n_catalogue import english as english_catalogue

SOURCE = Path(regie.__file__).parent
MARKERS = {"_", "N_", "ngettext"}
COMMAND_LINE = re.compile(r"\bregie [a-z]|--|\bREGIE_")  # « regie doctor », « --role », REGIE_PIN


def module_file(name: str) -> Path | None:
    path = SOURCE.parent.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imported(path: Path, name: str) -> Iterator[str]:
    """Every ``regie`` module ``path`` imports, at its top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def window_modules() -> dict[str, Path]:
    """The window's modules and every ``regie`` module they reach."""
    found: dict[str, Path] = {}
    todo = [
        ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in (SOURCE / "ui").rglob("*.py")
    ]
    while todo:
        name = todo.pop()
        if name in found or not name.startswith("regie"):
            continue
        path = module_file(name)
        if path is None:
            continue  # a class or a function imported from a module, not a module
        found[name] = path
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(2, len(parts))]
        todo += imported(path, name)
    return found


def shown_texts(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The marked texts of a module, but for a message's command-line wording (``command=``)."""
    command_only = {
        id(node)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        for keyword in call.keywords
        if keyword.arg == "command"
        for node in ast.walk(keyword.value)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in MARKERS
            and id(node) not in command_only
        ):
            for argument in node.args[:2]:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield node.lineno, argument.value


def command_line_words() -> list[str]:
    catalogue: dict[str, tuple[str, ...]] = {}
    for key, forms in english_catalogue().items():  # a count's two French forms lead to both
        for french in (key,) if isinstance(key, str) else key:
            catalogue[french] = forms
    found = []
    for path in window_modules().values():
        where = path.relative_to(SOURCE.parent)
        for line, text in shown_texts(parsed(path)):
            for said in (text, *catalogue.get(text, ())):
                if COMMAND_LINE.search(said):
                    found.append(f"{where}:{line}: {said!r}")
    return found


def test_the_window_never_speaks_command_line() -> None:
    found = command_line_words()
    assert not found, f"{len(found)} texts of the window speak command line:\n" + "\n".join(found)


def test_the_walk_reaches_the_core_and_leaves_the_command_line_wording_out() -> None:
    reached = window_modules()
    assert "regie.ui.dashboard.alerts" in reached and "regie.people.directory" in reached
    assert "regie.cli" not in reached  # the command line's own words are its business
    sample = (
        'raise UserError(_("vérifiez le lecteur ; « regie doctor » aide"))\n'
        'raise UserError(_("un code"), command=_("ajoutez --user {n}").format(n=1))\n'
        'N_("Langue (regie --lang l\'emporte)")\n'
    )
    flagged = {text for _line, text in shown_texts(ast.parse(sample)) if COMMAND_LINE.search(text)}
    assert flagged == {
        "vérifiez le lecteur ; « regie doctor » aide",
        "Langue (regie --lang l'emporte)",
    }


def test_a_message_said_two_ways_gives_each_face_its_own() -> None:
    error = UserError("choisissez-le dans Terminaux", command="regie terminals assign T1 Bar")
    assert str(error) == "choisissez-le dans Terminaux"
    assert error.on_command_line() == "regie terminals assign T1 Bar"
    assert UserError("une seule phrase").on_command_line() == "une seule phrase"


@pytest.fixture
def empty_base(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    db.upgrade()
    yield db
    set_desk_actor(None)
    db.dispose()


@pytest.mark.gui
def test_the_first_administrator_created_in_the_window_is_signed_in(
    qtbot: QtBot, empty_base: Database, qt_loop: asyncio.AbstractEventLoop
) -> None:
    from regie.ui.app import build_window
    from regie.ui.people.page import PeoplePage

    window = build_window(empty_base, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    window.show_section("people")
    page = window.pages.currentWidget()
    assert isinstance(page, PeoplePage) and page.users is not None
    assert window.people.label is not None
    assert window.people.label.text() == "Sans identification"
    page.users.name.setText("Alice")
    page.users.role.setCurrentIndex(page.users.role.findData("operator"))
    page.users.pin.setText("111111")
    page.users.add()  # refused: the first person is an administrator — said the window's way
    assert current_actor() is None
    (refused,) = page.users.findChildren(QMessageBox)
    assert refused.text() == (
        "la première personne doit être administrateur (rôle « Administrateur ») : elle pourra "
        "ensuite ajouter les autres"
    )
    refused.close()
    page.users.role.setCurrentIndex(page.users.role.findData("admin"))
    page.users.pin.setText("111111")
    page.users.add()
    actor = current_actor()
    assert actor is not None and (actor.name, actor.role) == ("Alice", "admin")
    qtbot.waitUntil(
        lambda: window.people.label is not None and "Alice" in window.people.label.text()
    )
    assert window.people.label.text() == "Connecté : Alice (administrateur)"

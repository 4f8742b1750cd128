"""No text for people is left out of the translation in regie/ui: every string literal that looks
like French words (a letter and a space, or an accented letter) goes through ``_()``, ``N_()`` or
``ngettext()``, so that switching to English leaves no French on a screen.

Not text for people, hence skipped: docstrings, log messages, object names, style sheets, property
names, and a line marked ``# i18n: not shown`` (a file format read by other tools, a regex…).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import regie

UI = Path(regie.__file__).parent / "ui"
ROOT = UI.parent.parent

# Parts of regie/ui still being converted by someone: each helper removes its own entry when done.
NOT_YET_TRANSLATED: set[str] = {
    "regie/ui/main_window.py",
    "regie/ui/app.py",
    "regie/ui/pages.py",
}

MARKERS = {"_", "N_", "ngettext"}
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
LOGGERS = re.compile(r"^(log|logger|logging|_log|_logger|LOG|LOGGER)$")
NOT_TEXT_CALLS = {
    "setObjectName",
    "setStyleSheet",
    "setProperty",
    "property",
    "QObject",
    "findChild",
    "findChildren",
    "Signal",
    "Property",
    "Slot",
    "getattr",
    "setattr",
    "hasattr",
}
NOT_SHOWN = "# i18n: not shown"
ACCENTED = re.compile(r"[À-ÖØ-öø-ÿŒœ]")
LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]")


MARKUP = re.compile(r"<[^<>]*>|\{[^{}]*\}")  # tags and {placeholders} are not words
STYLE = re.compile(r"^\s*([a-z-]+\s*:\s*[^;:]+;\s*)+([a-z-]+\s*:\s*[^;:]+)?$")  # color: red;
STYLE_SHEET = re.compile(r"\{[^{}]*:[^{}]*;[^{}]*\}")  # QLabel#tile { color: red; }


def looks_like_text(value: str) -> bool:
    words = MARKUP.sub("", value)
    if STYLE.match(words) or STYLE_SHEET.search(value):
        return False
    return bool(ACCENTED.search(words)) or (" " in words.strip() and bool(LETTER.search(words)))


def call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def is_log_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    owner = func.value
    if isinstance(owner, ast.Call):  # logging.getLogger(__name__).info(...)
        return call_name(owner) == "getLogger"
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return bool(LOGGERS.match(name))


def docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes under a call whose strings are not text to translate (or already are)."""
    skipped = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            call_name(node) in MARKERS or call_name(node) in NOT_TEXT_CALLS or is_log_call(node)
        ):
            for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                skipped.update(id(inner) for inner in ast.walk(arg))
    return skipped


def literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


# A single word handed straight to a widget is text too ("au", "facultatif").
TEXT_SETTERS = {
    "QLabel",
    "QCheckBox",
    "QPushButton",
    "QRadioButton",
    "QGroupBox",
    "QAction",
    "QToolButton",
    "setText",
    "setPlaceholderText",
    "setToolTip",
    "setWindowTitle",
    "setTitle",
    "addTab",
    "setTabText",
    "addItem",
    "addMenu",
    "setStatusTip",
    "setWhatsThis",
}


def widget_words(tree: ast.Module) -> set[int]:
    """ids of the literal first arguments of widget text setters."""
    return {
        id(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and call_name(node) in TEXT_SETTERS and node.args
    }


def unwrapped_texts(path: Path) -> Iterator[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    skipped = skipped_nodes(tree)
    shown = widget_words(tree)
    inside_fstring = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    for node in ast.walk(tree):
        if id(node) in skipped or id(node) in inside_fstring:
            continue
        text = literal_text(node)
        if text is None:
            continue
        word = id(node) in shown and "://" not in text and LETTER.search(MARKUP.sub("", text))
        if not looks_like_text(text) and not word:
            continue
        lineno = getattr(node, "lineno", 0)
        if NOT_SHOWN in lines[lineno - 1]:
            continue
        yield lineno, text


def ui_modules() -> Iterator[Path]:
    for path in sorted(UI.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative == part or relative.startswith(part + "/") for part in NOT_YET_TRANSLATED):
            continue
        yield path


def test_every_text_shown_in_the_ui_is_marked_for_translation() -> None:
    left = [
        f"{path.relative_to(ROOT).as_posix()}:{lineno}: {text!r}"
        for path in ui_modules()
        for lineno, text in unwrapped_texts(path)
    ]
    assert not left, f"{len(left)} texts not marked with _():\n" + "\n".join(left[:80])


def test_an_unwrapped_french_label_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "screen.py"
    module.write_text(
        "import logging\n"
        "from regie.i18n import _\n"
        "def build(button, label, n):\n"
        '    """Une docstring reste en français."""\n'
        '    logging.getLogger(__name__).info("journal non traduit")\n'
        '    button.setObjectName("bouton principal")\n'
        '    label.setText(_("Déjà traduit"))\n'
        '    button.setText("Prêter le matériel")\n'
        '    label.setToolTip(f"{n} cartes encodées")\n'
        '    label.setText("au")\n'
        '    return "%Y-%m-%d", "ok"\n',
        encoding="utf-8",
    )
    assert list(unwrapped_texts(module)) == [
        (8, "Prêter le matériel"),
        (9, "{} cartes encodées"),
        (10, "au"),
    ]


def test_the_parts_waiting_for_translation_still_exist() -> None:
    missing = [part for part in NOT_YET_TRANSLATED if not (ROOT / part).exists()]
    assert not missing, f"remove from NOT_YET_TRANSLATED: {missing}"

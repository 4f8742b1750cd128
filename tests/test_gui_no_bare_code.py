"""No internal code reaches a person without its words: every section and tab of the demo
window, and the PDFs given to partners, show accounts by their label (never ``stripe:gap`` or
``wallet:04A1…``) and a SHA-256 only as a short « empreinte » named as such (never the bare 64
hexadecimal digits)."""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView, QTreeView, QWidget
from pytestqt.qtbot import QtBot

from regie.cli import main
from regie.db import Database
from regie.devices.simulated import SimulatedBackend
from regie.ledger.labels import account_label
from regie.ui.app import build_window
from tests.test_gui_english import every_tab, settle, shown_texts

pytestmark = pytest.mark.gui

# An account as the core names it (``wallet:…``, ``pos:Bar Nord:cash``, ``stripe:gap``…) or a
# whole SHA-256: neither is for people.
ACCOUNT_CODE = re.compile(r"\b(?:wallet|pos|stripe|fed|gift|cash|fees|event):[\wÀ-ÿ]")
BARE_HASH = re.compile(r"\b[0-9a-fA-F]{64}\b")
ROWS = 60  # the first rows of each table: every column's kind of text, not every value


def bare_codes(texts: Iterator[tuple[str, str]]) -> list[str]:
    return sorted(
        {
            f"{where}: {text!r}"
            for where, text in texts
            if ACCOUNT_CODE.search(text) or BARE_HASH.search(text)
        }
    )


def cells(root: QWidget) -> Iterator[tuple[str, str]]:
    """The texts of the first rows of every visible table and tree."""
    for view in root.findChildren(QTableView) + root.findChildren(QTreeView):
        model = view.model()
        if not view.isVisible() or model is None:
            continue
        for row in range(min(model.rowCount(QModelIndex()), ROWS)):
            for column in range(model.columnCount(QModelIndex())):
                value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
                if value is not None:
                    yield f"{view.objectName() or 'table'} cell", str(value)


def without_tooltips(texts: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    # a tooltip keeps the technical name for who asks (labels.py): shown on demand only
    return ((where, text) for where, text in texts if not where.endswith("tooltip"))


def test_no_screen_of_the_demo_shows_an_account_code_or_a_bare_hash(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, festival: Database
) -> None:
    window = build_window(festival, [SimulatedBackend()], qt_loop)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    found: list[str] = []
    try:
        for key, page, title in every_tab(window, lambda page: settle(qtbot, page)):
            texts = [*without_tooltips(shown_texts(window)), *cells(page)]
            found += [f"{key}/{title} {text}" for text in bare_codes(iter(texts))]
    finally:
        window.devices.stop()
    assert found == [], "\n".join(found)


def test_the_account_words_cover_every_account_the_core_names() -> None:
    for name in ("stripe:gap", "stripe:clearing", "gift:offered", "cash:difference"):
        assert not ACCOUNT_CODE.search(account_label(name)), name


def test_the_partner_pdfs_show_no_account_code_nor_bare_hash(
    festival: Database, tmp_path: Path
) -> None:
    texts: list[tuple[str, str]] = []
    for name, argv in (
        ("report", ["report", "MamaStock 2026"]),
        ("settle", ["settle", "MamaStock 2026"]),
    ):
        pdf = tmp_path / f"{name}.pdf"
        assert main([*argv, "--out", str(pdf), "--db", festival.url]) == 0
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
        texts += [(name, line) for line in out.stdout.splitlines()]
    assert bare_codes(iter(texts)) == []

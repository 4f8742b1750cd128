"""The user guide in a window of its own (Aide › Guide d'utilisation, F1), opened at the
chapter of the section on screen.

The guide is docs/guide/fr.md or en.md (the language on screen) with its pictures, read from
the checkout or from the installed bundle (installer/regie.spec copies docs/guide).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader, QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout, QWidget

from regie import i18n
from regie.i18n import _

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"
PICTURE_WIDTH = 820  # the window's pictures (1100 wide) shrunk to the text's width
# The guide's chapter (its number) for each section of the window.
CHAPTERS = {
    "dashboard": 2,
    "inventory": 3,
    "cards": 4,
    "terminals": 5,
    "ledger": 6,
    "settlement": 7,
    "invoices": 7,
    "people": 8,
}


def guide_file(language: str) -> Path:
    """The guide in ``language``, the French one when there is none in it."""
    path = GUIDE / f"{language}.md"
    return path if path.is_file() else GUIDE / "fr.md"


def chapter_block(browser: QTextBrowser, number: int) -> QTextBlock | None:
    """The heading of chapter ``number`` (« 4. Cartes NFC »), None if the guide has none."""
    block = browser.document().begin()
    while block.isValid():
        if block.blockFormat().headingLevel() == 2 and block.text().startswith(f"{number}. "):
            return block
        block = block.next()
    return None


def fit_pictures(document: QTextDocument, folder: Path, width: int) -> None:
    """Pictures wider than ``width`` drawn at that width, their proportions kept."""
    cursor = QTextCursor(document)
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            fragments += 1
            if not fragment.charFormat().isImageFormat():
                continue
            picture = fragment.charFormat().toImageFormat()
            size = QImageReader(str(folder / picture.name())).size()  # the header only
            if size.width() <= width:
                continue
            picture.setWidth(width)
            picture.setHeight(size.height() * width / size.width())
            cursor.setPosition(fragment.position())
            cursor.setPosition(
                fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
            )
            cursor.setCharFormat(picture)
        block = block.next()


class GuideWindow(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideWindow")
        self.setWindowTitle(_("Guide d'utilisation"))
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(False)
        self.resize(900, 680)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.browser)
        self.language = ""
        self.chapter = ""  # the heading shown at the top

    def show_section(self, section: str) -> None:
        """Show the guide at the chapter of the window's section ``section``."""
        self.setWindowTitle(_("Guide d'utilisation"))
        language = i18n.language()
        if language != self.language:
            path = guide_file(language)
            self.browser.setSearchPaths([str(path.parent)])  # its pictures: img/<lang>/…
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
            fit_pictures(self.browser.document(), path.parent, PICTURE_WIDTH)
            self.language = language
        self.show()
        self.raise_()
        self.activateWindow()
        block = chapter_block(self.browser, CHAPTERS.get(section, 1))
        if block is None:
            return
        self.chapter = block.text()
        self.browser.setTextCursor(QTextCursor(block))
        top = self.browser.document().documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

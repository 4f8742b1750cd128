"""Walking every screen of the main window: what is cut, what has no name for a screen reader.

Shared by the screenshot tests at 1280 × 720 (``test_gui_screens_fit.py``) and their run at
200 % (a child process with ``QT_SCALE_FACTOR=2``, ``python -m tests.gui_screen_walk``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import Qt as TextRules
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)

from regie.ui.main_window import MainWindow
from regie.ui.tasks import Task
from tests.test_gui_english import every_tab, slug

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QSlider,
    QStyle,
    QStyleOptionComboBox,
    QTextEdit,
    QPlainTextEdit,
)
SLACK = 2  # pixels: rounding of text widths against a widget's
WIDEST = 1280  # a laptop's screen (logical pixels: 2560 at 200 %)


def visible(window: QWidget) -> Iterator[QWidget]:
    for widget in window.findChildren(QWidget):
        if widget.isVisibleTo(window) and widget.isVisible() and widget.width() > 0:
            yield widget


def inside_a_control(widget: QWidget) -> bool:
    """Parts Qt builds inside a control (a combo's line, a table's corner button, a tab bar's
    arrows, a calendar's grid): named by their control, not by us."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox | QAbstractSpinBox | QAbstractItemView | QTabBar):
            return True
        if isinstance(parent, QCalendarWidget):
            return True
        parent = parent.parentWidget()
    return False


def described(widget: QWidget) -> str:
    name = widget.objectName() or type(widget).__name__
    window = widget.window()
    return f"{window.objectName() or type(window).__name__}/{name}"


def needed_width(label: QLabel) -> int:
    text = label.text()
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and TextRules.mightBeRichText(text)
    ):
        document = QTextDocument()
        document.setDefaultFont(label.font())
        document.setHtml(text)
        document.setDocumentMargin(0)
        return int(document.idealWidth())
    shown = text.replace("&&", "\0").replace("&", "").replace("\0", "&") if label.buddy() else text
    return max(
        (label.fontMetrics().horizontalAdvance(line) for line in shown.split("\n")), default=0
    )


def combo_width(combo: QComboBox) -> int:
    """What the style needs to show the current choice whole, arrow included."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    metrics = combo.fontMetrics()
    text = QSize(metrics.horizontalAdvance(combo.currentText()), metrics.height())
    if not combo.itemIcon(combo.currentIndex()).isNull():
        text.setWidth(text.width() + combo.iconSize().width() + 4)
    style = combo.style()
    return style.sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, combo).width()


def clipped(window: QWidget) -> list[str]:
    """Every visible label or button whose text is wider than the widget shows."""
    found = []
    screen = window.window()
    if screen.isWindow() and screen.width() > WIDEST:
        found.append(f"{described(screen)}: {screen.width()} px wide, more than {WIDEST}")
    for widget in visible(window):
        if inside_a_control(widget) or getattr(widget, "elides", False):
            continue
        if isinstance(widget, QLabel):
            if widget.wordWrap() or not widget.text() or not widget.pixmap().isNull():
                continue
            if hasattr(widget, "is_elided"):  # an ElidedLabel gives way on purpose
                continue
            room = widget.contentsRect().width()
            if needed_width(widget) > room + SLACK:
                found.append(f"{described(widget)}: « {widget.text()[:60]} » cut")
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            if widget.currentText() and widget.width() + SLACK < combo_width(widget):
                found.append(f"{described(widget)}: « {widget.currentText()} » cut")
        elif isinstance(widget, QPushButton | QCheckBox | QRadioButton | QToolButton):
            if not widget.text():
                continue
            if widget.width() + SLACK < widget.minimumSizeHint().width():
                found.append(f"{described(widget)}: « {widget.text()} » cut")
    return found


def has_buddy(widget: QWidget, window: QWidget) -> bool:
    targets = {widget, widget.focusProxy()} - {None}
    parent = widget.parentWidget()
    while parent is not None:
        if parent.focusProxy() is widget:
            targets.add(parent)
        parent = parent.parentWidget()
    return any(label.buddy() in targets for label in window.findChildren(QLabel))


def unnamed(window: QWidget) -> list[str]:
    """Every visible control that a screen reader could not name: no accessible name, no
    text of its own (a button), no label pointing at it (``setBuddy``, a form's row)."""
    found = []
    for widget in visible(window):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView):
            continue
        if inside_a_control(widget) or widget.accessibleName():
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue
        if has_buddy(widget, window):
            continue
        found.append(described(widget))
    return found


def settled(page: QWidget) -> bool:
    """No screen of the page reading (``busy``) nor any of its tasks still at work; what a
    finished task sends back is queued: the caller lets the loop turn twice after."""
    if any(task.running for task in page.findChildren(Task)):
        return False
    return not any(
        getattr(widget, "busy", False) is True
        for widget in page.findChildren(QWidget)
        if widget.isVisible()
    )


def shown(app: QApplication) -> None:
    """The results queued by the tasks delivered, then the layouts they asked for."""
    for _turn in range(3):
        app.processEvents()


def look_at_every_screen(
    window: MainWindow, wait: Callable[[QWidget], None], shots: Path, prefix: str
) -> tuple[list[str], list[str]]:
    """Every tab of every section once, saved as ``<prefix>-<section>-<tab>.png``: (what is
    cut, what is unnamed). ``wait(page)`` returns once the page's readings are shown."""
    cut: list[str] = []
    nameless: list[str] = []
    for key, _page, title in every_tab(window, wait):
        name = f"{prefix}-{key}-{slug(title) if title else 'page'}"
        window.grab().save(str(shots / f"{name}.png"))
        cut += [f"{name}: {line}" for line in clipped(window)]
        nameless += [f"{name}: {line}" for line in unnamed(window)]
    return cut, nameless


def main() -> int:
    """A child process at 200 %: every screen in both languages, PNGs and a JSON report."""
    import asyncio
    import time

    import qasync

    from regie import i18n
    from regie.db import Database
    from regie.devices.simulated import SimulatedBackend
    from regie.ui.app import build_window
    from regie.ui.language import install_qt_translations

    database, folder = sys.argv[1], Path(sys.argv[2])
    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    def wait(page: QWidget) -> None:
        began = time.monotonic()
        while not settled(page) and time.monotonic() < began + 20:
            app.processEvents()
            time.sleep(0.005)
        shown(app)

    report: dict[str, list[str]] = {"clipped": [], "unnamed": []}
    db = Database(database)
    for language in ("fr", "en"):
        i18n.set_language(language)
        install_qt_translations(app, language)
        window = build_window(db, [SimulatedBackend()], loop)
        window.resize(1280, 720)
        window.show()
        cut, nameless = look_at_every_screen(window, wait, folder, f"{language}-200")
        report["clipped"] += cut
        report["unnamed"] += nameless
        window.devices.stop()
        window.close()
        window.deleteLater()
        app.processEvents()
    db.dispose()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

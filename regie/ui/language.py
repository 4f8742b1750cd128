"""Switching the language of a running Régie: our texts (regie.i18n) and Qt's own words
(file dialogs, context menus, OK/Cancel), which follow it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from regie.i18n import language, set_language

_installed: list[QTranslator] = []


def install_qt_translations(app: QCoreApplication, code: str | None = None) -> None:
    """Qt's own words in ``code`` (the current language if None); replaces the previous ones."""
    code = code or language()
    while _installed:
        app.removeTranslator(_installed.pop())
    if code == "en":
        return  # Qt's source texts are English
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase", "qt"):
        translator = QTranslator(app)
        if translator.load(f"{name}_{code}", folder):
            app.installTranslator(translator)
            _installed.append(translator)


def switch_language(code: str) -> None:
    """Every text built from now on is in ``code``, Qt's included."""
    set_language(code)
    app = QCoreApplication.instance()
    if app is not None:
        install_qt_translations(app, code)

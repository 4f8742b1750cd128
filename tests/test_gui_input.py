"""Input that helps: typed dates, file dialogs, the status bar at 1100 × 700, refund words.

Real widgets under Xvfb; the demo festival copied per test (``gui_inventory_support``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from regie import clock
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.ledger.desk import RefundRules
from regie.settings.laptop import LaptopSettings
from regie.settlement.refund_plan import RefundPreview
from regie.ui.forms import file_dialogs
from regie.ui.forms.day_field import DayField
from regie.ui.forms.elided_label import ElidedLabel
from regie.ui.inventory.page import InventoryPage
from regie.ui.language import install_qt_translations
from regie.ui.main_window import MainWindow
from regie.ui.settlement.refunds_screen import left_at_desk

pytestmark = pytest.mark.gui

NOON = dt.datetime(2026, 7, 10, 12, 0, tzinfo=dt.UTC)  # a Friday of the festival


def typed(qtbot: QtBot, field: DayField, text: str) -> None:
    field.line.clear()
    qtbot.keyClicks(field.line, text)


def test_the_due_date_is_typed_as_written_and_a_past_one_is_refused_not_moved(
    qtbot: QtBot, page: InventoryPage
) -> None:
    with clock.frozen(NOON):
        wizard = page.loans.open_wizard()
        assert wizard is not None
        first = wizard.first
        typed(qtbot, first.due, "1")  # on the way to « 14 »: kept as typed, not refused
        assert first.due.line.text() == "1"
        qtbot.keyClicks(first.due.line, "4")
        assert first.due.line.text() == "14"
        assert first.due.note.text() == "mar. 14 juil. 2026"
        typed(qtbot, first.due, "08/07")
        wizard.next()
        assert wizard.currentPage() is first  # refused: the wizard stays on the page
        assert first.due.line.text() == "08/07"  # never silently turned into today
        assert first.due.note.text() == (
            "Le 08/07/2026 est avant le 10/07/2026 : un retour se prévoit aujourd'hui ou plus "
            "tard, pas dans le passé"
        )
        typed(qtbot, first.due, "14 juilet")
        assert first.due.note.text().startswith("« 14 juilet » n'est pas une date")
        assert not first.due.date().isValid()
        typed(qtbot, first.due, "demain")
        assert first.due.date() == QDate(2026, 7, 11)
        wizard.next()
        assert wizard.currentPage() is wizard.items_page
        assert first.due_on() == dt.date(2026, 7, 11)
        wizard.reject()


def test_the_day_field_says_what_it_read_and_answers_as_a_date_edit(qtbot: QtBot) -> None:
    with clock.frozen(NOON):
        field = DayField("someDay", dt.date(2026, 7, 12))
        qtbot.addWidget(field)
        heard: list[QDate] = []
        field.dateChanged.connect(heard.append)
        assert field.line.text() == "12/07/2026"
        typed(qtbot, field, "14 juillet")
        qtbot.keyClick(field.line, Qt.Key.Key_Return)  # sent once the typing is done
        assert heard == [QDate(2026, 7, 14)]
        field.setDate(QDate(2026, 8, 1))
        assert (field.line.text(), field.day()) == ("01/08/2026", dt.date(2026, 8, 1))
        assert heard[-1] == QDate(2026, 8, 1)
        assert field.problem() == ""


def test_file_dialogs_open_in_documents_then_where_the_last_file_was_chosen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the process's folder: never where a dialog opens
    settings = LaptopSettings(tmp_path / "settings.json")
    file_dialogs.remember_in(settings)
    try:
        install_qt_translations(QApplication.instance(), "fr")  # type: ignore[arg-type]
        dialog = file_dialogs.file_dialog(None, "Exporter", saving=True, offered="a.csv")
        qtbot.addWidget(dialog)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        expected = Path(documents) if Path(documents).is_dir() else Path.home()
        assert Path(dialog.directory().absolutePath()) == expected != tmp_path
        dialog.setOption(dialog.Option.DontUseNativeDialog, True)  # Qt's widgets, to read
        dialog.show()
        label = dialog.findChild(QLabel, "fileNameLabel")
        assert label is not None and label.text().replace("&", "") == "Nom de fichier\u00a0:"
        dialog.reject()
        chosen = tmp_path / "exports" / "ventes.csv"
        chosen.parent.mkdir()
        file_dialogs.remember(chosen)
        again = file_dialogs.file_dialog(None, "Importer")
        qtbot.addWidget(again)
        assert Path(again.directory().absolutePath()) == chosen.parent
        saved = LaptopSettings(tmp_path / "settings.json")  # the next opening of Régie
        assert saved.text(file_dialogs.LAST_FOLDER) == str(chosen.parent)
    finally:
        file_dialogs.remember_in(LaptopSettings(None))


@pytest.fixture
def far_away(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    """The demo festival kept deep in the user's folders: a long path in the status bar."""
    folder = tmp_path.joinpath("Documents", "Festival MamaStock 2026", *["sauvegardes"] * 5)
    folder.mkdir(parents=True)
    shutil.copyfile(demo_file, folder / "festival.sqlite3")
    db = Database(f"sqlite:///{folder / 'festival.sqlite3'}")
    yield db
    db.dispose()


def test_a_long_database_path_gives_way_to_who_is_signed_in_at_1100_by_700(
    qtbot: QtBot, far_away: Database
) -> None:
    window = MainWindow(far_away, DeviceManager([]))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    who = window.findChild(QLabel, "userStatus")
    where = window.findChild(QLabel, "databaseStatus")
    assert who is not None and where is not None
    who.setText("Connecté : Camille Martin-Dupont (administratrice)")  # a long name too
    window.backups.back_up_now()  # a real copy; its message takes the bar's left side
    qtbot.waitUntil(lambda: "Sauvegarde faite" in window.statusBar().currentMessage())
    QApplication.processEvents()
    said = window.statusBar().fontMetrics().horizontalAdvance(window.statusBar().currentMessage())
    print(
        window.width(),
        who.geometry(),
        window.database_status.geometry(),
        window.statusBar().currentMessage(),
    )
    assert said < who.geometry().left() - 6  # the message ends before the login begins
    assert who.width() >= who.sizeHint().width()  # whole
    assert who.geometry().right() < where.geometry().left()  # side by side, not over it
    assert where.geometry().right() <= window.statusBar().width()
    assert isinstance(where, ElidedLabel) and where.is_elided()
    assert where.shown_text().startswith("Base : SQLite /")
    assert where.toolTip() == f"Base : {far_away.display_name}"


def test_the_refund_preview_names_the_minimum_apart_from_the_balances_left() -> None:
    # Minimum 1,00 € after a 0,50 € fee; two cards of 1,20 € and 1,30 €: refunds of
    # 1,20 − 0,50 = 0,70 € and 1,30 − 0,50 = 0,80 €, both under 1,00 €; 2,50 € left in all.
    planned = RefundPreview(
        rules=RefundRules(fee_cents=50, minimum_cents=100),
        below_minimum=2,
        below_minimum_cents=120 + 130,
        not_by_card_cents=0,
    )
    assert left_at_desk(planned) == (
        "Laissé au bureau : 2 cartes dont le remboursement, frais de 0,50\u00a0€ déduits, serait "
        "sous le minimum de 1,00\u00a0€ (2,50\u00a0€ de soldes en tout) · rechargé autrement "
        "que par carte bancaire : 0,00\u00a0€."
    )


def test_the_line_of_a_day_field_is_what_a_label_and_tab_reach(qtbot: QtBot) -> None:
    field = DayField("anotherDay", dt.date(2026, 7, 12))
    qtbot.addWidget(field)
    assert field.focusProxy() is field.line
    assert isinstance(field.line, QLineEdit) and field.pick.accessibleName() == "Calendrier"


def test_an_optional_day_field_left_empty_is_no_bound(qtbot: QtBot) -> None:
    with clock.frozen(NOON):
        field = DayField("trailSinceLike", None, optional=True)
        qtbot.addWidget(field)
        heard: list[QDate] = []
        field.dateChanged.connect(heard.append)
        assert (field.chosen(), field.last_bound(), field.problem()) == (None, None, "")
        typed(qtbot, field, "hier")
        qtbot.keyClick(field.line, Qt.Key.Key_Return)
        assert field.last_bound() == dt.date(2026, 7, 9) and heard == [QDate(2026, 7, 9)]
        field.setDate(None)  # « Tout afficher »
        assert field.line.text() == "" and field.last_bound() is None
        assert not heard[-1].isValid()

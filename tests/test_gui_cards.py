"""The Cartes screens under Xvfb, without a reader: factory files in and out, a batch for the
printer, the monitor by typed number, staff cards, returns counted by scanner and by box.

Real widgets on a copy of the demo festival; buttons are clicked and fields typed into. The
reader half (encoding, taps, lost card, status bar) is in test_gui_cards_reader.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from regie.cards.batches import export_tibillet, select_cards
from regie.cards.demo import DEMO_BATCH
from regie.cards.encoding import CardResult, Outcome
from regie.cards.models import Card, CardBatch, CardState
from regie.cards.ntag import Chip
from regie.cards.staff import check_staff_card
from regie.cards.states import block_list
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.models import Organisation
from regie.ui.cards.batch_dialogs import FactoryImportDialog, GenerateDialog
from regie.ui.cards.page import CardsPage
from regie.ui.cards.reason_dialog import ReasonDialog
from regie.ui.cards.results_model import EncodingResultsModel
from regie.ui.cards.staff_dialog import StaffCardDialog
from regie.ui.main_window import STYLE
from tests.gui_inventory_support import message_box

pytestmark = pytest.mark.gui

GOOD_LINES = [
    "https://festival.example/qr/3f1c2a9e-6b1d-4a8e-9d2f-0c5b7e8a1d21,3F1C2A9E,",
    "https://festival.example/qr/a7e4b0c1-2d3f-4e5a-8b6c-7d8e9f0a1b2c,A7E4B0C1,",
    "https://festival.example/qr/c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f,C9D8E7F6,04C0FFEE000001",
    "https://festival.example/qr/d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a,D1E2F3A4,A24B043F",
]


def open_page(qtbot: QtBot, db: Database) -> CardsPage:
    page = CardsPage(db, DeviceManager([]))
    qtbot.addWidget(page)
    page.setStyleSheet(STYLE)
    page.resize(1080, 720)  # what the main window leaves it on a 1280 × 800 screen
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot: QtBot, festival: Database) -> CardsPage:
    return open_page(qtbot, festival)


def shot(widget: QWidget, name: str, artifacts: Path) -> None:
    QApplication.processEvents()
    screens = artifacts / "screens"
    screens.mkdir(exist_ok=True)
    assert widget.grab().save(str(screens / f"cards-{name}.png"))


def press(box: QMessageBox, text: str) -> None:
    next(b for b in box.buttons() if b.text() == text).click()


def batch_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(CardBatch)) or 0


def import_with_dialog(
    qtbot: QtBot, page: CardsPage, path: Path, owner: str = "CCC"
) -> FactoryImportDialog:
    page.show_screen(page.batches)
    dialog = page.batches.open_import()
    assert dialog is not None
    dialog.path.setText(str(path))
    dialog.where.owner.setCurrentText(owner)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=5000)
    qtbot.waitUntil(lambda: dialog.start_button.isEnabled(), timeout=3000)
    return dialog


def test_import_lists_every_bad_line_by_line_and_field_and_a_good_file_shows_in_the_list(
    qtbot: QtBot, page: CardsPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    bad = tmp_path / "usine-2026.csv"
    bad.write_text(
        "\n".join(
            [
                GOOD_LINES[0],
                "ftp://festival.example/qr/x,1234567,",  # bad URL, 7-character number
                GOOD_LINES[1].replace("A7E4B0C1", "3F1C2A9E"),  # number already on line 1
                GOOD_LINES[2].replace("04C0FFEE000001", "04C0FFE"),  # 7 hex characters
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    before = batch_count(festival)
    dialog = import_with_dialog(qtbot, page, bad)
    assert dialog.outcome is None
    assert dialog.status.text() == f"{bad} : 4 erreurs, aucune carte importée"
    assert dialog.error_table.isVisible()
    assert [(e.line, e.field) for e in dialog.errors.rows()] == [
        (2, "url"),
        (2, "number"),
        (3, "number"),
        (4, "tag_id"),
    ]
    assert "déjà à la ligne 1" in dialog.errors.rows()[2].message
    assert batch_count(festival) == before  # nothing of it imported
    shot(dialog, "1-import-errors", artifacts)

    good = tmp_path / "usine-2026.csv"
    good.write_text("\n".join(GOOD_LINES) + "\n", encoding="utf-8")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=5000)
    assert dialog.status.text() == (
        "4 cartes importées : lot usine-2026 (CCC, lot d'inventaire Cartes NFC CCC)."
    )
    assert not dialog.error_table.isVisible()
    dialog.close()
    screen = page.batches
    chosen = screen.selected()
    assert chosen is not None and chosen.name == "usine-2026"
    assert (chosen.cards, chosen.paired, chosen.encoded, chosen.count(CardState.ACTIVE)) == (
        4,
        2,
        0,
        4,
    )
    assert screen.summary.text() == "2 lots de cartes, 204 cartes"
    demo = next(b for b in screen.model.rows() if b.name == DEMO_BATCH)
    assert (demo.cards, demo.encoded, demo.count(CardState.LOST)) == (200, 150, 1)
    with festival.session() as session:
        card = session.scalars(select(Card).where(Card.number == "C9D8E7F6")).one()
        assert (card.uid, card.tag_id) == ("04C0FFEE000001", "04C0FFEE")
    shot(page, "1-batches", artifacts)


def test_tibillet_export_re_imports_into_a_clean_database(
    qtbot: QtBot, page: CardsPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    screen = page.batches
    screen.select(DEMO_BATCH)
    out = tmp_path / "tibillet.csv"
    result = screen.export_file(out, DEMO_BATCH)
    assert result is not None and (result.written, result.without_uid) == (150, 50)
    box = message_box(qtbot)
    assert box.text() == f"150 cartes du lot {DEMO_BATCH} écrites dans {out}."
    assert "50 cartes sans puce associée laissées" in box.informativeText()
    press(box, "Fermer")
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 150 and all(len(row[1]) == 8 and len(row[2]) == 8 for row in rows)

    clean = Database(f"sqlite:///{tmp_path / 'clean.sqlite3'}")
    clean.upgrade()
    with clean.session() as session:
        session.add(Organisation(short_name="CCC", name="Coopérative Code Commun"))
    try:
        other = open_page(qtbot, clean)
        dialog = import_with_dialog(qtbot, other, out)
        assert dialog.outcome is not None and dialog.outcome.cards == 150, dialog.status.text()
        assert (
            dialog.status.text()
            == "150 cartes importées : lot tibillet (CCC, sans lot d'inventaire)."
        )
        with festival.session() as session:
            # TiBillet's tag_id is the UID's first 4 bytes (the demo's visitor card has a UID
            # and no stored tag_id: its chip shares its prefix with the journals' chips).
            exported = {
                (c.url, c.number, (c.uid or c.tag_id or "")[:8])
                for c in select_cards(session, batch=DEMO_BATCH)
            }
        with clean.session() as session:
            again = {(c.url, c.number, c.tag_id or "") for c in session.scalars(select(Card))}
        assert again <= exported and len(again) == 150
        # And out again: the same file, byte for byte.
        with clean.session() as session:
            export_tibillet(session, tmp_path / "again.csv", select_cards(session))
        assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()
    finally:
        clean.dispose()


def test_a_generated_batch_writes_the_printer_file_and_is_recorded_unpaired(
    qtbot: QtBot, page: CardsPage, festival: Database, tmp_path: Path, artifacts: Path
) -> None:
    dialog = page.batches.open_generate()
    assert isinstance(dialog, GenerateDialog)
    dialog.count.setValue(25)
    dialog.base_url.setText("https://mamastock.example/")
    dialog.where.owner.setCurrentText("Mamasound")
    assert dialog.where.lot.currentText() == "Cartes NFC Mamasound"
    out = tmp_path / "imprimeur-mamastock.csv"
    dialog.path.setText(str(out))
    shot(dialog, "1-generate", artifacts)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome is not None and dialog.outcome.batch == "imprimeur-mamastock"
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 25
    for url, number, tag_id in rows:
        assert url.startswith("https://mamastock.example/qr/") and tag_id == ""
        assert len(number) == 8 and not number.isdigit()
    chosen = page.batches.selected()
    assert chosen is not None and chosen.name == "imprimeur-mamastock"
    assert (chosen.owner, chosen.lot, chosen.cards, chosen.paired) == (
        "Mamasound",
        "Cartes NFC Mamasound",
        25,
        0,
    )
    assert page.batches.status.text().startswith("25 cartes générées dans")


def test_the_monitor_shows_a_typed_card_and_blocks_and_unblocks_it_with_a_reason(
    qtbot: QtBot, page: CardsPage, festival: Database, artifacts: Path
) -> None:
    with festival.session() as session:
        card = session.scalars(select(Card).where(Card.position == 10)).one()
        number, uid = card.number, card.uid
    screen = page.monitor
    page.show_screen(screen)
    qtbot.keyClicks(screen.ref, number.lower())
    qtbot.keyClick(screen.ref, Qt.Key.Key_Return)
    panel = screen.panel
    assert panel.heading.text() == f"Carte {number}"
    assert panel.state.text() == "ACTIVE"
    assert panel.fields["uid"].text() == uid
    assert panel.fields["batch"].text() == f"{DEMO_BATCH} — CCC, lot d'inventaire Cartes NFC CCC"
    assert panel.fields["chip"].text().startswith("NTAG215, encodée")
    assert panel.history.rows()[0].kind == "encoded"
    assert screen.block_button.isEnabled() and not screen.unblock_button.isEnabled()

    qtbot.mouseClick(screen.block_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    assert not dialog.action.isEnabled()  # no reason, no block
    dialog.field.setText("prêtée à un inconnu")  # QTest types ASCII only
    qtbot.mouseClick(dialog.action, Qt.MouseButton.LeftButton)
    assert panel.state.text() == "BLOQUÉE"
    assert panel.history.rows()[0].why == "prêtée à un inconnu"
    with festival.session() as session:
        assert uid in {entry.uid for entry in block_list(session)}
    shot(page, "3-monitor-blocked", artifacts)

    qtbot.mouseClick(screen.unblock_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    dialog.field.setText("retrouvée")
    qtbot.mouseClick(dialog.action, Qt.MouseButton.LeftButton)
    assert panel.state.text() == "ACTIVE"

    with festival.session() as session:  # the demo's staff card for the bars, expired
        sam = session.scalars(select(Card.number).where(Card.position == 2)).one()
    qtbot.keyClicks(screen.ref, sam)
    qtbot.keyClick(screen.ref, Qt.Key.Key_Return)
    # Stored 13/07/2026 06:00 UTC; the events' clock is Paris, summer time (UTC+2): 08:00,
    # on both halves of the line.
    assert panel.fields["staff"].text() == (
        "Sam (bar Nord) — Bar Nord, Bar Sud, jusqu'au 13/07/2026 08:00 "
        "(carte staff expirée le 13/07/2026 08:00)"
    )

    qtbot.keyClicks(screen.ref, "ZZZZZZZZ")
    qtbot.keyClick(screen.ref, Qt.Key.Key_Return)
    assert panel.heading.text() == "Aucune carte n'a le numéro ou l'UID ZZZZZZZZ"
    assert not screen.block_button.isEnabled() and not screen.lost_button.isEnabled()


def test_a_staff_card_is_made_for_chosen_points_of_sale_then_revoked(
    qtbot: QtBot, page: CardsPage, festival: Database, artifacts: Path
) -> None:
    with festival.session() as session:
        card = session.scalars(select(Card).where(Card.position == 20)).one()
        number, uid = card.number, card.uid or ""
    screen = page.staff
    page.show_screen(screen)
    assert screen.count.text() == "2 cartes staff, dont 1 valide aujourd'hui"
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, StaffCardDialog)
    qtbot.keyClicks(dialog.ref, number)
    qtbot.keyClick(dialog.ref, Qt.Key.Key_Return)
    assert dialog.found.text() == f"Carte <b>{number}</b> (active)"
    qtbot.keyClicks(dialog.person, "Lou (bar Sud)")
    places = [dialog.places.item(row) for row in range(dialog.places.count())]
    assert [item.text() for item in places if item][:3] == ["Bar Nord", "Bar Scène", "Bar Sud"]
    bar_sud = dialog.places.findItems("Bar Sud", Qt.MatchFlag.MatchExactly)[0]
    bar_sud.setCheckState(Qt.CheckState.Checked)
    qtbot.keyClicks(dialog.others, "Loge artistes")
    dialog.manager.setChecked(True)
    dialog.expires.setChecked(True)
    shot(dialog, "4-staff-new", artifacts)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.outcome is not None

    row = screen.selected()
    assert row is not None and row.info.number == number
    assert (row.info.person, row.info.points_of_sale, row.info.manager, row.verdict) == (
        "Lou (bar Sud)",
        ["Bar Sud", "Loge artistes"],
        True,
        "valide",
    )
    assert screen.count.text() == "3 cartes staff, dont 2 valides aujourd'hui"
    with festival.session() as session:
        assert check_staff_card(session, uid, "Bar Sud").allowed
        refused = check_staff_card(session, uid, "Bar Nord")
        assert not refused.allowed and "non autorisé" in refused.reason
        expires = check_staff_card(
            session, uid, "Bar Sud", dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
        )
        assert not expires.allowed and "expirée" in expires.reason
    shot(page, "4-staff", artifacts)

    qtbot.mouseClick(screen.revoke_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.keyClicks(dialog.field, "fin de contrat")
    qtbot.mouseClick(dialog.action, Qt.MouseButton.LeftButton)
    row = screen.selected()
    assert row is not None and row.verdict == "carte staff révoquée"
    assert not screen.revoke_button.isEnabled()


def test_returns_counted_by_scanner_once_each_then_the_rest_of_the_box_at_once(
    qtbot: QtBot, page: CardsPage, festival: Database, artifacts: Path
) -> None:
    with festival.session() as session:
        numbers = list(
            session.scalars(select(Card.number).order_by(Card.position).limit(3).offset(100))
        )
    screen = page.returns
    page.show_screen(screen)
    assert screen.prestation.currentText() == "MamAfrica 2026"
    assert screen.count.text() == "Rendues : 0 / 200"
    assert screen.loaned.text() == "(le prêt en comptait 3000)"
    for number in numbers[:2]:
        qtbot.keyClicks(screen.scan, number)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert screen.last.text() == f"{numbers[1]} : comptée (2 / 200)"
    qtbot.keyClicks(screen.scan, numbers[0])
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert screen.last.text() == f"{numbers[0]} : déjà comptée"
    assert screen.count.text() == "Rendues : 2 / 200"
    assert screen.missing_title.text() == "Manquantes (198)"
    assert numbers[0] not in {m.number for m in screen.missing.rows()}
    qtbot.keyClicks(screen.scan, "ZZZZZZZZ")
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert screen.last.text() == "Aucune carte n'a le numéro ou l'UID ZZZZZZZZ"
    shot(page, "5-returns", artifacts)

    assert screen.batch.currentText() == DEMO_BATCH
    qtbot.mouseClick(screen.batch_button, Qt.MouseButton.LeftButton)
    press(message_box(qtbot), "&Compter le lot")
    assert screen.last.text() == f"Lot {DEMO_BATCH} : 198 cartes comptées"
    assert screen.count.text() == "Rendues : 200 / 200"
    assert screen.missing.rows() == []
    assert not screen.lost_button.isEnabled()
    with festival.session() as session:
        states = dict(session.execute(select(Card.state, func.count()).group_by(Card.state)).all())
    assert states == {CardState.RETURNED: 200}


def test_the_encoding_results_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = EncodingResultsModel()
    at = dt.datetime(2026, 7, 10, 18, 0, tzinfo=dt.UTC)
    for n, outcome in enumerate(Outcome):
        model.add(
            CardResult(
                outcome,
                "Virtual PCD 00 00",
                f"04A1B2C3D4E5F{n}",
                f"ABCD000{n}",
                Chip.NTAG215,
                "carte retirée" if outcome is Outcome.FAILED else "",
                27,
                0.05,
                0.04,
                at,
            )
        )
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 4
    assert model.result_at(0).outcome is Outcome.FAILED  # the newest on top
    assert model.index(0, 1).data() == "Échec"

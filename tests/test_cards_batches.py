"""Card batches: TiBillet factory files in and out, new batches for the printer."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from regie.cards.batches import (
    ImportRejected,
    export_tibillet,
    generate_lines,
    import_factory_csv,
    is_spreadsheet_safe,
    parse_factory_csv,
    printer_csv,
    select_cards,
)
from regie.cards.models import Card, CardBatch
from regie.cards.overview import batch_summaries, card_choices
from regie.db import Database
from regie.errors import UserError
from regie.inventory.models import AssetCategory, AssetModel, StockLot, Tracking
from regie.models import Organisation


def setup_db(url: str) -> Database:
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        ccc = Organisation(short_name="CCC", name="Coopérative Code Commun")
        mama = Organisation(short_name="Mamasound", name="Collectif Mamasound")
        category = AssetCategory(name="Cartes NFC")
        session.add_all([ccc, mama, category])
        session.flush()
        model = AssetModel(
            name="Carte NFC NTAG215", category_id=category.id, tracking=Tracking.QUANTITY
        )
        session.add(model)
        session.flush()
        session.add_all(
            [
                StockLot(name="Cartes NFC CCC", model_id=model.id, owner_id=ccc.id, quantity=6000),
                StockLot(
                    name="Cartes NFC Mamasound", model_id=model.id, owner_id=mama.id, quantity=11000
                ),
            ]
        )
    return db


def factory_line(
    uid: str | None = None, host: str = "demo.example", index: int | None = None
) -> str:
    qr = uuid.uuid4()
    if index is not None:  # printed numbers unique by construction (random ones may collide)
        qr = uuid.UUID(f"{0xA0000000 + index:08x}{qr.hex[8:]}")
    uid = uid if uid is not None else "04" + uuid.uuid4().hex[:12].upper()
    return f"https://{host}/qr/{qr},{qr.hex[:8].upper()},{uid}"


def test_import_checks_every_line_and_reports_line_numbers_and_fields(
    db_url: str, tmp_path: Path
) -> None:
    db = setup_db(db_url)
    good = factory_line()
    dup_uid = "04AABBCCDDEEFF"
    lines = [
        good,  # 1
        "https://demo.example/pas-de-qr/x,ABCDEFGH,0455667788990A",  # 2: no uuid after /qr/
        f"ftp://demo.example/qr/{uuid.uuid4()},ABCD1234,A24B043F",  # 3: not http(s)
        f"https://demo.example/qr/{uuid.uuid4()},ABC123,A24B0440",  # 4: number of 6
        f"https://demo.example/qr/{uuid.uuid4()},ABCD1235,A24B04",  # 5: UID of 3 bytes
        f"https://demo.example/qr/{uuid.uuid4()},ABCD1236,XYZXYZXY",  # 6: not hex
        good.replace(good.split(",")[2], "04112233445566"),  # 7: url + number of line 1
        factory_line(dup_uid),  # 8
        factory_line(dup_uid),  # 9: UID already at line 8
        "un,deux",  # 10
        "https://demo.example/qr/x,y,z,w",  # 11: 4 columns
    ]
    path = tmp_path / "usine.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportRejected) as caught, db.session() as session:
        import_factory_csv(session, path, owner="CCC")
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found >= {
        (2, "url"),
        (3, "url"),
        (4, "number"),
        (5, "tag_id"),
        (6, "tag_id"),
        (7, "url"),
        (7, "number"),
        (9, "tag_id"),
        (10, "url"),
        (11, "ligne"),
    }
    assert (1, "url") not in found and not any(e.line == 8 for e in caught.value.errors)
    by_line = {(e.line, e.field): e for e in caught.value.errors}
    assert "déjà à la ligne 1" in by_line[(7, "number")].message
    assert "déjà à la ligne 8" in by_line[(9, "tag_id")].message
    assert str(by_line[(4, "number")]).startswith(f"{path}, ligne 4, champ number : ")
    assert "aucune carte importée" in str(caught.value)
    with db.session() as session:  # a file with errors imports nothing
        assert session.scalar(select(func.count()).select_from(Card)) == 0
        assert session.scalar(select(func.count()).select_from(CardBatch)) == 0


def test_import_refuses_cards_already_in_the_database(db_url: str, tmp_path: Path) -> None:
    db = setup_db(db_url)
    first = tmp_path / "premier.csv"
    lines = [factory_line() for _ in range(3)]
    first.write_text("\n".join(lines) + "\n")
    with db.session() as session:
        result = import_factory_csv(session, first, owner="CCC")
    assert (result.cards, result.lot, result.batch) == (3, "Cartes NFC CCC", "premier")
    again = tmp_path / "encore.csv"
    again.write_text(lines[1] + "\n" + factory_line() + "\n")
    with pytest.raises(ImportRejected) as caught, db.session() as session:
        import_factory_csv(session, again, owner="Mamasound")
    assert {(e.line, e.field) for e in caught.value.errors} == {
        (1, "url"),
        (1, "number"),
        (1, "tag_id"),
    }


def test_import_keeps_the_full_uid_and_tibillets_four_bytes(db_url: str, tmp_path: Path) -> None:
    db = setup_db(db_url)
    path = tmp_path / "mixte.csv"
    path.write_text(
        factory_line("04a1b2c3d4e5f6")
        + "\n"
        + factory_line("A24B043F")
        + "\n"
        + factory_line("")
        + "\n"
    )
    with db.session() as session:
        import_factory_csv(session, path, owner="Mamasound", lot="Cartes NFC Mamasound")
        cards = session.scalars(select(Card).order_by(Card.position)).all()
        assert [(c.uid, c.tag_id) for c in cards] == [
            ("04A1B2C3D4E5F6", "04A1B2C3"),
            (None, "A24B043F"),  # 4 bytes: TiBillet's form, the full UID comes at the reader
            (None, None),  # printed, not paired yet
        ]


def test_import_needs_a_known_owner_and_one_of_its_lots(db_url: str, tmp_path: Path) -> None:
    db = setup_db(db_url)
    path = tmp_path / "f.csv"
    path.write_text(factory_line() + "\n")
    with pytest.raises(UserError, match="organisation inconnue"), db.session() as session:
        import_factory_csv(session, path, owner="Inconnue")
    with pytest.raises(UserError, match="n'appartient pas"), db.session() as session:
        import_factory_csv(session, path, owner="CCC", lot="Cartes NFC Mamasound")


def test_export_writes_tibillet_format_and_reimports_into_a_clean_database(
    db_url: str, tmp_path: Path
) -> None:
    db = setup_db(db_url)
    source = tmp_path / "usine.csv"
    source.write_text("\n".join(factory_line() for _ in range(50)) + "\n" + factory_line("") + "\n")
    with db.session() as session:
        import_factory_csv(session, source, owner="CCC")
    out = tmp_path / "export.csv"
    with db.session() as session:
        result = export_tibillet(session, out, select_cards(session, owner="CCC"))
    assert (result.written, result.without_uid) == (50, 1)
    rows = out.read_text().splitlines()
    url, number, tag_id = rows[0].split(",")
    assert len(tag_id) == 8 and tag_id == tag_id.upper()
    assert source.read_text().splitlines()[0].startswith(f"{url},{number},{tag_id}")

    clean = setup_db(f"sqlite:///{tmp_path / 'propre.sqlite3'}")
    with clean.session() as session:
        again = import_factory_csv(session, out, owner="CCC")
    assert again.cards == 50


def test_generated_numbers_survive_a_spreadsheet_and_the_file_reimports(
    db_url: str, tmp_path: Path
) -> None:
    assert not is_spreadsheet_safe("12345678")
    assert not is_spreadsheet_safe("1234E567")
    assert is_spreadsheet_safe("1234EA67") and is_spreadsheet_safe("E1234567")
    lines = generate_lines(2000, "https://festival.example/")
    assert all(is_spreadsheet_safe(line.number) for line in lines)
    assert len({line.number for line in lines}) == 2000
    assert all(line.url == f"https://festival.example/qr/{line.qr_uuid}" for line in lines)
    assert all(line.number == line.qr_uuid.replace("-", "")[:8].upper() for line in lines)
    parsed, errors = parse_factory_csv(printer_csv(lines), "imprimeur.csv")
    assert errors == [] and len(parsed) == 2000
    with pytest.raises(UserError, match="adresse de base invalide"):
        generate_lines(1, "festival.example")


def test_a_whole_festival_of_17000_cards_imports(db_url: str, tmp_path: Path) -> None:
    db = setup_db(db_url)
    path = tmp_path / "mamasound.csv"
    # Distinct first 4 bytes: TiBillet keys cards on them (random UIDs would collide).
    uids = [f"04{i:06X}{uuid.uuid4().hex[:6].upper()}" for i in range(17_000)]
    lines = (factory_line(uid, index=i) for i, uid in enumerate(uids))
    path.write_text("\n".join(lines) + "\n")
    with db.session() as session:
        result = import_factory_csv(session, path, owner="Mamasound")
    assert result.cards == 17_000
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == 17_000
    # The 2-second target is measured by bench/cards_import.py, not by a timed test.


def test_the_newest_batch_comes_first_even_when_two_are_imported_in_the_same_second(
    db_url: str, tmp_path: Path
) -> None:
    db = setup_db(db_url)
    for name in ("avril", "mai", "juin"):
        path = tmp_path / f"{name}.csv"
        path.write_text(factory_line() + "\n")
        with db.session() as session:
            import_factory_csv(session, path, owner="CCC")
    with db.session() as session:  # the database clock ticks in seconds: make the tie certain
        session.execute(update(CardBatch).values(created_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)))
    with db.session() as session:
        assert card_choices(session).batches == ["juin", "mai", "avril"]
        assert [b.name for b in batch_summaries(session)] == ["juin", "mai", "avril"]

"""Asset CSV files and label sheets: what goes in, what comes out, and bad files."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from regie.db import Database
from regie.inventory.amortisation import amortised_cents, by_owner, months_between
from regie.inventory.asset_csv import CsvImportError, export_assets, import_assets
from regie.inventory.assets import asset_detail
from regie.inventory.labels import labels_for, write_labels
from regie.inventory.models import Asset

HEADER = (
    "etiquette,numero_serie,modele,categorie,fabricant,proprietaire,date_achat,cout_achat,"
    "amortissement_mois,valeur_residuelle,statut,lieu,coproprietaires,notes\n"
)


def asset_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Asset)) or 0


def test_import_creates_assets_with_co_owners_and_new_models(
    demo: Database, tmp_path: Path
) -> None:
    path = tmp_path / "materiel.csv"
    path.write_text(
        HEADER + "PI-001,RPI5-77,Raspberry Pi 5 boîtier,Boîtier cashless,Raspberry,CCC,2025-03-01,"
        "95.50,24,10,disponible,Dépôt CCC,CCC:60;Mamasound:40,carte SD neuve\n"
        + 'CCC-CABLE-01,,Kit câbles,Câbles et réseau,,Mamasound,01/04/2025,"12,00",36,0,,,,\n',
        encoding="utf-8",
    )
    with demo.session() as session:
        report = import_assets(session, path)
    assert (report.imported, report.problems) == (2, [])
    with demo.session() as session:
        detail = asset_detail(session, "pi-001")
    assert detail.row.model == "Raspberry Pi 5 boîtier"
    assert detail.row.purchase_cost_cents == 9550
    assert detail.salvage_value_cents == 1000
    assert detail.shares == [("CCC", 6000), ("Mamasound", 4000)]
    assert [event.kind for event in detail.events] == ["imported"]


def test_a_file_with_errors_imports_nothing_and_names_line_and_field(
    demo: Database, tmp_path: Path
) -> None:
    path = tmp_path / "erreurs.csv"
    path.write_text(
        HEADER
        + "NEW-1,,Sunmi V2s,,,CCC,2025-01-01,300,36,0,,,,\n"  # line 2: good
        + "NEW-2,,Sunmi V2s,,,Inconnus,2025-13-01,-5,36,0,,,,\n"  # line 3: three errors
        + "NEW-1,,Sunmi V2s,,,CCC,,,,,,,,\n"  # line 4: duplicate in the file
        + "CCC-V2S-001,,Sunmi V2s,,,CCC,,,,,volé,,,\n"  # line 5: known tag, bad status
        + "NEW-3,,Tablette X,,,CCC,,,abc,,,,,\n",  # line 6: unknown model, bad months
        encoding="utf-8",
    )
    before = asset_count(demo)
    with pytest.raises(CsvImportError) as failed, demo.session() as session:
        import_assets(session, path)
    problems = [(p.line, p.field) for p in failed.value.report.problems]
    assert problems == [
        (3, "proprietaire"),
        (3, "date_achat"),
        (3, "cout_achat"),
        (4, "etiquette"),
        (5, "etiquette"),
        (5, "statut"),
        (6, "modele"),
        (6, "amortissement_mois"),
    ]
    message = str(failed.value)
    assert f"{path} : ligne 4, colonne etiquette : NEW-1 figure déjà ligne 2 du fichier" in message
    assert "ligne 3, colonne cout_achat : un coût ne peut pas être négatif" in message
    assert "rien n'a été importé" in message
    assert asset_count(demo) == before
    with demo.session() as session:  # the user asks for the good rows only
        report = import_assets(session, path, good_rows_only=True)
    assert report.imported == 1
    assert asset_count(demo) == before + 1


def test_import_rejects_duplicate_serial_numbers_with_line_and_field(
    demo: Database, tmp_path: Path
) -> None:
    path = tmp_path / "series.csv"
    path.write_text(
        HEADER
        + "NEW-1,SN-77,Sunmi V2s,,,CCC,,,,,,,,\n"  # line 2: good
        + "NEW-2,sn-77 ,Sunmi V2s,,,CCC,,,,,,,,\n"  # line 3: the same serial, typed again
        + "NEW-3,V2S2409001,Sunmi V2s,,,CCC,,,,,,,,\n",  # line 4: CCC-V2S-001's serial
        encoding="utf-8",
    )
    before = asset_count(demo)
    with pytest.raises(CsvImportError) as failed, demo.session() as session:
        import_assets(session, path)
    assert [(p.line, p.field) for p in failed.value.report.problems] == [
        (3, "numero_serie"),
        (4, "numero_serie"),
    ]
    message = str(failed.value)
    assert (
        f"{path} : ligne 3, colonne numero_serie : le numéro de série SN-77 figure déjà "
        "ligne 2 du fichier (NEW-1)"
    ) in message
    assert (
        "ligne 4, colonne numero_serie : le numéro de série V2S2409001 est déjà celui de "
        "CCC-V2S-001 dans l'inventaire"
    ) in message
    assert asset_count(demo) == before


def test_wrong_columns_are_refused_before_any_row(demo: Database, tmp_path: Path) -> None:
    path = tmp_path / "colonnes.csv"
    path.write_text("tag;modèle;couleur\nX-1;Sunmi V2s;rouge\n", encoding="utf-8-sig")
    with pytest.raises(CsvImportError) as failed, demo.session() as session:
        import_assets(session, path)
    problems = [(p.line, p.field, p.message) for p in failed.value.report.problems]
    assert problems[:2] == [
        (1, "couleur", "colonne inconnue"),
        (1, "proprietaire", "colonne obligatoire absente"),
    ]


def test_export_reimports_identically_into_a_clean_database(demo: Database, tmp_path: Path) -> None:
    exported = tmp_path / "export.csv"
    with demo.session() as session:
        assert export_assets(session, exported) == 27
    second = tmp_path / "second.csv"
    fresh = Database(f"sqlite:///{tmp_path / 'vide.sqlite3'}")
    fresh.upgrade()
    with fresh.session() as session:
        from regie.inventory.models import Location
        from regie.models import Organisation

        session.add_all(
            [
                Organisation(short_name="CCC", name="Coopérative Code Commun"),
                Organisation(short_name="Mamasound", name="Collectif Mamasound"),
                Location(name="Dépôt CCC"),
            ]
        )
    with fresh.session() as session:
        report = import_assets(session, exported)
    assert report.imported == 27
    with fresh.session() as session:
        export_assets(session, second)
    assert second.read_text() == exported.read_text()


def test_straight_line_amortisation() -> None:
    assert months_between(dt.date(2024, 9, 1), dt.date(2026, 11, 21)) == 26
    assert months_between(dt.date(2024, 9, 30), dt.date(2024, 10, 29)) == 0
    assert amortised_cents(30000, 0, 36, dt.date(2024, 9, 1), dt.date(2026, 11, 21)) == 21666
    assert amortised_cents(30000, 0, 36, dt.date(2024, 9, 1), dt.date(2030, 1, 1)) == 30000
    assert amortised_cents(9550, 1000, 24, dt.date(2025, 3, 1), dt.date(2026, 3, 1)) == 4275


def test_amortisation_per_owner_on_the_demo(demo: Database) -> None:
    with demo.session() as session:
        rows = {row.owner: row for row in by_owner(session, at=dt.date(2026, 11, 21))}
    ccc = rows["CCC"]
    # 17+2+6 terminals and readers at 300 €, 2 access points at 180 €, 6,000 cards at 0.35 €,
    # 500 € of small material.
    assert ccc.invested_cents == 25 * 30000 + 2 * 18000 + 6000 * 35 + 50000
    # The reader lost at MamaStock and the 129 cards lost at MamAfrica count in full.
    lost_reader, lost_cards = 30000, 129 * 35
    assert ccc.amortised_cents == (
        24 * 21666
        + 2 * 13000
        + lost_reader
        + lost_cards
        + (5871 * 35) * 26 // 36
        + 50000 * 26 // 36
    )
    assert not ccc.recovered
    with demo.session() as session:
        later = {row.owner: row for row in by_owner(session, at=dt.date(2028, 1, 1))}
    assert later["CCC"].recovered and later["CCC"].remaining_cents == 0


def test_labels_print_a_readable_qr_code_per_asset(demo: Database, tmp_path: Path) -> None:
    pdf = tmp_path / "etiquettes.pdf"
    with demo.session() as session:
        labels = labels_for(session)
    assert write_labels(labels, pdf) == 2  # 27 labels, 21 a sheet
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "CCC-V2S-017" in text and "Propriété CCC" in text
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(decoded) == sorted(label.tag for label in labels[:21])


def test_labels_refuse_unknown_tags(demo: Database) -> None:
    from regie.errors import NotFound

    with pytest.raises(NotFound, match="NOPE-9"), demo.session() as session:
        labels_for(session, ["CCC-V2S-001", "NOPE-9"])

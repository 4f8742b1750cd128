"""Fuzzing the equipment file (inventory CSV) and the amounts people type: whatever a cell
holds, a clear refusal naming line and column, at once, and nothing half imported."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from regie.db import Database
from regie.errors import UserError
from regie.inventory.asset_csv import COLUMNS, CsvImportError, import_assets
from regie.inventory.models import Asset, AssetCategory, AssetModel, Location, Tracking
from regie.limits import MAX_CENTS
from regie.models import Organisation
from regie.money import MoneyFormatError, parse_cents
from tests.fuzz_support import EDGE_INTS, NASTY_TEXTS, cases, fuzz_settings, is_clear, rows

GOOD = {
    "etiquette": "NEW-1",
    "numero_serie": "SN-1",
    "modele": "Sunmi V2s",
    "categorie": "",
    "fabricant": "Sunmi",
    "proprietaire": "CCC",
    "date_achat": "2025-03-01",
    "cout_achat": "300.00",
    "amortissement_mois": "36",
    "valeur_residuelle": "10",
    "statut": "disponible",
    "lieu": "Dépôt CCC",
    "coproprietaires": "",
    "notes": "neuf",
}
NUMBERS = st.sampled_from(["1E10000000", "1E300000", "²", "٣", "1e3", "0,001", "-5", "NaN"])


@st.composite
def equipment_file(draw: st.DrawFn) -> bytes:
    rows = []
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        row = dict(GOOD, etiquette=f"NEW-{draw(st.integers(0, 2))}{index}")
        for _change in range(draw(st.integers(min_value=1, max_value=2))):
            column = draw(st.sampled_from(COLUMNS))
            row[column] = draw(NASTY_TEXTS | NUMBERS | EDGE_INTS.map(str))
        rows.append([row[column] for column in COLUMNS])
    if draw(st.booleans()):
        rows[-1].append(draw(NASTY_TEXTS))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(COLUMNS), *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


@pytest.fixture
def equipment_base(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        ccc = Organisation(short_name="CCC", name="Coopérative Code Commun")
        category = AssetCategory(name="Terminaux")
        session.add_all([ccc, category, Location(name="Dépôt CCC")])
        session.flush()
        session.add(
            AssetModel(
                name="Sunmi V2s",
                category_id=category.id,
                manufacturer="Sunmi",
                tracking=Tracking.SERIAL,
            )
        )
    yield db
    db.dispose()


def test_an_equipment_file_is_imported_whole_or_refused_cell_by_cell(
    equipment_base: Database, tmp_path: Path
) -> None:
    examples = cases(equipment_base, 60)
    known = ",".join(COLUMNS) + "\n" + ",".join(GOOD.values()) + "\n"

    @fuzz_settings(examples)
    @given(content=equipment_file() | st.binary(max_size=80))
    @example(content=(",".join(COLUMNS) + "\n" + "A,,Sunmi V2s" + ",x" * 11 + ',"').encode())
    @example(content=(",".join(COLUMNS) + '\n"' + "x" * 140_000 + '"\n').encode())
    @example(content=known.replace(",36,", ",²,").encode())
    @example(content=known.replace(",300.00,", ",1E10000000,").encode())
    @example(content=known.replace(",SN-1,", ",S\x00N,").encode())
    def one_file(content: bytes) -> None:
        path = tmp_path / "materiel.csv"
        path.write_bytes(content)
        before = rows(equipment_base, Asset)
        started = time.perf_counter()
        try:
            with equipment_base.session() as session:
                import_assets(session, path)
        except CsvImportError as rejected:
            assert rejected.report.problems
            for problem in rejected.report.problems:
                assert problem.line >= 1 and problem.message
                assert f"{path} : ligne {problem.line}" in str(rejected)
            assert rows(equipment_base, Asset) == before
        except UserError as refused:
            assert is_clear(refused) and str(path) in str(refused)
        assert time.perf_counter() - started < 2  # « 1E300000 » cost 6 s a cell

    one_file()


TYPED = st.text(alphabet="-+0123456789 .,€E\u202f²", max_size=40)


@fuzz_settings(400)
@given(text=NASTY_TEXTS | NUMBERS | EDGE_INTS.map(str) | TYPED)
@example(text="1 000 000 000,01")
@example(text="9" * 33)
def test_an_amount_typed_is_cents_within_the_limit_or_a_money_format_error(text: str) -> None:
    try:
        cents = parse_cents(text)
    except MoneyFormatError as error:
        assert str(error)
        return
    assert abs(cents) <= MAX_CENTS

"""``regie season``: the year's prestations in order, the totals and SoTicket's fees as a French
table, as CSV with a header, and as JSON with every figure in cents; the current year unless
``--year`` says another. The season is the hand-built one of tests/season_values.py."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from regie import clock
from regie.cli import main
from regie.db import Database
from regie.settlement import season_text
from regie.settlement.season_text import status_text
from tests.season_values import AFRICA_LINE, PERISCOPE, SEASON, STOCK_LINE, VENUE

GAP = re.compile(r" {2,}")  # the table's columns are set apart by two spaces or more


def words(line: str) -> list[str]:
    """A table line cut at its column gaps, its no-break spaces read as spaces."""
    flat = line.replace("\u202f", " ").replace("\xa0", " ").strip()
    return [cell for cell in GAP.split(flat) if cell]


def rendered(args: list[str]) -> str:
    """What ``regie season`` prints for the hand-built season (the renderers the command
    calls); the command itself is run on a real base below."""
    if "--json" in args:
        return season_text.season_json(SEASON, [PERISCOPE]) + "\n"
    if "--csv" in args:
        return season_text.season_csv(SEASON)
    return season_text.season_table(SEASON, [PERISCOPE]) + "\n"


@pytest.fixture
def db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'season.db'}"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 0
    return capsys.readouterr().out


def test_the_table_lists_the_prestations_in_order_then_the_year_and_the_venues() -> None:
    out = rendered([]).splitlines()
    assert words(out[0]) == ["Saison 2026 : à amortir 10 000,00 € (matériel et frais associés)"]
    assert words(out[1]) == [
        "Fin", "Prestation", "Régime", "Base", "Part", "Cachet", "Frais", "Fondante reversée",
        "Total dû", "Récupéré", "Reste à amortir", "Phase", "Statut",
    ]  # fmt: skip
    # MamAfrica: 35 % × 20 000 = 7 000 €, 4 days × 250 = 1 000 €, 300 € costs → 8 300 €.
    assert words(out[2]) == [
        "17/05/2026", "MamAfrica 2026", "convention, externe", "20 000,00 €", "7 000,00 €",
        "1 000,00 €", "300,00 €", "0,00 €", "8 300,00 €", "7 000,00 €", "3 000,00 €",
        "amortissement", "retenu v1",
    ]  # fmt: skip
    # MamaStock crosses: 3 000 + 12 % × (30 000 − 3 000 / 0.35) = 5 571.43 €; it pays back
    # nothing, the cooperative pays back 30 €: 5 571.43 + 750 + 420 − 30 = 6 711.43 €.
    assert words(out[3]) == [
        "12/07/2026", "MamaStock 2026", "convention, externe", "30 000,00 €", "5 571,43 €",
        "750,00 €", "420,00 €", "-30,00 €", "6 711,43 €", "10 000,00 €", "0,00 €", "bascule",
        "brouillon",
    ]  # fmt: skip
    # 20 000 + 30 000; 7 000 + 5 571.43; 1 000 + 750; 300 + 420; 30; 8 300 + 6 711.43.
    assert words(out[4]) == [
        "Total 2026", "50 000,00 €", "12 571,43 €", "1 750,00 €", "720,00 €", "-30,00 €",
        "15 011,43 €", "10 000,00 €", "0,00 €",
    ]  # fmt: skip
    assert out[6] == "SoTicket, redevance par structure :"
    # 2.5 % × 12 000 = 300 €, brought up to the 575 € floor: +275 €.
    assert words(out[8]) == [
        VENUE, "1", "300,00 €", "+275,00 € (plancher)", "575,00 €", "575,00 €", "3 500,00 €",
    ]  # fmt: skip


def test_a_year_without_prestation_says_so(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(["season", "--year", "2030", *db], capsys).splitlines()
    assert out[1:] == ["Aucune prestation cette année."]
    assert run(["season", "--year", "2030", "--csv", *db], capsys).count("\n") == 1  # header


def test_the_csv_has_a_header_and_one_row_per_prestation_in_euros_with_a_dot() -> None:
    rows = list(csv.DictReader(io.StringIO(rendered(["--csv"]))))
    assert [r["prestation"] for r in rows] == [AFRICA_LINE.name, STOCK_LINE.name]
    stock = rows[1]
    assert (stock["debut"], stock["fin"], stock["type"], stock["regime"]) == (
        "2026-07-10",
        "2026-07-12",
        "external",
        "convention",
    )
    # share 3 000 + 12 % × 21 428.57 = 5 571.43; paid back 2 % × 1 500 = 30.00 (a positive
    # amount the total already deducts: 5 571.43 + 750 + 420 − 30 = 6 711.43).
    assert [
        stock[k]
        for k in (
            "base",
            "part",
            "cachet",
            "frais",
            "monnaie_fondante_reversee",
            "total",
            "recupere",
            "reste_a_amortir",
        )
    ] == ["30000.00", "5571.43", "750.00", "420.00", "30.00", "6711.43", "10000.00", "0.00"]
    assert (stock["phase"], stock["statut"], stock["version"]) == ("bascule", "draft", "0")
    assert (rows[0]["statut"], rows[0]["version"]) == ("recorded", "1")


def test_the_json_gives_every_figure_in_cents() -> None:
    found = json.loads(rendered(["--json"]))
    assert (found["year"], found["invested_cents"]) == (2026, 1_000_000)
    assert [line["name"] for line in found["lines"]] == [AFRICA_LINE.name, STOCK_LINE.name]
    stock = found["lines"][1]
    assert (stock["share_cents"], stock["melting_payback_cents"], stock["total_cents"]) == (
        557_143,
        3_000,
        671_143,
    )
    assert (stock["starts_on"], stock["ends_on"]) == ("2026-07-10", "2026-07-12")
    # 2 000 000 + 3 000 000 base; 700 000 + 557 143 share; 830 000 + 671 143 total.
    assert found["totals"] == {
        "base_cents": 5_000_000,
        "share_cents": 1_257_143,
        "cachet_cents": 175_000,
        "costs_cents": 72_000,
        "melting_payback_cents": 3_000,
        "total_cents": 1_501_143,
        "recovered_cents": 1_000_000,
        "left_cents": 0,
    }
    assert found["curve"] == [
        {"date": "2026-05-17", "recovered_cents": 700_000},
        {"date": "2026-07-12", "recovered_cents": 1_000_000},
    ]
    assert found["structures"] == [
        {
            "structure": VENUE,
            "accrued_cents": 30_000,
            "adjustment_cents": 27_500,
            "fee_cents": 57_500,
            "floor_cents": 57_500,
            "cap_cents": 350_000,
            "events": [
                {
                    "prestation": "Concert de rentrée",
                    "base_cents": 1_200_000,
                    "accrual_cents": 30_000,
                }
            ],
        }
    ]


def test_without_a_year_the_season_is_the_current_one(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with clock.frozen(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)):
        assert json.loads(run(["season", "--json", *db], capsys))["year"] == 2027


def test_a_year_out_of_range_is_refused_naming_the_option(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["season", "--year", "26", *db])
    assert stopped.value.code == 2
    assert "argument --year : une année entre 2000 et 2100 attendue (lu « 26 »)" in (
        capsys.readouterr().err
    )


def test_csv_and_json_cannot_be_asked_together(
    db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["season", "--csv", "--json", *db])
    said = capsys.readouterr()
    assert "--json" in said.err and said.out == ""


def test_a_statement_changed_since_it_was_recorded_says_which_version() -> None:
    changed = dataclasses.replace(AFRICA_LINE, status="changed", version=2)
    assert status_text(changed) == "modifié depuis v2"


def test_the_demo_season_in_json_follows_the_convention(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command on a real base: the demo's 2026, after last season's recorded statement."""
    found = json.loads(run(["season", "--year", "2026", "--json", "--db", demo.url], capsys))
    # To amortise: the cooperative's equipment at cost (17 + 2 Sunmi and 6 readers at 300 €,
    # 2 access points at 180 €, 6 000 cards at 0.35 €, 500 € of small material = 10 460 €)
    # and the associated costs (bank fees 2 500 €, hosting 0 €): 12 960 €.
    assert found["invested_cents"] == 1_296_000
    lines = {line["name"]: line for line in found["lines"]}
    assert list(lines)[:2] == ["MamAfrica 2026", "MamaStock 2026"]
    africa = lines["MamAfrica 2026"]
    # Base: Mamasound's invoice to the association, services only: 10 850 € (the cachet line
    # is not base). Left before it: 12 960 − 1 120 (MamAfrica 2025's recorded share) = 11 840 €.
    # Share 35 % × 10 850 = 3 797.50 € (below what is left: no crossing; within 500–15 000 €).
    # Cachet: 3 days × 250 € = 750 €.
    assert (africa["kind"], africa["base_cents"], africa["share_cents"]) == (
        "external",
        1_085_000,
        379_750,
    )
    assert africa["cachet_cents"] == 75_000
    # Recovered: 1 120 + 3 797.50 = 4 917.50 €; left: 12 960 − 4 917.50 = 8 042.50 €.
    assert (africa["recovered_to_date_cents"], africa["left_to_amortise_cents"]) == (
        491_750,
        804_250,
    )
    stock = lines["MamaStock 2026"]
    # Mamasound's own festival: no share, no cachet (the convention's default). The melt of
    # 5 July (in its period, after MamAfrica's end) took 5 522 € EUR + 776 € FED = 6 298 € of
    # money (the 330.50 gift tokens are not money): the cooperative pays back 50 % = 3 149 €.
    assert (stock["kind"], stock["share_cents"], stock["cachet_cents"]) == ("own", 0, 0)
    assert stock["melting_payback_cents"] == 314_900
    assert stock["total_cents"] == stock["costs_cents"] - 314_900
    assert all(line["status"] == "draft" for line in found["lines"])
    # The Rockstore: 2.5 % × (6 200 + 4 800 + 7 000) = 450 €, up to the 575 € floor.
    (venue,) = found["structures"]
    assert (venue["accrued_cents"], venue["adjustment_cents"], venue["fee_cents"]) == (
        45_000,
        12_500,
        57_500,
    )

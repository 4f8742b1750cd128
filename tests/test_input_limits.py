"""Bad input at the desk and in the files: a clear refusal naming the field, nothing written,
and the same caps on SQLite as on PostgreSQL (issue 13, points 4 and 5)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from regie import clock
from regie.db import Database
from regie.errors import UserError
from regie.inventory.asset_csv import COLUMNS, CsvImportError, import_assets
from regie.inventory.models import Asset
from regie.ledger.closures import close_z
from regie.ledger.desk import balances_of, cash_topup, correction
from regie.ledger.models import Transfer
from regie.ledger.posting import IdempotencyConflict
from regie.ledger.reports import totals_by_asset
from regie.limits import MAX_CENTS
from regie.money import MoneyFormatError, parse_cents
from tests.fuzz_support import rows

ALICE = "04A1B2C3D4E5F6"
HEADER = ",".join(COLUMNS) + "\n"


def transfers(db: Database) -> int:
    return rows(db, Transfer)


@pytest.mark.parametrize("amount", [2**62, 2**63, 2**70, MAX_CENTS + 1])
def test_a_desk_top_up_beyond_the_hard_limit_is_refused_naming_the_amount(
    ledger: Database, amount: int
) -> None:
    with pytest.raises(UserError, match="montant") as refused, ledger.session() as session:
        cash_topup(session, ALICE, amount)
    assert "1 000 000 000" in str(refused.value).replace("\u202f", " ")  # the limit, in euros
    assert transfers(ledger) == 0


def test_top_ups_at_the_limit_still_close_and_report(ledger: Database) -> None:
    with ledger.session() as session:
        cash_topup(session, ALICE, MAX_CENTS)
        cash_topup(session, ALICE, MAX_CENTS)
    with ledger.session() as session:
        z = close_z(session, "pos:Caisse centrale")
        assert totals_by_asset(session)["EUR"] == 0  # every leg balances
        assert balances_of(session, ALICE) == {"EUR": 2 * MAX_CENTS}
    assert z.figures.totals == {"topup/cash/EUR": 2 * MAX_CENTS}  # 2 × 10^11 cents


def test_a_correction_beyond_the_limit_is_refused(ledger: Database) -> None:
    with pytest.raises(UserError, match="montant"), ledger.session() as session:
        correction(session, ALICE, -(2**63), "erreur")


def test_a_point_of_sale_longer_than_its_column_is_refused_on_every_base(
    ledger: Database,
) -> None:
    with pytest.raises(UserError, match="point de vente") as refused, ledger.session() as session:
        cash_topup(session, ALICE, 100, pos="P" * 150)
    assert "80" in str(refused.value)
    assert transfers(ledger) == 0


def test_an_idempotency_key_longer_than_its_column_is_refused(ledger: Database) -> None:
    with pytest.raises(UserError, match="clé"), ledger.session() as session:
        cash_topup(session, ALICE, 100, key="k" * 81)


def test_a_desk_top_up_retried_a_second_later_replays_its_key(ledger: Database) -> None:
    first_moment = dt.datetime(2026, 7, 12, 21, 4, 33, tzinfo=dt.UTC)
    with clock.frozen(first_moment), ledger.session() as session:
        first = cash_topup(session, ALICE, 2000, key="guichet-7")
    with clock.frozen(first_moment + dt.timedelta(seconds=1)), ledger.session() as session:
        again = cash_topup(session, ALICE, 2000, key="guichet-7")
    assert again.replayed and again.ids == first.ids
    with clock.frozen(first_moment + dt.timedelta(hours=3)), ledger.session() as session:
        assert cash_topup(session, ALICE, 2000, key="guichet-7").ids == first.ids
        assert balances_of(session, ALICE) == {"EUR": 2000}
    with pytest.raises(IdempotencyConflict), ledger.session() as session:
        cash_topup(session, ALICE, 2001, key="guichet-7")


@pytest.mark.parametrize(
    "text", ["1E300000", "1E10000000", "1e-10000000", "²", "٣", "9" * 40, "1" + "0" * 12]
)
def test_money_text_out_of_bounds_is_refused_at_once(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MoneyFormatError):
        parse_cents(text)
    assert time.perf_counter() - started < 0.05


def test_money_text_within_bounds_still_parses() -> None:
    assert parse_cents("1 000 000 000,00") == MAX_CENTS
    assert parse_cents("-12,5") == -1250


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("cout_achat", "1E10000000"),
        ("cout_achat", "²"),
        ("valeur_residuelle", "1E300000"),
        ("amortissement_mois", "²"),
        ("amortissement_mois", "9" * 30),
        ("numero_serie", "S" * 81),
        ("notes", "\x00"),
    ],
)
def test_inventory_csv_cells_out_of_bounds_name_line_and_column(
    tmp_path: Path, column: str, value: str
) -> None:
    db = Database(f"sqlite:///{tmp_path}/regie.sqlite3")
    db.upgrade()
    cells = dict.fromkeys(HEADER.strip().split(","), "")
    cells.update(etiquette="NEW-1", modele="Tablette", categorie="Tablettes", proprietaire="CCC")
    cells[column] = value
    path = tmp_path / "materiel.csv"
    path.write_text(HEADER + ",".join(f'"{v}"' for v in cells.values()) + "\n", "utf-8")
    started = time.perf_counter()
    with pytest.raises(CsvImportError) as refused, db.session() as session:
        import_assets(session, path)
    assert time.perf_counter() - started < 1
    assert (2, column) in [(p.line, p.field) for p in refused.value.report.problems]
    assert f"{path} : ligne 2, colonne {column}" in str(refused.value)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Asset)) == 0
    db.dispose()

"""Lending the shared equipment: out, back with damage and losses, late, and crashes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from regie.db import Database
from regie.errors import Conflict
from regie.inventory.bookings import Items
from regie.inventory.history import history
from regie.inventory.incidents import list_incidents
from regie.inventory.loans import checkin, checkout, lot_report, overdue
from regie.inventory.lot_stock import lot_in_stock
from regie.inventory.models import (
    Asset,
    AssetStatus,
    Condition,
    IncidentKind,
    IncidentStatus,
    Loan,
    StockLot,
)
from tests.inventory_fixtures import loan_count, status_of

REPO = Path(__file__).resolve().parents[1]
DUE = dt.date.today() + dt.timedelta(days=10)


def test_a_loan_goes_out_and_comes_back_with_one_damaged_and_one_missing(demo: Database) -> None:
    with demo.session() as session:
        loan = checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-001", "ccc-v2s-002 ", "CCC-AP-001"), (), (("Cartes NFC CCC", 2000),)),
            due_on=DUE,
            prestation_name="MamaStock 2026",
        )
        assert loan.assets == ["CCC-V2S-001", "CCC-V2S-002", "CCC-AP-001"]
    with demo.session() as session:
        assert status_of(session, "CCC-V2S-001") == AssetStatus.OUT
        lot = session.scalars(select(StockLot).where(StockLot.name == "Cartes NFC CCC")).one()
        assert lot_in_stock(session, lot) == 6000 - 129 - 2000  # 129 lost at MamAfrica
    with demo.session() as session:
        summary = checkin(
            session,
            {
                "CCC-V2S-001": Condition.OK,
                "CCC-V2S-002": Condition.DAMAGED,
                "CCC-AP-001": Condition.MISSING,
            },
            lots=(("Cartes NFC CCC", 1873),),
        )
    assert summary.returned == ["CCC-V2S-001"]
    assert summary.damaged == ["CCC-V2S-002"]
    assert summary.missing == ["CCC-AP-001"]
    assert summary.lots == [("Cartes NFC CCC", 2000, 1873, 127)]
    assert summary.closed_loans == [loan.loan_id]
    with demo.session() as session:
        assert status_of(session, "CCC-V2S-001") == AssetStatus.AVAILABLE
        assert status_of(session, "CCC-V2S-002") == AssetStatus.QUARANTINED
        assert status_of(session, "CCC-AP-001") == AssetStatus.LOST
        opened = {row.id: row for row in list_incidents(session) if row.id in summary.incidents}
        kinds = sorted((row.item, row.kind, row.status) for row in opened.values())
        assert kinds == [
            ("CCC-AP-001", IncidentKind.LOSS, IncidentStatus.OPEN),
            ("CCC-V2S-002", IncidentKind.BREAKAGE, IncidentStatus.QUARANTINED),
            ("Cartes NFC CCC", IncidentKind.LOSS, IncidentStatus.WRITTEN_OFF),
        ]
        cards = next(row for row in opened.values() if row.item == "Cartes NFC CCC")
        assert (cards.quantity, cards.cost_cents) == (127, 127 * 35)
        asset = session.scalars(select(Asset).where(Asset.tag == "CCC-V2S-002")).one()
        kinds_seen = [event.kind for event in history(session, asset.id)][-3:]
        assert kinds_seen == ["checked_out", "damaged", "quarantined"]
        assert session.get_one(Loan, loan.loan_id).closed_at is not None


def test_checkout_lists_every_problem_and_writes_nothing(demo: Database) -> None:
    with demo.session() as session:
        checkout(session, "Mamasound", Items(("CCC-V2S-001",)), due_on=DUE)
        before = loan_count(session)
    with pytest.raises(Conflict) as refused, demo.session() as session:
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-005", "CCC-V2S-001", "CCC-TPE-006", "NOPE-1", "CCC-V2S-005")),
            due_on=DUE,
        )
    message = str(refused.value)
    assert "CCC-V2S-001 est déjà sorti (prêt n°" in message
    assert "CCC-TPE-006 est perdu" in message  # missing since MamaStock
    assert "étiquette inconnue : « NOPE-1 »" in message
    assert "CCC-V2S-005 est demandé deux fois" in message
    assert "rien n'a été enregistré" in message
    with demo.session() as session:
        assert loan_count(session) == before
        assert status_of(session, "CCC-V2S-005") == AssetStatus.AVAILABLE


def test_checkout_refuses_more_cards_than_the_lot_holds(demo: Database) -> None:
    expected = "« Cartes NFC CCC » : 6000 demandés, 5871 en stock"
    with pytest.raises(Conflict, match=expected), demo.session() as session:
        checkout(session, "CCC", Items((), (), (("Cartes NFC CCC", 6000),)), due_on=DUE)


def test_a_kit_goes_out_and_back_as_one(demo: Database) -> None:
    with demo.session() as session:
        loan = checkout(session, "Mamasound", Items((), ("kit-caisses-a",)), due_on=DUE)
    assert loan.assets == ["CCC-V2S-011", "CCC-V2S-012", "CCC-V2S-013", "CCC-V2S-014"]
    with demo.session() as session:
        summary = checkin(session, dict.fromkeys(loan.assets, Condition.OK))
    assert summary.closed_loans == [loan.loan_id]


def test_checking_in_what_is_not_out_is_refused_and_changes_nothing(demo: Database) -> None:
    with demo.session() as session:
        checkout(session, "Mamasound", Items(("CCC-V2S-001",)), due_on=DUE)
    with pytest.raises(Conflict) as refused, demo.session() as session:
        checkin(session, {"CCC-V2S-001": Condition.OK, "CCC-V2S-003": Condition.OK})
    assert "CCC-V2S-003 n'est pas sorti (disponible)" in str(refused.value)
    with demo.session() as session:
        assert status_of(session, "CCC-V2S-001") == AssetStatus.OUT


def test_overdue_lists_late_loans_with_what_is_still_out(demo: Database) -> None:
    with demo.session() as session:
        loan = checkout(
            session,
            "Mamasound",
            Items(("CCC-D3M-001",), (), (("Cartes NFC Mamasound", 300),)),
            due_on=DUE,
        )
    with demo.session() as session:
        assert overdue(session, DUE) == []
        late = overdue(session, DUE + dt.timedelta(days=3))
    assert [(o.loan_id, o.days_late, o.outstanding) for o in late] == [
        (loan.loan_id, 3, ["CCC-D3M-001", "Cartes NFC Mamasound × 300"])
    ]


def test_card_lots_at_the_end_of_a_prestation_are_counted_and_priced(demo: Database) -> None:
    with demo.session() as session:
        report = lot_report(session, "MamAfrica 2026")
    assert [(r.lot, r.lent, r.returned, r.lost, r.lost_value_cents) for r in report] == [
        ("Cartes NFC CCC", 3000, 2871, 129, 4515)
    ]


def regie(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=120,
    )


def test_cli_loan_out_and_back_with_damage_and_loss(demo: Database) -> None:
    url = demo.url
    out = regie(
        *("inventory", "checkout", "CCC-V2S-001", "CCC-V2S-002", "CCC-AP-001"),
        *("--to", "Mamasound", "--due", DUE.isoformat()),
        *("--prestation", "MamaStock 2026", "--lot", "Cartes NFC CCC=500"),
        *("--db", url),
    )
    assert out.returncode == 0, out.stderr
    assert "3 matériels, Cartes NFC CCC × 500" in out.stdout
    back = regie(
        *("inventory", "checkin", "CCC-V2S-001", "--damaged", "CCC-V2S-002"),
        *("--missing", "CCC-AP-001", "--lot", "Cartes NFC CCC=480", "--db", url),
    )
    assert back.returncode == 0, back.stderr
    assert "Abîmés (en quarantaine) : CCC-V2S-002" in back.stdout
    assert "Manquants : CCC-AP-001" in back.stdout
    assert "Cartes NFC CCC : 480 rendus sur 500, 20 perdus" in back.stdout
    again = regie("inventory", "checkin", "CCC-V2S-001", "--db", url)
    assert again.returncode == 2
    assert "CCC-V2S-001 n'est pas sorti" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_crash_in_the_middle_of_a_checkout_leaves_no_loan(demo: Database) -> None:
    with demo.session() as session:
        before = loan_count(session)
    tags = [f"CCC-V2S-{n:03d}" for n in range(1, 11)]
    checkout = ("inventory", "checkout", *tags, "--to", "Mamasound", "--due", DUE.isoformat())
    crashed = regie(*checkout, "--db", demo.url, env={"REGIE_CRASH_AT": "checkout.middle"})
    assert crashed.returncode == 70  # killed at the crash point, after half the lines
    demo.dispose()
    with demo.session() as session:
        assert loan_count(session) == before
        assert {status_of(session, tag) for tag in tags} == {AssetStatus.AVAILABLE}
    retried = regie(*checkout, "--db", demo.url)
    assert retried.returncode == 0, retried.stderr

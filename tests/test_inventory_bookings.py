"""Bookings warn before the same item is promised twice, is broken, or the stock is short."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from regie.db import Database
from regie.errors import UserError
from regie.inventory.bookings import BookingConflict, Items, book, cancel_booking
from regie.inventory.incidents import report
from regie.inventory.models import AssetStatus, IncidentKind
from regie.models import Organisation, Prestation
from tests.inventory_fixtures import status_of

SEPT = (dt.date(2027, 9, 10), dt.date(2027, 9, 12))


def add_prestation(db: Database, name: str, start: dt.date, end: dt.date) -> None:
    with db.session() as session:
        client = session.scalars(select(Organisation).filter_by(short_name="Mamasound")).one()
        session.add(Prestation(name=name, client_id=client.id, starts_on=start, ends_on=end))


def test_booking_twice_for_overlapping_dates_is_a_conflict(demo: Database) -> None:
    add_prestation(demo, "Festival A", *SEPT)
    add_prestation(demo, "Festival B", SEPT[1], SEPT[1] + dt.timedelta(days=2))
    with demo.session() as session:
        book(session, "Festival A", Items(("CCC-V2S-001", "CCC-V2S-002")))
        assert status_of(session, "CCC-V2S-001") == AssetStatus.BOOKED
    with pytest.raises(BookingConflict) as refused, demo.session() as session:
        book(session, "Festival B", Items(("CCC-V2S-002", "CCC-V2S-003")))
    assert refused.value.conflicts == [
        "CCC-V2S-002 est déjà réservé pour Festival A du 10/09/2027 au 12/09/2027"
    ]
    with demo.session() as session:
        assert status_of(session, "CCC-V2S-003") == AssetStatus.AVAILABLE  # nothing half-booked
        forced = book(session, "Festival B", Items(("CCC-V2S-002",)), force=True)
    assert len(forced.bookings) == 1


def test_an_item_in_repair_and_a_short_stock_are_conflicts(demo: Database) -> None:
    add_prestation(demo, "Festival A", *SEPT)
    with demo.session() as session:
        report(session, "CCC-D3M-001", IncidentKind.REPAIR, "batterie")
    with pytest.raises(BookingConflict) as refused, demo.session() as session:
        book(
            session,
            "Festival A",
            Items(("CCC-D3M-001",), (), (("Cartes NFC Mamasound", 11000),)),
        )
    assert refused.value.conflicts == [
        "CCC-D3M-001 est en réparation",
        "stock insuffisant dans « Cartes NFC Mamasound » : 11000 demandés, 10790 libres",
    ]


def test_cancelling_a_booking_frees_the_item(demo: Database) -> None:
    add_prestation(demo, "Festival A", *SEPT)
    with demo.session() as session:
        result = book(session, "Festival A", Items(("CCC-AP-002",)))
    with demo.session() as session:
        cancel_booking(session, result.bookings[0])
        assert status_of(session, "CCC-AP-002") == AssetStatus.AVAILABLE
    with pytest.raises(UserError, match="déjà annulée"), demo.session() as session:
        cancel_booking(session, result.bookings[0])


def test_cli_lists_and_cancels_a_prestations_bookings(demo: Database) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    def regie(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "regie", "inventory", *args, "--db", demo.url],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )

    add_prestation(demo, "Festival A", *SEPT)
    booked = regie(
        "book", "CCC-AP-001", "--lot", "Cartes NFC CCC=100", "--prestation", "Festival A"
    )
    assert booked.returncode == 0, booked.stderr
    listing = regie("bookings", "--prestation", "Festival A").stdout.splitlines()
    assert listing[0].split()[1:3] == ["CCC-AP-001", "du"]
    assert "Cartes NFC CCC × 100" in listing[1]
    number = listing[0].split()[0].removeprefix("n°")
    assert regie("unbook", number).returncode == 0
    assert regie("unbook", number).returncode == 2  # already cancelled: said, not done twice
    with demo.session() as session:
        assert status_of(session, "CCC-AP-001") == AssetStatus.AVAILABLE

"""The bookings of a prestation, listed as plain values for the reservations screen."""

from __future__ import annotations

import datetime as dt

import pytest

from regie.db import Database
from regie.errors import NotFound
from regie.inventory.booking_list import BookingLine, prestation_bookings
from regie.inventory.bookings import Items, book, cancel_booking
from regie.inventory.register import add_prestation

SEPT = (dt.date(2027, 9, 10), dt.date(2027, 9, 12))


def test_a_prestation_lists_its_assets_kits_and_lots_without_the_cancelled_ones(
    demo: Database,
) -> None:
    with demo.session() as session:
        add_prestation(session, "Dunes 2027", "Mamasound", *SEPT, "Sète, plage")
        made = book(
            session,
            "dunes 2027",
            Items(("CCC-D3M-001", "CCC-AP-001"), ("KIT-CAISSES-A",), (("Cartes NFC CCC", 800),)),
        ).bookings
    with demo.session() as session:
        cancel_booking(session, made[1])  # the access point
    with demo.session() as session:
        listed = prestation_bookings(session, "Dunes 2027")
        everything = prestation_bookings(session, "Dunes 2027", cancelled=True)
        never_booked = prestation_bookings(session, "MamAfrica 2026")  # lent, never booked
    assert (listed.prestation, listed.client, listed.place) == (
        "Dunes 2027",
        "Mamasound",
        "Sète, plage",
    )
    assert (listed.starts_on, listed.ends_on) == SEPT
    assert [line.item for line in listed.lines] == [
        "CCC-D3M-001",
        "CCC-V2S-011",
        "CCC-V2S-012",
        "CCC-V2S-013",
        "CCC-V2S-014",
        "Cartes NFC CCC",
    ]
    assert listed.lines[0] == BookingLine(
        made[0], "CCC-D3M-001", "", "Sunmi D3 mini", "", 1, *SEPT, None
    )
    assert listed.lines[1].kit == "KIT-CAISSES-A"
    cards = listed.lines[-1]
    assert (cards.lot, cards.description, cards.quantity) == (
        "Cartes NFC CCC",
        "propriété CCC",
        800,
    )
    assert (listed.assets, listed.lot_items) == (5, 800)
    assert len(everything.lines) == 7
    cancelled = next(line for line in everything.lines if line.tag == "CCC-AP-001")
    assert cancelled.cancelled_at is not None
    assert never_booked.lines == []


def test_an_unknown_prestation_is_named_in_french(demo: Database) -> None:
    unknown = pytest.raises(NotFound, match="prestation inconnue : « Nulle part »")
    with unknown, demo.session() as session:
        prestation_bookings(session, "Nulle part")

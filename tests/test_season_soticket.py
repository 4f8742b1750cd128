"""SoTicket per structure per year: each venue's events accrue 2.5 % of their base, and the
venue's year is brought up to the floor (575 €) or down to the cap (3,500 €), whatever the
order the statements are recorded in, one venue never changing another's fee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from regie.db import Database
from regie.inventory.register import add_organisation, add_prestation
from regie.settlement.convention import settle
from regie.settlement.indicators import indicators
from regie.settlement.soticket import SoticketStructure, structures
from regie.settlement.versions import record

# (prestation, venue, first day, base in cents): two venues, five events in 2026.
EVENTS = [
    ("Rockstore mars", "Rockstore", dt.date(2026, 3, 6), 6_000_000),  # 60,000 €
    ("Victoire avril", "Victoire 2", dt.date(2026, 4, 10), 800_000),  # 8,000 €
    ("Rockstore juin", "Rockstore", dt.date(2026, 6, 12), 5_000_000),  # 50,000 €
    ("Victoire septembre", "Victoire 2", dt.date(2026, 9, 18), 600_000),  # 6,000 €
    ("Rockstore octobre", "Rockstore", dt.date(2026, 10, 2), 4_000_000),  # 40,000 €
]
CHRONOLOGICAL = [0, 1, 2, 3, 4]
SCRAMBLED = [4, 1, 0, 3, 2]  # the last concert first, the venues interleaved

# Rockstore: 2.5 % × 60,000 = 1,500 €; × 50,000 = 1,250 €; × 40,000 = 1,000 €;
# accrued 1,500 + 1,250 + 1,000 = 3,750 € > cap 3,500 € → adjustment −250 €, fee 3,500 €.
ROCKSTORE = SoticketStructure(
    structure="Rockstore",
    events=[
        ("Rockstore mars", 6_000_000, 150_000),
        ("Rockstore juin", 5_000_000, 125_000),
        ("Rockstore octobre", 4_000_000, 100_000),
    ],
    accrued_cents=375_000,
    adjustment_cents=-25_000,
    fee_cents=350_000,
    floor_cents=57_500,
    cap_cents=350_000,
)
# Victoire 2: 2.5 % × 8,000 = 200 €; × 6,000 = 150 €; accrued 350 € < floor 575 €
# → adjustment +225 €, fee 575 €.
VICTOIRE = SoticketStructure(
    structure="Victoire 2",
    events=[("Victoire avril", 800_000, 20_000), ("Victoire septembre", 600_000, 15_000)],
    accrued_cents=35_000,
    adjustment_cents=22_500,
    fee_cents=57_500,
    floor_cents=57_500,
    cap_cents=350_000,
)


@pytest.fixture
def venues(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        for short_name in ("CCC", "Mamasound", "Rockstore", "Victoire 2"):
            add_organisation(session, short_name)
        for name, venue, first_day, _base in EVENTS:
            add_prestation(session, name, venue, first_day, first_day + dt.timedelta(days=1))
    yield db
    db.dispose()


def record_in(db: Database, order: list[int]) -> None:
    for index in order:
        name, _venue, _day, base = EVENTS[index]
        with db.session() as session:
            record(session, settle(session, name, scheme="soticket", turnover_cents=base))


@pytest.mark.parametrize("order", [CHRONOLOGICAL, SCRAMBLED], ids=["chronological", "scrambled"])
def test_each_venues_yearly_fee_is_within_floor_and_cap_whatever_the_recording_order(
    venues: Database, order: list[int]
) -> None:
    record_in(venues, order)
    with venues.session() as session:
        assert structures(session, 2026) == [ROCKSTORE, VICTOIRE]
        year = indicators(session, 2026)
    # owed for the year: 3,500 € (Rockstore, capped) + 575 € (Victoire 2, floor) = 4,075 €
    assert year.owed_cents == 407_500
    assert year.soticket_adjustment_cents == -25_000 + 22_500
    assert year.soticket_floor_topup_cents == 22_500


def test_one_venues_events_never_change_anothers_fee(venues: Database) -> None:
    record_in(venues, [1, 3])  # Victoire 2 alone
    with venues.session() as session:
        alone = structures(session, 2026)
    record_in(venues, [0, 2, 4])  # then Rockstore's three concerts
    with venues.session() as session:
        assert alone == [VICTOIRE] and structures(session, 2026) == [ROCKSTORE, VICTOIRE]


@pytest.mark.parametrize("order", [CHRONOLOGICAL, SCRAMBLED], ids=["chronological", "scrambled"])
def test_a_statement_shows_its_accrual_and_its_venues_year_so_far(
    venues: Database, order: list[int]
) -> None:
    record_in(venues, order)
    with venues.session() as session:
        june = settle(session, "Rockstore juin", scheme="soticket", turnover_cents=5_000_000)
    # its accrual: 2.5 % × 50,000 € = 1,250 €, never cut by the cap (the year's adjustment is)
    assert (june.share_cents, june.clamp) == (125_000, "")
    formula = " ".join(str(term) for term in june.formula)
    # so far: March 1,500 € + June 1,250 € = 2,750 €; the year: 3,750 €, −250 € to the cap
    assert (
        "Rockstore, année 2026 : cumul à ce jour 2750,00 €, cumul de l'année 3750,00 € ; "
        "ajustement de fin d'année -250,00 €"
    ) in formula
    assert "redevance de l'année 3500,00 €" in formula


def test_a_small_venue_pays_the_floor_and_a_big_one_the_cap(venues: Database) -> None:
    with venues.session() as session:
        # one small concert: 2.5 % × 2,000 € = 50 € → brought up to the floor, +525 €
        small = settle(session, "Victoire avril", scheme="soticket", turnover_cents=200_000)
        record(session, small)
        # one big season: 2.5 % × 200,000 € = 5,000 € → brought down to the cap, −1,500 €
        big = settle(session, "Rockstore mars", scheme="soticket", turnover_cents=20_000_000)
        record(session, big)
        found = {each.structure: each for each in structures(session, 2026)}
    assert (found["Victoire 2"].accrued_cents, found["Victoire 2"].adjustment_cents) == (
        5_000,
        52_500,
    )
    assert found["Victoire 2"].fee_cents == 57_500
    assert (found["Rockstore"].accrued_cents, found["Rockstore"].adjustment_cents) == (
        500_000,
        -150_000,
    )
    assert found["Rockstore"].fee_cents == 350_000

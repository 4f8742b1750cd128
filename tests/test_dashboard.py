"""The dashboard's snapshot on the demo festival: the figures a production office reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from regie import clock
from regie.dashboard import Stage, StripeKey, snapshot
from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def festival(db_url: str) -> Iterator[Database]:
    """The demo festival, and two Sunmi with 100 cards lent on 1 November, due on the 10th."""
    db = Database(db_url)
    db.upgrade()
    fill_demo(db)
    with db.session() as session, clock.frozen(at(dt.date(2026, 11, 1))):
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-001", "CCC-V2S-002"), (), (("Cartes NFC CCC", 100),)),
            due_on=dt.date(2026, 11, 10),
        )
    yield db
    db.dispose()


def test_after_the_festival_the_dashboard_shows_what_is_out_late_and_the_last_z(
    festival: Database,
) -> None:
    with festival.session() as session, clock.frozen(at(dt.date(2026, 11, 21))):
        snap = snapshot(session, check_stripe_key=False)
    assert snap.today == dt.date(2026, 11, 21)
    assert snap.prestation is not None
    # The demo is a season: on 21 November the Rockstore's last concert (27 November) is next
    assert snap.prestation.event.name == "Rockstore · Soirée rock 90"
    assert snap.prestation.stage is Stage.UPCOMING
    assert snap.equipment.items_out == 102  # two terminals and a hundred cards
    assert snap.equipment.open_loans == 1
    [late] = snap.equipment.overdue
    assert (late.borrower, late.due_on, late.days_late) == ("Mamasound", dt.date(2026, 11, 10), 11)
    assert snap.cards.total == 200 and snap.cards.encoded == 150
    assert snap.cards.lost_or_blocked == 1
    assert snap.cards.in_use == 0  # a concert ticketed on SoTicket: no cashless card
    assert snap.last_closure is not None
    # The last Z is MamaStock's own, after the Z of each till that sold at an event:
    # MamAfrica 2025 (3 bars + 2 desks + the event = 6), MamAfrica 2026 (4 + 2 + 1 = 7),
    # MamaStock 2026 (6 + 2 + 1 = 9): n° 6 + 7 + 9 = 22. Its grand total is the whole
    # MamaStock journal, unchanged: every line of it is now attributed to the festival.
    assert (snap.last_closure.number, snap.last_closure.scope) == (22, "event:MamaStock 2026")
    assert snap.last_closure.grand_total == 4_402_750
    assert len(snap.terminals) == 10 and all(t.last_seen is None for t in snap.terminals)
    assert snap.ledger.ok and snap.ledger.stripe_mismatches == 0
    assert snap.stripe_key is StripeKey.UNCHECKED
    # No sale today: the festival's last day of sales, said to be another day.
    money = snap.money
    assert money.day == dt.date(2026, 7, 13) and not money.is_today
    assert money.sales_cents == sum(h.sales_cents for h in money.hours) == 1_353_200
    assert money.sales_cents == sum(cents for _pos, cents in money.by_pos)
    assert money.topups_cents == sum(h.topups_cents for h in money.hours) == 668_000
    assert [h.hour for h in money.hours] == sorted(h.hour for h in money.hours)


def test_during_the_festival_it_shows_the_running_prestation_and_today(
    festival: Database,
) -> None:
    with festival.session() as session, clock.frozen(at(dt.date(2026, 7, 11))):
        snap = snapshot(session, check_stripe_key=False)
    assert snap.prestation is not None and snap.prestation.stage is Stage.RUNNING
    assert snap.money.day == dt.date(2026, 7, 11) and snap.money.is_today
    assert snap.money.sales_cents > 0 and len(snap.money.hours) == 24
    assert snap.cards.in_use == 899  # the wallets MamaStock's journal moves (of 900 numbers)
    assert not snap.equipment.overdue  # the November loan is not late yet


def test_before_any_prestation_the_next_one_is_shown_to_come(festival: Database) -> None:
    with festival.session() as session, clock.frozen(at(dt.date(2026, 5, 1))):
        snap = snapshot(session, check_stripe_key=False)
    assert snap.prestation is not None
    assert (snap.prestation.event.name, snap.prestation.stage) == ("MamAfrica 2026", Stage.UPCOMING)


def test_an_empty_database_gives_an_empty_dashboard_not_an_error(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        snap = snapshot(session, check_stripe_key=False)
    db.dispose()
    assert snap.prestation is None and snap.last_closure is None
    assert snap.money.day is None and snap.money.hours == []
    assert snap.equipment.items_out == 0 and snap.cards.total == 0
    assert snap.ledger.ok


class BrokenKeyring(KeyringBackend):
    """A system keyring that fails its own way (a dead D-Bus session, a locked wallet…)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("never chosen on its own: only set_keyring() puts it in place")

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


def test_a_broken_keyring_shows_as_no_keyring_and_the_rest_of_the_dashboard_stays(
    db_url: str,
) -> None:
    db = Database(db_url)
    db.upgrade()
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        with db.session() as session:
            assert snapshot(session).stripe_key == StripeKey.NO_KEYRING
    finally:
        keyring.set_keyring(previous)
        db.dispose()

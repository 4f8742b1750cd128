"""Card states, the lost-card procedure, the block list, staff cards, the monitor, returns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from regie.cards.batches import create_batch, generate_lines
from regie.cards.models import Card, CardEvent, CardState
from regie.cards.monitor import card_info
from regie.cards.returns import (
    declare_missing_lost,
    record_batch_returned,
    record_return,
    return_report,
)
from regie.cards.staff import check_staff_card, make_staff_card, revoke_staff_card
from regie.cards.states import block_card, block_list, change_state, replace_card, unblock_card
from regie.db import Database
from regie.errors import UserError
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.inventory.models import AssetCategory, AssetModel, StockLot, Tracking
from regie.models import Organisation, Prestation

JULY = dt.datetime(2026, 7, 11, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(db_url: str) -> Database:
    """Two batches of 20 cards in CCC's lot, all paired; a prestation for Mamasound."""
    database = Database(db_url)
    database.upgrade()
    with database.session() as session:
        ccc = Organisation(short_name="CCC", name="Coopérative Code Commun")
        mama = Organisation(short_name="Mamasound", name="Collectif Mamasound")
        category = AssetCategory(name="Cartes NFC")
        session.add_all([ccc, mama, category])
        session.flush()
        model = AssetModel(name="Carte NFC", category_id=category.id, tracking=Tracking.QUANTITY)
        session.add(model)
        session.flush()
        lot = StockLot(name="Cartes NFC CCC", model_id=model.id, owner_id=ccc.id, quantity=40)
        session.add(lot)
        session.add(
            Prestation(
                name="MamaStock 2026",
                client_id=mama.id,
                starts_on=dt.date(2026, 7, 10),
                ends_on=dt.date(2026, 7, 12),
            )
        )
        session.flush()
        for name in ("A", "B"):
            create_batch(
                session,
                generate_lines(20, "https://demo.example"),
                name=name,
                owner=ccc,
                lot=lot,
                source="t",
            )
        session.flush()
        for i, card in enumerate(session.scalars(select(Card).order_by(Card.id))):
            card.uid = f"04{i:06X}000000"
            card.tag_id = card.uid[:8]
    return database


def numbers(db: Database, batch_position: slice = slice(None)) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Card.number).order_by(Card.id)))[batch_position]


def test_block_needs_a_reason_keeps_history_and_fills_the_block_list(db: Database) -> None:
    first, second = numbers(db)[:2]
    with pytest.raises(UserError, match="raison"), db.session() as session:
        block_card(session, first, reason=" ")
    with db.session() as session:
        change = block_card(session, "04000000000000", reason="volée au bar", who="Léa")
    assert (change.number, change.before, change.after) == (first, "active", "blocked")
    with db.session() as session:
        entries = block_list(session)
        assert [(e.uid, e.number, e.state) for e in entries] == [
            ("04000000000000", first, CardState.BLOCKED)
        ]
        assert entries[0].since is not None
        with pytest.raises(UserError, match="déjà bloquée"):
            block_card(session, first, reason="encore")
    with db.session() as session:
        unblock_card(session, first, reason="retrouvée", who="Léa")
        change_state(session, second, CardState.DESTROYED, reason="cassée", who="Léa")
    with pytest.raises(UserError, match="ne peut pas devenir"), db.session() as session:
        change_state(session, second, CardState.ACTIVE, reason="?")
    with db.session() as session:
        history = card_info(session, first).history
        assert [(h.before, h.after, h.who, h.why) for h in history] == [
            ("blocked", "active", "Léa", "retrouvée"),
            ("active", "blocked", "Léa", "volée au bar"),
        ]
        assert [e.number for e in block_list(session)] == [second]


def test_lost_card_is_blocked_replaced_and_its_balance_moves_in_the_ledger(
    db: Database,
) -> None:
    from regie.ledger.desk import balances_of, cash_topup
    from regie.ledger.verify import verify

    old, new, third, fourth = numbers(db)[:4]
    with db.session() as session:
        done = replace_card(session, old, new, reason="perdue au camping", who="Léa")
    assert done.balances_moved == {}  # an empty card: nothing to move, and it says so
    assert (done.old_number, done.new_number) == (old, new)
    with db.session() as session:
        assert [e.number for e in block_list(session)] == [old]
        info = card_info(session, old)
        assert (info.state, info.replaced_by, info.balances) == (CardState.LOST, new, {})
        assert card_info(session, new).replaces == old
        with pytest.raises(UserError, match="déjà remplacée"):
            replace_card(session, old, third)
        with pytest.raises(UserError, match="remplace déjà"):
            replace_card(session, third, new)
        third_uid = card_info(session, third).uid
        fourth_uid = card_info(session, fourth).uid
        assert third_uid and fourth_uid
        cash_topup(session, third_uid, 1250)
        cash_topup(session, third_uid, 300, asset="GIFT")
    with db.session() as session:
        assert card_info(session, third).balances == {"GIFT": 300, "EUR": 1250}
        done = replace_card(session, third, fourth, who="Léa")
    assert done.balances_moved == {"GIFT": 300, "EUR": 1250}
    with db.session() as session:
        assert balances_of(session, third_uid) == {}
        assert card_info(session, fourth).balances == {"GIFT": 300, "EUR": 1250}
        assert verify(session).ok


def test_replacement_needs_a_paired_active_card(db: Database) -> None:
    old, new = numbers(db)[:2]
    with db.session() as session:
        session.execute(update(Card).where(Card.number == new).values(uid=None, tag_id=None))
    with pytest.raises(UserError, match="encodez-la"), db.session() as session:
        replace_card(session, old, new)
    with db.session() as session:  # the failed procedure changed nothing
        assert session.scalar(select(func.count()).select_from(CardEvent)) == 0


def test_staff_cards_are_checked_for_state_expiry_and_point_of_sale(db: Database) -> None:
    staff, manager, plain = numbers(db)[:3]
    with db.session() as session:
        make_staff_card(
            session,
            staff,
            person="Sam",
            points_of_sale=["Bar Nord", "Bar Sud"],
            expires_at=dt.datetime(2026, 7, 13, 6, 0, tzinfo=dt.UTC),
            who="Léa",
        )
        make_staff_card(session, manager, person="Camille", points_of_sale=["*"], manager=True)
    uid_staff, uid_manager, uid_plain = "04000000000000", "04000001000000", "04000002000000"
    with db.session() as session:
        ok = check_staff_card(session, uid_staff, "Bar Nord", JULY)
        assert ok.allowed and ok.person == "Sam" and not ok.manager
        assert check_staff_card(session, uid_manager, "Billetterie", JULY).manager
        refused = check_staff_card(session, uid_staff, "Billetterie", JULY)
        assert not refused.allowed and "non autorisé" in refused.reason
        late = check_staff_card(session, uid_staff, "Bar Nord", JULY + dt.timedelta(days=3))
        assert not late.allowed and "expirée le 13/07/2026" in late.reason
        assert "pas une carte staff" in check_staff_card(session, uid_plain, "Bar Nord").reason
        assert check_staff_card(session, "04FFFFFFFFFFFF", "Bar Nord").reason == "carte inconnue"
        block_card(session, manager, reason="perdue")
    with db.session() as session:
        blocked = check_staff_card(session, uid_manager, "Billetterie", JULY)
        assert not blocked.allowed and "bloquée" in blocked.reason
        revoke_staff_card(session, staff, reason="fin de contrat")
    with db.session() as session:
        assert "révoquée" in check_staff_card(session, uid_staff, "Bar Nord", JULY).reason
        assert card_info(session, plain).staff is None
        assert card_info(session, staff).staff is not None


def test_monitor_shows_batch_owner_lot_and_the_prestation_it_is_lent_to(db: Database) -> None:
    number = numbers(db)[0]
    with db.session() as session:
        info = card_info(session, number.lower())
        assert (info.batch, info.owner, info.lot, info.lent_to) == (
            "A",
            "CCC",
            "Cartes NFC CCC",
            [],
        )
        checkout(
            session,
            "Mamasound",
            Items(lots=(("Cartes NFC CCC", 40),)),
            due_on=dt.date(2099, 1, 1),
            prestation_name="MamaStock 2026",
        )
    with db.session() as session:
        by_uid = card_info(session, "04:00:00:00:00:00:00")
        assert by_uid.number == number
        assert by_uid.lent_to == ["MamaStock 2026"]
        with pytest.raises(UserError, match="aucune carte"):
            card_info(session, "ZZZZZZZZ")


def test_returns_are_counted_by_tap_and_by_batch_and_the_rest_declared_lost(
    db: Database,
) -> None:
    all_numbers = numbers(db)
    with db.session() as session:
        checkout(
            session,
            "Mamasound",
            Items(lots=(("Cartes NFC CCC", 40),)),
            due_on=dt.date(2099, 1, 1),
            prestation_name="MamaStock 2026",
        )
    with db.session() as session:
        tap = record_return(session, "MamaStock 2026", all_numbers[20])  # a card of batch B
        assert (tap.returned, tap.lent, tap.already) == (1, 40, False)
        assert record_return(session, "MamaStock 2026", all_numbers[20]).already
        assert record_batch_returned(session, "MamaStock 2026", "A") == 20
        for number in all_numbers[21:38]:
            record_return(session, "MamaStock 2026", number)
    with db.session() as session:
        report = return_report(session, "MamaStock 2026")
        assert (report.lent, report.returned, report.loaned_quantity) == (40, 38, 40)
        assert [m.number for m in report.missing] == all_numbers[38:]
        assert card_info(session, all_numbers[0]).state is CardState.RETURNED
        lost = declare_missing_lost(session, "MamaStock 2026", who="Léa")
    assert lost == all_numbers[38:]
    with db.session() as session:
        assert {e.number for e in block_list(session)} == set(all_numbers[38:])


def test_a_card_never_lent_cannot_be_returned(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="n'a pas été prêtée"), db.session() as session:
        record_return(session, "MamaStock 2026", numbers(db)[0])


def test_demo_cards_fill_once_with_a_lost_card_replaced_and_two_staff_cards(
    tmp_path: Path,
) -> None:
    from regie.cards.demo import DEMO_BATCH, DEMO_CARDS, fill_cards_demo
    from regie.cards.staff import staff_cards
    from regie.demo import fill_demo

    demo = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    demo.upgrade()
    fill_demo(demo)
    for _ in range(2):
        with demo.session() as session:
            fill_cards_demo(session)
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(Card)) == DEMO_CARDS
        lost = block_list(session)
        assert len(lost) == 1 and lost[0].state is CardState.LOST
        info = card_info(session, lost[0].number)
        assert info.batch == DEMO_BATCH and info.lot == "Cartes NFC CCC" and info.replaced_by
        assert len(staff_cards(session)) == 2

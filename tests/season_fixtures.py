"""A base holding two events and some money outside both, for every per-event figure.

Spring (« Printemps 2026 », 29–31 May) and Summer (« Été 2026 », 10–12 July), both served
for Mamasound. Cards: C1 (at both events and after them), C2 (Summer only).

Spring, 29–31 May (terminal CCC-V2S-001 lent to Spring from 27 May 09:00 UTC to 1 June
15:00 UTC, i.e. returned in the afternoon of the day after the last day):
  - CCC-V2S-001 @ Caisse Printemps, 30 May 21:00+02:00: top-up C1 5,000 cash
  - CCC-V2S-001 @ Bar Nord, 30 May 22:00+02:00: sale C1 1,200 « Bière 25cl » (20 %)
  - CCC-V2S-001 @ Bar Nord, 1 June 13:30+02:00: sale C1 800 « Bière 25cl » (after noon:
    only the terminal's loan says Spring)
  - SUNMI-INCONNU @ Bar Nord, 1 June 13:45+02:00: sale C1 500 « Bière 25cl » (a terminal
    nobody registered: Spring's terminals were still out, so still Spring's day)
  Spring: 3 sales, 1,200 + 800 + 500 = 2,500 ¢; top-ups 5,000 cash; cards: C1 → 1.
Summer, 10–12 July (CCC-V2S-002, registered as terminal CAISSE-B at Bar Sud, lent to Summer
8 July 09:00 UTC – 13 July 15:00 UTC):
  - CAISSE-B @ Bar Sud, 11 July 20:00+02:00: top-up C2 3,000 cash
  - CAISSE-B @ Bar Sud, 11 July 21:00+02:00: sale C2 900 « Limonade » (5.5 %)
  - SUNMI-PRET @ Bar Sud, 11 July 22:00+02:00: sale C1 700 « Limonade » (an unregistered
    terminal at Bar Sud, whose terminal is lent to Summer)
  - CAISSE-B @ Bar Sud, 11 July 22:30+02:00: sale C2 paid by bank card 400 « Limonade »
  Summer: cashless sales 900 + 700 = 1,600 ¢ (2 sales), bank-card sale 400 ¢; total sales
  2,000 ¢; top-ups 3,000 cash; cards: C1, C2 → 2.
Outside every event (« hors prestation »):
  - SUNMI-INCONNU @ Bar Nord, 15 Sept 20:00+02:00: sale C1 300 « Bière 25cl »
Balances: C1 5,000 − 1,200 − 800 − 500 − 700 − 300 = 1,500; C2 3,000 − 900 = 2,100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from regie import clock
from regie.db import Database
from regie.inventory.bookings import Items
from regie.inventory.loans import checkin, checkout
from regie.inventory.models import (
    Asset,
    AssetCategory,
    AssetModel,
    AssetStatus,
    Condition,
    Tracking,
)
from regie.ledger.journal_import import import_journals
from regie.ledger.models import PointOfSale
from regie.models import Organisation, Prestation
from regie.terminals.registry import register_terminal
from tests.ledger_fixtures import write_lines

SPRING, SUMMER = "Printemps 2026", "Été 2026"
C1, C2 = "04A1B2C3D4E5F6", "04AABBCCDDEEFF"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def entry(terminal: str, seq: int, at: str, op: str, pos: str, **fields: Any) -> dict[str, Any]:
    return {"v": 1, "terminal": terminal, "seq": seq, "at": at, "op": op, "pos": pos, **fields}


def sold(
    terminal: str,
    seq: int,
    at: str,
    pos: str,
    card: str,
    amount: int,
    product: str,
    vat: int,
    pay: str = "cashless",
) -> dict[str, Any]:
    lines = [{"product": product, "qty": 1, "unit": amount, "vat": vat}]
    fields: dict[str, Any] = {"amount": amount, "pay": pay, "lines": lines, "asset": "EUR"}
    if pay == "cashless":
        fields["card"] = card
    return entry(terminal, seq, at, "sale", pos, **fields)


def loaded(terminal: str, seq: int, at: str, pos: str, card: str, amount: int) -> dict[str, Any]:
    return entry(terminal, seq, at, "topup", pos, card=card, asset="EUR", amount=amount, pay="cash")


SPRING_LINES = [
    loaded("CCC-V2S-001", 1, "2026-05-30T21:00:00+02:00", "Caisse Printemps", C1, 5000),
    sold("CCC-V2S-001", 2, "2026-05-30T22:00:00+02:00", "Bar Nord", C1, 1200, "Bière 25cl", 2000),
    sold("CCC-V2S-001", 3, "2026-06-01T13:30:00+02:00", "Bar Nord", C1, 800, "Bière 25cl", 2000),
    sold("SUNMI-INCONNU", 1, "2026-06-01T13:45:00+02:00", "Bar Nord", C1, 500, "Bière 25cl", 2000),
]
SUMMER_LINES = [
    loaded("CAISSE-B", 1, "2026-07-11T20:00:00+02:00", "Bar Sud", C2, 3000),
    sold("CAISSE-B", 2, "2026-07-11T21:00:00+02:00", "Bar Sud", C2, 900, "Limonade", 550),
    sold("SUNMI-PRET", 1, "2026-07-11T22:00:00+02:00", "Bar Sud", C1, 700, "Limonade", 550),
    sold(
        "CAISSE-B", 3, "2026-07-11T22:30:00+02:00", "Bar Sud", C2, 400, "Limonade", 550, pay="card"
    ),
]
OUTSIDE_LINES = [
    sold("SUNMI-INCONNU", 2, "2026-09-15T20:00:00+02:00", "Bar Nord", C1, 300, "Bière 25cl", 2000),
]


def build_season(session: Session, tmp_path: Path) -> None:
    """The two events, their loans and terminals, and the journals above."""
    ccc = Organisation(short_name="CCC", name="Coopérative Code Commun")
    mamasound = Organisation(short_name="Mamasound", name="Collectif Mamasound")
    session.add_all([ccc, mamasound])
    session.flush()
    session.add_all(
        [
            Prestation(
                name=SPRING,
                client_id=mamasound.id,
                starts_on=dt.date(2026, 5, 29),
                ends_on=dt.date(2026, 5, 31),
                place="Montpellier",
            ),
            Prestation(
                name=SUMMER,
                client_id=mamasound.id,
                starts_on=dt.date(2026, 7, 10),
                ends_on=dt.date(2026, 7, 12),
                place="Montpellier",
            ),
        ]
    )
    category = AssetCategory(name="Caisses")
    session.add(category)
    session.flush()
    model = AssetModel(name="Sunmi V2s", category_id=category.id, tracking=Tracking.SERIAL)
    session.add(model)
    session.flush()
    for tag in ("CCC-V2S-001", "CCC-V2S-002"):
        session.add(
            Asset(tag=tag, model_id=model.id, owner_id=ccc.id, status=AssetStatus.AVAILABLE)
        )
    session.add(PointOfSale(name="Bar Sud"))
    session.flush()
    register_terminal(session, "CCC-V2S-002", name="CAISSE-B", pos="Bar Sud")
    with clock.frozen(utc(2026, 5, 27, 9)):
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-001",), (), ()),
            due_on=dt.date(2026, 6, 2),
            prestation_name=SPRING,
        )
    with clock.frozen(utc(2026, 6, 1, 15)):
        checkin(session, {"CCC-V2S-001": Condition.OK})
    with clock.frozen(utc(2026, 7, 8, 9)):
        checkout(
            session,
            "Mamasound",
            Items(("CCC-V2S-002",), (), ()),
            due_on=dt.date(2026, 7, 14),
            prestation_name=SUMMER,
        )
    with clock.frozen(utc(2026, 7, 13, 15)):
        checkin(session, {"CCC-V2S-002": Condition.OK})
    session.flush()
    path = write_lines(tmp_path / "season.jsonl", SPRING_LINES + SUMMER_LINES + OUTSIDE_LINES)
    import_journals(session, [path])


@pytest.fixture(name="season")
def season_base(db_url: str, tmp_path: Path) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        build_season(session, tmp_path)
    yield db
    db.dispose()

"""The demo festival's money: MamaStock 2026's terminal journal, imported and closed."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.ledger.closures import EVENT, close_z
from regie.ledger.journal_import import import_journals
from regie.ledger.models import PointOfSale, Product
from regie.ledger.simulate import CATEGORIES, Festival, write_journal
from regie.models import Organisation

MAMASTOCK = Festival(
    transactions=6000,
    cards=900,
    points_of_sale=6,
    seed=712,
    start=dt.datetime(2026, 7, 10, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
)


def fill_ledger_demo(session: Session) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mamastock-2026.jsonl"
        write_journal(MAMASTOCK, str(path))
        import_journals(session, [path])
    mamasound = session.scalars(
        select(Organisation.id).where(Organisation.short_name == "Mamasound")
    ).one()
    for pos in session.scalars(select(PointOfSale)):
        pos.organisation_id = mamasound
    for product in session.scalars(select(Product)):
        product.category = CATEGORIES.get(product.name, "")
    session.flush()
    closed_at = dt.datetime(2026, 7, 13, 4, 0, tzinfo=dt.UTC)
    for name in sorted(session.scalars(select(PointOfSale.name))):
        close_z(session, f"pos:{name}", period="event", now=closed_at)
    close_z(session, EVENT, period="event", now=closed_at)

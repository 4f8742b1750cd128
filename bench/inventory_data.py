"""A big inventory for benchmarks: 20,000 assets and 200 prestations, built in seconds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.models import Asset, AssetEvent, AssetModel, Loan, LoanLine, Location
from regie.models import Organisation, Prestation


def build(db: Database, assets: int = 20_000, prestations: int = 200) -> None:
    db.upgrade()
    fill_demo(db)
    with db.session() as session:
        owners = list(session.scalars(select(Organisation.id)))
        models = list(session.scalars(select(AssetModel.id)))
        depot = session.scalars(select(Location.id).where(Location.name == "Dépôt CCC")).one()
        start = dt.date(2025, 1, 1)
        session.execute(
            insert(Prestation),
            [
                {
                    "name": f"Festival {n:03d}",
                    "client_id": owners[n % len(owners)],
                    "starts_on": start + dt.timedelta(days=2 * n),
                    "ends_on": start + dt.timedelta(days=2 * n + 2),
                    "place": "",
                    "notes": "",
                }
                for n in range(prestations)
            ],
        )
        session.execute(
            insert(Asset),
            [
                {
                    "tag": f"BIG-{n:06d}",
                    "serial_number": f"SN{n:08d}",
                    "model_id": models[n % len(models)],
                    "owner_id": owners[n % len(owners)],
                    "purchase_date": start,
                    "purchase_cost_cents": 30000,
                    "currency": "EUR",
                    "amortisation_months": 36,
                    "salvage_value_cents": 0,
                    "status": "out" if n % 10 == 0 else "available",
                    "location_id": depot,
                    "notes": "",
                }
                for n in range(assets)
            ],
        )
        ids = dict(
            session.execute(select(Asset.tag, Asset.id).where(Asset.tag.like("BIG-%"))).all()
        )
        festivals = dict(
            session.execute(
                select(Prestation.name, Prestation.id).where(Prestation.name.like("Festival %"))
            ).all()
        )
        now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
        session.execute(
            insert(Loan),
            [
                {
                    "borrower_id": owners[1],
                    "prestation_id": festivals[f"Festival {n:03d}"],
                    "out_at": now,
                    "due_on": dt.date(2026, 7, 10),
                    "notes": "",
                }
                for n in range(prestations)
            ],
        )
        loans = list(session.scalars(select(Loan.id).order_by(Loan.id)))[-prestations:]
        session.execute(
            insert(LoanLine),
            [
                {
                    "loan_id": loans[(n // 10) % prestations],
                    "asset_id": ids[f"BIG-{n:06d}"],
                    "quantity_out": 1,
                    "quantity_back": 0,
                }
                for n in range(0, assets, 10)
            ],
        )
        session.execute(
            insert(AssetEvent),
            [
                {"asset_id": asset_id, "at": now, "kind": "imported", "detail": ""}
                for asset_id in ids.values()
            ],
        )

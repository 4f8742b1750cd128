"""Shared set-up for the inventory tests: a demo database on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.models import Asset, AssetStatus, Loan


@pytest.fixture
def demo(db_url: str) -> Iterator[Database]:
    """The demo festival (convention equipment, two past prestations) on SQLite and PostgreSQL."""
    db = Database(db_url)
    db.upgrade()
    fill_demo(db)
    yield db
    db.dispose()


def status_of(session: Session, tag: str) -> AssetStatus:
    return session.scalars(select(Asset.status).where(Asset.tag == tag)).one()


def loan_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Loan)) or 0

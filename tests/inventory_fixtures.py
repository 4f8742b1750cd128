"""Shared set-up for the inventory tests: a demo database on each backend."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.models import Asset, AssetStatus, Loan

# The demo, built once per test process and backend by the real `fill_demo`, then copied for
# each test (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL): the season demo
# takes seconds to play, and a hundred tests start from it on both backends.
_templates: dict[str, str] = {}


def _sqlite_template(factory: pytest.TempPathFactory) -> str:
    if "sqlite" not in _templates:
        path = factory.mktemp("demo-template") / "demo.sqlite3"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        fill_demo(db)
        db.dispose()  # the last connection checkpoints the WAL: one self-contained file
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _postgres_copy(cluster: Any) -> str:
    if "postgresql" not in _templates:
        name = f"regie_demo_{uuid.uuid4().hex[:8]}"
        db = Database(cluster.create_database(name))
        db.upgrade()
        fill_demo(db)
        db.dispose()  # a template database must have no connection left
        _templates["postgresql"] = name
    return copy_database(cluster, _templates["postgresql"])


def copy_database(cluster: Any, template: str) -> str:
    """A new PostgreSQL database copied from ``template`` (which no one may be connected to)."""
    copy = f"regie_{uuid.uuid4().hex[:12]}"
    with cluster.connect_admin() as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    return f"postgresql+psycopg://{cluster.user}@{cluster.host}:{cluster.port}/{copy}"


@pytest.fixture
def demo(request: pytest.FixtureRequest, db_url: str) -> Iterator[Database]:
    """The demo season (convention equipment, its prestations and journals) on SQLite and
    PostgreSQL, a fresh copy for each test."""
    if db_url.startswith("sqlite"):
        target = db_url.removeprefix("sqlite:///")
        shutil.copyfile(_sqlite_template(request.getfixturevalue("tmp_path_factory")), target)
        db = Database(db_url)
    else:
        db = Database(_postgres_copy(request.getfixturevalue("postgres")))
    yield db
    db.dispose()


def status_of(session: Session, tag: str) -> AssetStatus:
    return session.scalars(select(Asset.status).where(Asset.tag == tag)).one()


def loan_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Loan)) or 0

"""The wallet view follows a real (virtual) card laid on a real reader through pcscd."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, or_, select

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.pcsc import PcscBackend
from regie.ledger.models import Account, Balance, LedgerAsset, Transfer
from tests.rig.vcard import VirtualCard
from tests.test_gui_ledger_support import copy_of, demo_template, idle, open_page, shoot

pytestmark = pytest.mark.gui


@pytest.fixture
def festival(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Database]:
    db = copy_of(demo_template(tmp_path_factory), tmp_path)
    yield db
    db.dispose()


def richest_card(db: Database) -> tuple[str, dict[str, int], int]:
    """A demo card holding two assets: its UID, balances and number of transfers."""
    with db.session() as session:
        holders = (
            select(Balance.account_id)
            .where(Balance.amount > 0)
            .group_by(Balance.account_id)
            .having(func.count() >= 2)
        )
        account_id, name = session.execute(
            select(Account.id, Account.name)
            .where(Account.kind == "wallet", Account.id.in_(holders))
            .order_by(Account.name)
            .limit(1)
        ).one()
        balances = dict(
            session.execute(
                select(LedgerAsset.code, Balance.amount)
                .join(Balance, Balance.asset_id == LedgerAsset.id)
                .where(Balance.account_id == account_id, Balance.amount != 0)
            ).all()
        )
        transfers = session.scalar(
            select(func.count()).where(
                or_(Transfer.debit_id == account_id, Transfer.credit_id == account_id)
            )
        )
    return name.removeprefix("wallet:"), balances, int(transfers or 0)


def test_the_wallet_follows_a_real_card_laid_on_the_reader(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    festival: Database,
    pcscd: object,
    artifacts: Path,
) -> None:
    uid, balances, transfers = richest_card(festival)
    assert len(uid) == 14 and len(balances) >= 2
    devices = DeviceManager([PcscBackend()], loop=qt_loop)
    devices.start()
    try:
        page = open_page(qtbot, festival, devices)
        page.show_screen(page.wallet)
        screen = page.wallet
        assert screen.heading.text() == "Aucune carte"
        qtbot.waitUntil(lambda: "Virtual PCD 00 00" in devices.state.readers, timeout=5000)
        with VirtualCard(kind="ntag215", uid=bytes.fromhex(uid), port=35963):
            qtbot.waitUntil(lambda: screen.uid == uid, timeout=5000)
            idle(qtbot, screen.model)
            assert screen.heading.text() == f"Carte {uid}"
            assert screen.uid_field.text() == uid
            assert screen.balances == balances
            tiles = [screen.tiles.itemAt(n).widget() for n in range(screen.tiles.count())]
            assert [tile.objectName() for tile in tiles] == [f"walletBalance-{c}" for c in balances]
            assert screen.model.total == transfers
            newest = screen.model.row_at(0)
            oldest = screen.model.row_at(transfers - 1)
            assert newest is not None and oldest is not None and newest.id > oldest.id
            assert screen.history_title.text() == (
                f"Ses opérations, les plus récentes en haut ({transfers})"
            )
            shoot(page, artifacts, "wallet")
        # A card the festival never saw: no balance, no history.
        with VirtualCard(kind="ntag215", uid=bytes.fromhex("04AABBCCDDEE01"), port=35963):
            qtbot.waitUntil(lambda: screen.uid == "04AABBCCDDEE01", timeout=5000)
            idle(qtbot, screen.model)
            assert screen.balances == {} and screen.model.total == 0
            assert screen.history_title.text() == "Aucune opération enregistrée pour cette carte."
        # Elsewhere in Régie, a card on the reader does not change the wallet view.
        page.show_screen(page.journal)
        with VirtualCard(kind="ntag215", uid=bytes.fromhex(uid), port=35963):
            reader = devices.state.readers["Virtual PCD 00 00"]
            qtbot.waitUntil(lambda: reader.card_present, timeout=5000)  # listeners were told
            # Past pcscd's next presence poll: a card lifted at once left reader 0 unpowered
            # for the next module's cards (tests/test_vcard.py).
            qtbot.wait(500)
            assert screen.uid == "04AABBCCDDEE01"
    finally:
        devices.stop()


def test_a_typed_uid_shows_the_same_wallet(qtbot: QtBot, festival: Database) -> None:
    uid, balances, transfers = richest_card(festival)
    page = open_page(qtbot, festival)
    page.show_screen(page.wallet)
    screen = page.wallet
    qtbot.keyClicks(screen.uid_field, uid.lower())
    qtbot.keyClick(screen.uid_field, Qt.Key.Key_Return)
    idle(qtbot, screen.model)
    assert screen.heading.text() == f"Carte {uid}"
    assert screen.balances == balances and screen.model.total == transfers

"""The demo season's terminals: the convention's Sunmi, named by their inventory tags, each at
its point of sale with a menu, every bundle buildable; filling twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from regie.db import Database
from regie.demo import fill_demo
from regie.terminals.bundle import prepare_config
from regie.terminals.demo import fill_terminals_demo
from regie.terminals.models import MenuItem, Terminal
from regie.terminals.registry import list_terminals


def test_the_demo_registers_ten_sunmi_by_their_tags_with_their_menus(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    db.upgrade()
    fill_demo(db)
    with db.session() as session:
        fill_terminals_demo(session)
    with db.session() as session:
        fill_terminals_demo(session)  # once only
        terminals = list_terminals(session)
        items = session.scalar(select(func.count()).select_from(MenuItem))
        bundles = {t.name: prepare_config(session, t.name).data for t in terminals}
        # six bars and two desks at MamaStock (D3M), plus the two V2s desks of MamAfrica
        assert session.scalar(select(func.count()).select_from(Terminal)) == 10
    db.dispose()
    assert [(t.name, t.asset_tag, t.pos) for t in terminals][:3] == [
        ("CCC-D3M-001", "CCC-D3M-001", "Caisse centrale"),
        ("CCC-D3M-002", "CCC-D3M-002", "Caisse entrée"),
        ("CCC-V2S-001", "CCC-V2S-001", "Bar Nord"),
    ]
    assert items == 32
    assert {t.name: t.printer_width for t in terminals}["CCC-D3M-001"] == 48  # 80 mm
    bar = bundles["CCC-V2S-001"]
    assert bar["event"] == "MamaStock 2026" and bar["wifi"]["ssid"] == "MamaStock-Caisses"
    assert [p["name"] for p in bar["products"]][:2] == ["Bière 25cl", "Bière 50cl"]
    assert bar["server"]["pin"] == "137911"  # stable across runs: stable screenshots

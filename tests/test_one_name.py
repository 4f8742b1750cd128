"""One name per device: a terminal of the demo is called by its inventory tag (CCC-V2S-001) in
the inventory, in the terminals' fleet, in the journal and in the exports, with its model
beside it where the fleet has room."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from regie.cli import main
from regie.db import Database
from regie.inventory.assets import list_assets
from regie.ledger.browse import JournalFilter, journal_index, journal_page
from regie.terminals.registry import list_terminals


def test_a_terminal_has_one_name_in_the_inventory_the_fleet_the_journal_and_the_export(
    demo: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with demo.session() as session:
        inventory = {row.tag: row.model for row in list_assets(session)}
        fleet = list_terminals(session)
        page = journal_page(session, JournalFilter(), journal_index(session, JournalFilter()), 0)
    names = {terminal.name for terminal in fleet}
    assert len(fleet) == 10
    for terminal in fleet:
        # the fleet calls it by the sticker's tag, the model as the inventory has it
        assert terminal.name == terminal.asset_tag, terminal
        assert terminal.model == inventory[terminal.name] != ""
    capsys.readouterr()
    assert main(["ledger", "journal", "--limit", "0", "--db", demo.url]) == 0
    journal = {line.split()[3] for line in capsys.readouterr().out.splitlines()[1:]}
    export = tmp_path / "journal.csv"
    assert (
        main(["ledger", "export", "--format", "csv", "--out", str(export), "--db", demo.url]) == 0
    )
    with export.open(newline="") as handle:
        exported = {row["source"] for row in csv.DictReader(handle)}
    # every line comes from a terminal of the fleet, by its one name, or from Régie itself
    # (the demo's closures and melting)
    assert journal == exported == names | {"Régie"}
    assert "CCC-V2S-001" in names and inventory["CCC-V2S-001"].startswith("Sunmi")
    # the journal screen's lines carry the model, shown beside the name (the cell's tooltip)
    assert {(row.source, row.model) for row in page} <= {
        *((name, inventory[name]) for name in names),
        ("Régie", ""),
    }
    assert any(row.model for row in page)

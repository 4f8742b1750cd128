"""Change notices: every write of an operation is known, with its entities and ids, on SQLite
and PostgreSQL, without the operation saying anything (the unit of work does)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select, text, update

from regie.changed import EVERYTHING, NOTHING, Changes, recording, take_unrecorded
from regie.db import Database
from regie.ledger.journal_import import import_journals
from regie.ledger.models import LedgerHead, Transfer
from regie.models import Organisation
from tests.ledger_fixtures import festival_file


def add_organisations(ledger: Database, *names: str) -> list[int]:
    with ledger.session() as session:
        rows = [Organisation(short_name=name, name=f"Collectif {name}") for name in names]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_orm_inserts_updates_and_deletes_are_known_with_their_ids(ledger: Database) -> None:
    with recording() as pot:
        made = add_organisations(ledger, "Mamasound", "CCC")
    inserted = pot.changes()
    assert inserted.entities == {"organisation"}
    assert [i for span in inserted.ids_of("organisation") for i in span] == sorted(made)

    with recording() as pot, ledger.session() as session:
        session.get_one(Organisation, made[1]).name = "Coopérative Code Commun"
        session.delete(session.get_one(Organisation, made[0]))
    edited = pot.changes()
    assert edited.entities == {"organisation"}
    assert [i for span in edited.ids_of("organisation") for i in span] == sorted(made)


def test_reading_changes_nothing(ledger: Database) -> None:
    add_organisations(ledger, "Mamasound")
    with recording() as pot, ledger.session() as session:
        row = session.scalars(select(Organisation)).one()
        row.name = row.name  # the same value: not a change
        session.execute(select(func.count()).select_from(Transfer)).scalar_one()
    assert pot.changes() == NOTHING and not pot.changes()


def test_bulk_and_textual_writes_name_their_table_without_ids(ledger: Database) -> None:
    add_organisations(ledger, "Mamasound")
    with recording() as pot, ledger.session() as session:
        session.execute(update(Organisation).values(name="Collectif"))
        session.execute(text("UPDATE ledger_head SET id = id WHERE id = 1"))
    changes = pot.changes()
    assert changes.entities == {"organisation", "ledger_head"}
    assert changes.ids_of("organisation") == ()


def test_an_import_reports_the_transfer_ids_it_posted(ledger: Database, tmp_path: Path) -> None:
    with ledger.session() as session:
        before = session.get_one(LedgerHead, 1).last_transfer_id
    with recording() as pot, ledger.session() as session:
        result = import_journals(session, [festival_file(tmp_path, 300, 50)])
    changes = pot.changes()
    assert {"transfer", "balance", "account", "sales_summary"} <= changes.entities
    assert changes.ids_of("transfer") == (range(before + 1, before + result.transfers + 1),)
    assert changes.lowest_id("transfer") == before + 1
    assert not changes.concerns({"card", "invoice"})


def test_writes_outside_a_recording_wait_for_the_window_and_not_inside_one(
    ledger: Database,
) -> None:
    take_unrecorded()  # what earlier tests of this process left
    made = add_organisations(ledger, "Mamasound")
    with recording() as pot:
        add_organisations(ledger, "CCC")
    assert take_unrecorded().ids_of("organisation") == (range(made[0], made[0] + 1),)
    assert take_unrecorded() == NOTHING
    assert pot.changes().entities == {"organisation"}


def test_a_recording_belongs_to_its_thread(ledger: Database) -> None:
    """A window task records its own writes, not those of the GUI thread at the same time."""
    take_unrecorded()
    inside = threading.Event()
    carry_on = threading.Event()
    seen: list[Changes] = []

    def task() -> None:
        with recording() as pot:
            inside.set()
            carry_on.wait(10)
            add_organisations(ledger, "CCC")
        seen.append(pot.changes())

    worker = threading.Thread(target=task)
    worker.start()
    assert inside.wait(10)
    add_organisations(ledger, "Mamasound")  # meanwhile, elsewhere
    carry_on.set()
    worker.join(10)
    with ledger.session() as session:
        ids = dict(session.execute(select(Organisation.short_name, Organisation.id)).all())
    assert seen[0].ids_of("organisation") == (range(ids["CCC"], ids["CCC"] + 1),)
    assert take_unrecorded().ids_of("organisation") == (
        range(ids["Mamasound"], ids["Mamasound"] + 1),
    )


def test_changes_merge_and_say_what_concerns_a_screen() -> None:
    cards = Changes(entities=frozenset({"card"}), ids={"card": (range(1, 3),)})
    more = Changes(entities=frozenset({"card", "card_event"}), ids={"card": (range(3, 5),)})
    merged = cards.merged(more)
    assert merged.entities == {"card", "card_event"}
    assert merged.ids_of("card") == (range(1, 5),)
    assert merged.concerns({"card_event", "invoice"}) and not merged.concerns({"invoice"})
    assert EVERYTHING.concerns({"invoice"}) and not NOTHING.concerns({"invoice"})
    assert not NOTHING and EVERYTHING

"""The import at the machine's floor writes the ledger the desk's path would write: a bench
festival of two events imported, and the same entries posted one by one through the one
writer, give the same rows table for table, the same caches and the same chain head. Its
foreign keys, checked once per import on SQLite, are checked, and on again afterwards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from regie.db import Database
from regie.ledger.entries import Entry
from regie.ledger.journal_checks import BrokenKeys, check_new_rows
from regie.ledger.journal_import import import_journals
from regie.ledger.journal_lines import read_lines, to_entry
from regie.ledger.journal_mapper import MAPPER_ENV, NO_SIGNATURES
from regie.ledger.journal_messages import INSERT
from regie.ledger.journal_parent import post_through
from regie.ledger.journal_seen import TerminalSeen
from regie.ledger.journal_trust import line_rules
from regie.ledger.posting import UNSEALED_COLUMNS, Writer
from regie.ledger.simulate import Festival, write_journal
from regie.ledger.verify import verify
from regie.models import Organisation, Prestation

TABLES = (
    "transfer",
    "account",
    "ledger_source",
    "pos",
    "balance",
    "sales_summary",
    "product",
    "ledger_head",
)
HEAD = "last_transfer_id, last_hash, next_desk_seq, content_from"
SUMMER = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
AUTUMN = dt.datetime(2026, 9, 18, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.fixture(scope="module")
def journals(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two events of the same terminals (their numbering goes on), voids and splits in both."""
    folder = tmp_path_factory.mktemp("festival")
    after: dict[str, int] = {}
    paths = []
    for name, start, seed in (("summer", SUMMER, 1), ("autumn", AUTUMN, 2)):
        path = folder / f"{name}.jsonl"
        spec = Festival(transactions=700, cards=100, seed=seed, start=start, days=2)
        write_journal(spec, str(path), after)
        paths.append(path)
    return paths


def base(tmp_path: Path, name: str) -> Database:
    db = Database(f"sqlite:///{tmp_path / name}")
    db.upgrade()
    with db.session() as session:
        client = Organisation(short_name="Mamasound", name="Collectif Mamasound")
        session.add(client)
        session.flush()
        for event, start in (("Été", SUMMER), ("Automne", AUTUMN)):
            first = start.date()
            session.add(
                Prestation(
                    name=event,
                    client_id=client.id,
                    starts_on=first,
                    ends_on=first.replace(day=first.day + 1),
                )
            )
    return db


def tables(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT {what} FROM {table}"))]
            for table in TABLES
            # each base has its own identity; the head is the rest of the row
            for what in [HEAD if table == "ledger_head" else "*"]
        }


def posted_one_by_one(db: Database, paths: list[Path]) -> None:
    """The desk's path: each line's entry through ``Writer.post`` (its own checks)."""
    with db.session() as session:
        writer = Writer(session)
        entries: dict[tuple[str, int], Entry] = {}
        for path in paths:
            for _number, raw in read_lines(path):
                entry = to_entry(orjson.loads(raw), lambda t, seq: entries[(t, seq)])
                writer.post(entry)
                entries[(entry.source, entry.seq or 0)] = entry
        writer.flush()


@pytest.mark.parametrize("poster", ["inline", "process"])
def test_the_import_writes_the_ledger_the_writer_writes_entry_by_entry(
    journals: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poster: str
) -> None:
    monkeypatch.setenv(MAPPER_ENV, poster)  # one process, or a second that posts
    imported, posted = base(tmp_path, "imported.sqlite3"), base(tmp_path, "posted.sqlite3")
    with imported.session() as session:
        result = import_journals(session, journals)
    posted_one_by_one(posted, journals)
    ours, theirs = tables(imported), tables(posted)
    lines = sum(len(path.read_bytes().splitlines()) for path in journals)
    assert result.lines == result.imported == lines > 1300
    for table in TABLES:
        assert ours[table] == theirs[table], table
    with imported.engine.connect() as connection:
        events = dict(
            connection.execute(
                text("SELECT event_id, count(*) FROM transfer GROUP BY event_id")
            ).all()
        )
    assert events[1] > 300 and events[2] > 300  # both events hold their sales
    assert sum(row[5] == "void" for row in ours["transfer"]) > 5  # voids, cancelled whole
    with imported.session() as session:
        assert verify(session).ok
    imported.dispose()
    posted.dispose()


def test_foreign_keys_are_on_again_after_an_import_and_a_broken_row_is_caught(
    journals: list[Path], tmp_path: Path
) -> None:
    db = base(tmp_path, "keys.sqlite3")
    with db.session() as session:
        import_journals(session, journals[:1])
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        last = connection.execute(text("SELECT max(id) FROM transfer")).scalar_one()
    with db.session() as session:
        session.execute(text("PRAGMA foreign_keys=OFF"))  # not within a transaction: taken
        session.execute(
            text(
                "INSERT INTO transfer (id, link_id, source_id, seq, leg, op, method, at, "
                "tz_minutes, debit_id, credit_id, asset_id, amount, details, hash) SELECT "
                "id + 1, id + 1, source_id, seq + 100000, 0, op, method, at, tz_minutes, "
                "debit_id, 999999, asset_id, amount, '', hash FROM transfer WHERE id = :last"
            ),
            {"last": last},
        )
        check_new_rows(session, last + 2)  # nothing to say of the rows after it
        with pytest.raises(BrokenKeys, match=f"transfer n°{last + 1}.credit_id"):
            check_new_rows(session, 1)
        session.rollback()
    db.dispose()


def test_the_lean_map_finds_lines_that_came_out_of_order() -> None:
    seen = TerminalSeen()
    for seq, first_id in ((1, 10), (2, 11), (5, 14), (3, 12), (9, 20), (4, 13)):
        seen.add(seq, first_id)
    assert list(seen.seqs) == [1, 2, 3, 4, 5, 9]
    assert [seen.first_id(seq) for seq in range(11)] == [
        None, 10, 11, 12, 13, 14, None, None, None, 20, None,
    ]  # fmt: skip
    assert seen.seqs.itemsize == seen.first_ids.itemsize == 8  # 16 bytes a line


def test_sales_hours_on_a_half_hour_clock_are_those_the_writer_gives(tmp_path: Path) -> None:
    # A terminal at +05:30: its local hours do not start on a UTC hour (the tight loop caches
    # the sales' hours: by the hour on the terminal's clock, not by the UTC one).
    start = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    path = tmp_path / "kolkata.jsonl"
    write_journal(Festival(transactions=600, cards=80, seed=3, start=start, days=1), str(path))
    assert b"+05:30" in path.read_bytes()
    imported, posted = base(tmp_path, "imported.sqlite3"), base(tmp_path, "posted.sqlite3")
    with imported.session() as session:
        import_journals(session, [path])
    posted_one_by_one(posted, [path])
    ours, theirs = tables(imported), tables(posted)
    assert ours["sales_summary"] == theirs["sales_summary"]
    # 16:00 at +05:30 is 10:30 UTC: the first sales fall in the terminal's 16 h, not 15 h.
    assert min(str(row[4]) for row in ours["sales_summary"]).endswith("T16")
    imported.dispose()
    posted.dispose()


class FakeChild:
    """The importer's side of the pipe, fed by hand: what a child with a defect would send."""

    def __init__(self, messages: list[tuple[object, ...]]) -> None:
        self.messages = messages

    def give(self, *_given: object) -> bool:
        return True

    def receive(self) -> tuple[object, ...] | None:
        return self.messages.pop(0) if self.messages else None

    def reply(self, _value: object) -> None:
        raise AssertionError("nothing to ask here")

    def done(self) -> None:
        pass


@pytest.mark.parametrize(
    ("column", "value"), [("credit_id", 999_999), ("asset_id", 77), ("event_id", 99)]
)
def test_a_row_a_child_sends_pointing_at_nothing_is_refused_before_it_is_written(
    journals: list[Path], tmp_path: Path, column: str, value: int
) -> None:
    # The importer reads each row's ids back as names to seal it: an id the base does not hold
    # has none (and an event must be one of the base's), so the import is refused whole.
    db = base(tmp_path, "sealed.sqlite3")
    with db.session() as session:
        import_journals(session, journals[:1])
    with db.engine.connect() as connection:
        row = dict(
            connection.execute(text("SELECT * FROM transfer ORDER BY id DESC LIMIT 1"))
            .mappings()
            .one()
        )
    row.update(id=row["id"] + 1, link_id=row["id"] + 1, seq=row["seq"] + 100_000)
    good = tuple(row[name] for name in UNSEALED_COLUMNS)
    row[column] = value
    bad = tuple(row[name] for name in UNSEALED_COLUMNS)
    with db.session() as session:
        writer = Writer(session, preload=True)
        rules = line_rules(session, None)
        sent = [(INSERT, "transfer", UNSEALED_COLUMNS, [good])]
        done = post_through(FakeChild(sent), session, writer, rules, NO_SIGNATURES, [], None)
        assert done is None  # the fake child ends without a word: its frame was written
        sent = [(INSERT, "transfer", UNSEALED_COLUMNS, [bad])]
        with pytest.raises(BrokenKeys, match=f"transfer n°{row['id']}.{column}"):
            post_through(FakeChild(sent), session, writer, rules, NO_SIGNATURES, [], None)
        session.rollback()
    db.dispose()

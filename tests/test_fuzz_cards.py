"""Fuzzing the card factory file (TiBillet CSV): whatever it holds, the batch is imported whole
or refused with each bad line's file, line and field, and no card of it is left behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from regie.cards.batches import ImportRejected, import_factory_csv
from regie.cards.models import Card
from regie.db import Database
from regie.errors import UserError
from tests.fuzz_support import NASTY_TEXTS, cases, fuzz_settings, is_clear, rows
from tests.test_cards_batches import setup_db


@st.composite
def factory_row(draw: st.DrawFn) -> str:
    """A good line (url, number, UID), maybe with one cell changed, added or dropped."""
    qr = draw(st.uuids())
    uid = "04" + draw(st.binary(min_size=6, max_size=6)).hex().upper()
    cells = [f"https://demo.example/qr/{qr}", qr.hex[:8].upper(), uid]
    change = draw(st.integers(min_value=0, max_value=4))
    if change < 3:
        cells[change] = draw(NASTY_TEXTS | st.sampled_from(['"', "http://[::1/qr/", "1E10"]))
    elif change == 3:
        cells.append(draw(NASTY_TEXTS))
    return ",".join(cells)


FILES = st.lists(
    st.one_of(factory_row(), factory_row(), st.text(max_size=40)), min_size=1, max_size=4
).map(lambda rows: "\n".join(rows).encode("utf-8", "surrogatepass")) | st.binary(max_size=60)


@pytest.fixture
def cards_base(db_url: str) -> Iterator[Database]:
    db = setup_db(db_url)
    yield db
    db.dispose()


def test_a_factory_file_is_imported_whole_or_refused_line_by_line(
    cards_base: Database, tmp_path: Path
) -> None:
    examples = cases(cards_base, 60)

    @fuzz_settings(examples)
    @given(content=FILES)
    @example(content=b"https://demo.example/qr/" + b"a" * 500 + b",AAAAAAAA,")
    @example(content=b"http://[::1/qr/,AAAAAAAA,")
    @example(content=b'"' + b"x" * 140_000 + b'"')
    @example(content=b"https://demo.example/qr/\x00,AAAAAAAA,")
    def one_file(content: bytes) -> None:
        path = tmp_path / "usine.csv"
        path.write_bytes(content)
        before = rows(cards_base, Card)
        try:
            with cards_base.session() as session:
                import_factory_csv(session, path, owner="CCC")
        except ImportRejected as rejected:
            assert rejected.errors
            for error in rejected.errors:
                assert (error.file, error.line >= 1) == (str(path), True)
                assert error.field and error.message
            assert rows(cards_base, Card) == before
        except UserError as refused:  # not UTF-8: the file is named
            assert is_clear(refused) and str(path) in str(refused)
            assert rows(cards_base, Card) == before

    one_file()

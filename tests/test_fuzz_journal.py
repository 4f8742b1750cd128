"""Fuzzing the terminal journal: random lines, random fields, random bytes. Whatever a file
holds, the import ends with the lines imported or with every problem named by file, line and
field, and nothing of a rejected file in the ledger."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from regie.db import Database
from regie.ledger.closures import x_report
from regie.ledger.journal_import import JournalRejected, import_journals
from regie.ledger.journal_lines import COUNTS, TEXT_CAPS, BadLine, to_entry
from regie.ledger.models import LedgerAsset, PointOfSale, Product, Source, Transfer
from regie.ledger.reports import totals_by_asset
from regie.limits import MAX_CENTS, length_of
from tests.fuzz_support import EDGE_INTS, INTS, JSON_VALUES, NASTY_TEXTS, cases, fuzz_settings, rows
from tests.ledger_fixtures import sale, topup

CARD = "04A1B2C3D4E5F6"
FIELDS = ("v", "terminal", "seq", "at", "op", "pos", "asset", "amount", "pay", "card", "lines")


def test_the_text_caps_are_the_columns_lengths() -> None:
    columns = {
        "terminal": Source.name,
        "pos": PointOfSale.name,
        "asset": LedgerAsset.code,
        "product": Product.name,
    }
    assert {name: TEXT_CAPS[name] for name in columns} == {
        name: length_of(column) for name, column in columns.items()
    }
    assert max(COUNTS.values()) < 2**53 and MAX_CENTS < 2**53


@st.composite
def journal_line(draw: st.DrawFn) -> dict[str, Any]:
    """A good top-up or sale with one to three fields changed, added or dropped."""
    seq = draw(st.integers(min_value=1, max_value=50))
    amount = draw(st.integers(min_value=1, max_value=5000))
    data = topup(seq, CARD, amount) if draw(st.booleans()) else sale(seq, CARD, amount)
    for _change in range(draw(st.integers(min_value=1, max_value=2))):
        name = draw(st.sampled_from((*FIELDS, "")))
        name = name or draw(NASTY_TEXTS)  # a field no terminal writes
        if draw(st.integers(min_value=0, max_value=7)) == 0:
            data.pop(name, None)
        elif name == "lines":
            item = {"product": "Bière", "qty": 1, "unit": amount, "vat": 2000}
            item[draw(st.sampled_from(sorted(item)))] = draw(VALUES)
            data["lines"] = [item] * draw(st.sampled_from([1, 2, 1001]))
        else:
            data[name] = draw(VALUES)
    return data


VALUES = st.one_of(EDGE_INTS, INTS, NASTY_TEXTS, JSON_VALUES)


def raw_line(data: dict[str, Any]) -> bytes:
    # The stdlib writes what orjson would refuse to: NaN, 2^70, lone surrogates (escaped).
    return json.dumps(data).encode()


@fuzz_settings(400)
@given(data=journal_line())
def test_a_line_is_an_entry_or_a_bad_line_naming_its_field(data: dict[str, Any]) -> None:
    try:
        entry = to_entry(data, lambda _terminal, _seq: None)
    except BadLine as error:
        assert error.field and str(error)
        return
    for debit, credit, asset, amount in entry.legs:
        assert 0 < amount <= MAX_CENTS
        assert len(asset) <= TEXT_CAPS["asset"] and max(len(debit), len(credit)) <= 120
    for text, cap in ((entry.source, "terminal"), (entry.pos or "", "pos")):
        assert len(text) <= TEXT_CAPS[cap] and "\x00" not in text
    assert 0 < (entry.seq or 0) < 2**53
    for product, quantity, unit, vat in entry.lines:
        assert len(product) <= TEXT_CAPS["product"] and "\x00" not in product
        assert 0 < quantity <= COUNTS["qty"] and abs(unit) <= MAX_CENTS and 0 <= vat <= 10_000


FILE_LINES = st.lists(
    st.one_of(
        journal_line().map(raw_line),
        journal_line().map(raw_line),
        st.binary(max_size=40),
        st.sampled_from([b"[]", b"{", b"\xff\xfe{}", b'{"v": 1e999}', b"x" * 70_000]),
    ),
    min_size=1,
    max_size=4,
)


def test_a_journal_file_is_imported_whole_or_refused_line_by_line(
    ledger: Database, tmp_path: Path
) -> None:
    # Fewer cases on a base than on the parser alone: each one is a real import.
    examples = cases(ledger, 70)

    @fuzz_settings(examples)
    @given(lines=FILE_LINES)
    @example(lines=[raw_line(topup(1, CARD, 2**62)), raw_line(topup(2, CARD, 2**62))])
    @example(lines=[raw_line(topup(3, CARD, 100) | {"pos": "P" * 150})])
    @example(lines=[raw_line(topup(4, CARD, 100) | {"pos": "Bar\x00Nord"})])
    @example(
        lines=[
            raw_line(
                sale(5, CARD, 100)
                | {"lines": [{"product": "B", "qty": 1, "unit": 100, "vat": 2**40}]}
            )
        ]
    )
    def one_file(lines: list[bytes]) -> None:
        path = tmp_path / "journal.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        before = rows(ledger, Transfer)
        try:
            with ledger.session() as session:
                import_journals(session, [path])
        except JournalRejected as rejected:
            assert rejected.result.problems
            for problem in rejected.result.problems:
                assert problem.path == str(path) and problem.line >= 1 and problem.message
            assert rows(ledger, Transfer) == before  # nothing half imported
            return
        # any other exception fails the test: a generic error is a defect; and what was
        # imported still adds up (two top-ups of 2^62 made every later sum overflow)
        with ledger.session() as session:
            for pos in session.scalars(select(PointOfSale.name)):
                x_report(session, f"pos:{pos}")
            totals_by_asset(session)

    one_file()

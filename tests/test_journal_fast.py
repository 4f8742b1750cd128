"""The fast path of a journal line (msgspec structs) takes only lines the field checks accept,
and makes the same entry of them: real lines and changed ones go through both paths, and
not one comes out otherwise. The checks stay the only ones that word a refusal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regie.ledger.entries import Entry, Leg
from regie.ledger.journal_entry import BadLine, void_entry
from regie.ledger.journal_fast import VoidLine, fast_entry
from regie.ledger.journal_lines import moment_of, to_entry
from regie.ledger.simulate import Festival, write_journal
from tests.fuzz_support import NASTY_TEXTS, fuzz_settings
from tests.ledger_fixtures import sale, topup
from tests.test_fuzz_journal import CARD, VALUES, journal_line

# What every void of these tests cancels: a cashless sale of 3.00 €.
ORIGINAL = Entry(
    source="SUNMI-V2S-07",
    op="sale",
    method="cashless",
    at=1,
    tz_minutes=120,
    seq=1,
    pos="Bar Nord",
    legs=(Leg(f"wallet:{CARD}", "pos:Bar Nord:revenue", "EUR", 300),),
    details='[["Bière",1,300,2000]]',
)


# Good lines, each to get one text changed: the text's own field is then the only one wrong.
ARTICLE = {"product": "Bière", "qty": 1, "unit": 300, "vat": 2000}
STRIPE = topup(1, CARD, 300, pay="stripe_terminal") | {"payment_intent": "pi_1"}
GOOD = {name: topup(1, CARD, 300) for name in ("terminal", "pos", "asset", "at", "card")}
GOOD |= {"payment_intent": STRIPE, "product": sale(2, CARD, 300) | {"lines": [ARTICLE]}}
WHITE = [" ", "\u00a0", "\u3000", "\u2028", "\u0085", "a\n", "\t", "x\x00", "\ud800", "ﬀ", "é"]


def written(data: dict[str, Any]) -> bytes:
    """The line as a terminal writes it (UTF-8, no escapes), else as the stdlib does."""
    try:
        return orjson.dumps(data)
    except TypeError:  # a lone surrogate
        return json.dumps(data).encode()


def slow(raw: bytes) -> Entry | None:
    """The field checks' verdict: the entry, or None when the line is refused."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return to_entry(data, lambda _terminal, _seq: ORIGINAL)
    except BadLine:
        return None


def fast(raw: bytes) -> Entry | str | None:
    """The fast path's verdict: the entry, or "checks" when it hands the line over."""
    found = fast_entry(raw)
    if found is None:
        return "checks"
    if isinstance(found, VoidLine):
        return void_entry(
            found.terminal, found.seq, found.at, found.tz_minutes, found.ref, ORIGINAL
        )
    return found


def mismatches(raws: list[bytes]) -> tuple[list[bytes], int]:
    """The lines the fast path took and got otherwise than the checks, and how many it took."""
    wrong, taken = [], 0
    for raw in raws:
        verdict = fast(raw)
        if verdict == "checks":
            continue
        taken += 1
        if verdict != slow(raw):
            wrong.append(raw)
    return wrong, taken


def test_every_line_of_a_festival_takes_the_fast_path_to_the_same_entry(tmp_path: Path) -> None:
    path = tmp_path / "festival.jsonl"
    write_journal(Festival(transactions=6000, cards=400), str(path))
    raws = path.read_bytes().splitlines()
    assert sum(b'"void"' in raw for raw in raws) > 10 and any(b"payments" in r for r in raws)
    # the terminals' own spelling: lowercase UIDs, an escaped quote in a product (checks)
    raws.append(raws[0].replace(b'"card":"04', b'"card":"0a'))
    raws.append(raws[1].replace(b'"Caisse', b'"\\"Caisse'))
    texts = [
        written(GOOD[name] | {name: text})
        for name in ("terminal", "pos", "asset", "at", "card", "payment_intent")
        for text in WHITE
    ]
    texts += [written(GOOD["product"] | {"lines": [ARTICLE | {"product": t}]}) for t in WHITE]
    assert mismatches(texts)[0] == []
    assert mismatches([orjson.dumps(GOOD[name]) for name in GOOD]) == ([], len(GOOD))
    wrong, taken = mismatches(raws)
    assert wrong == []
    assert taken == len(raws) - 1  # only the escaped quote went to the checks
    assert slow(raws[-1]) is not None  # …which accept it


@fuzz_settings(40)
@given(
    lines=st.lists(journal_line(), min_size=20, max_size=20),
    extra=st.dictionaries(st.sampled_from(["payments", "ref", "card", "mac"]), VALUES),
    text=NASTY_TEXTS,
)
def test_changed_lines_are_never_taken_by_the_fast_path_otherwise_than_by_the_checks(
    lines: list[dict[str, Any]], extra: dict[str, Any], text: str
) -> None:
    raws = []
    for data in lines:
        raws.append(json.dumps(data).encode())  # the stdlib: NaN, 2^70, escapes
        try:
            raws.append(orjson.dumps(data))  # UTF-8 as a terminal writes it
            raws.append(orjson.dumps(data | extra))
            raws.append(orjson.dumps(data | {"op": "void", "ref": data.get("seq")}))
            for name in ("terminal", "pos", "asset", "at", "card", "payment_intent"):
                raws.append(orjson.dumps(GOOD[name] | {name: text}))
            raws.append(orjson.dumps(GOOD["product"] | {"lines": [ARTICLE | {"product": text}]}))
        except TypeError:
            continue  # orjson refuses to write that value
    wrong, _taken = mismatches(raws)
    assert wrong == []


def test_a_refused_line_is_worded_by_the_checks_only() -> None:
    raw = orjson.dumps(
        {"v": 1, "terminal": "T", "seq": 1, "at": "2026-07-12T21:04:33", "op": "void", "ref": 2}
    )
    assert fast_entry(raw) is None
    data = orjson.loads(raw)
    try:
        to_entry(data, lambda _terminal, _seq: ORIGINAL)
    except BadLine as error:
        assert (error.field, str(error)) == ("at", "fuseau horaire manquant (ex. +02:00)")
    else:
        raise AssertionError("a moment without its time zone was accepted")


def _as_the_library_reads_it(text: str) -> tuple[int, int] | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = moment.utcoffset()
    return None if offset is None else (int(moment.timestamp()), int(offset.total_seconds() // 60))


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-10T16:05:09+02:00",
        "2026-07-10T16:05:09-03:00",
        "2026-07-10T16:05:09+05:30",
        "2026-07-10 16:05:09+02:00",
        "2026-07-10T16:05:60+02:00",  # no 60th second
        "2026-07-10T16:65:09+02:00",
        # 25 characters too, but other shapes ISO 8601 allows: no minutes where the cache
        # would read them (the first two are 2 h earlier than a blind reading; the third has
        # an offset of 24 h, which does not exist)
        "2026-07-10T16+02:00:00.12",
        "20260710T1605+02:00:00.12",
        "2026-07-10T16+24:00:00.12",
        # where a moment's seconds are, this one has its offset's minutes: 30 minutes, not
        # 30 seconds, from « 2026-07-10T16+02:00:00.12 »
        "2026-07-10T16+02:30:00.12",
        # a basic week date (7 characters): the time begins one place earlier, and what
        # stands where the seconds are is a fraction (05.37 s), found by a review's fuzzing
        "2026W07T10:16:05:37+02:00",
        "2026W07-10:16:05:59+02:00",
    ],
)
def test_a_moment_is_read_as_the_standard_library_reads_it(text: str) -> None:
    assert moment_of(text) == _as_the_library_reads_it(text)
    assert moment_of(text) == _as_the_library_reads_it(text)  # again: from the minutes' cache

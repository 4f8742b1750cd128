"""What the fuzz tests of the parsers share: hypothesis settings (a few thousand cases in all,
the same ones on every run) and values a hostile or broken file holds."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from regie.db import Database
from regie.errors import UserError


def fuzz_settings(examples: int) -> settings:
    """``examples`` cases, derandomized, no deadline (a loaded CI machine), no example file."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Numbers at and around every limit a base or a reader has, and beyond.
EDGE_INTS = st.sampled_from(
    [0, 1, -1, 10**11, 10**11 + 1, 2**31, 2**53, 2**62, 2**63 - 1, 2**63, 2**64, -(2**63), 10**30]
)
INTS = st.one_of(EDGE_INTS, st.integers())
# Texts with what the databases disagree on: NUL, lone surrogates, lengths past a column.
NASTY_TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "\x00", "a\x00b", "\ud800", "²", "٣", "1E10000000", "1E300000", "-0", "NaN"]
    ),
    st.integers(min_value=15, max_value=300).map(lambda n: "P" * n),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=8).map(lambda t: t * 40),
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=False), NASTY_TEXTS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY_TEXTS, inner, max_size=3),
    max_leaves=6,
)


def is_clear(error: BaseException) -> bool:
    """A refusal a user can act on: a UserError whose message is no generic one."""
    return isinstance(error, UserError) and "inattendue" not in str(error)


def rows(db: Database, model: type) -> int:
    """How many rows of ``model`` the base holds (nothing of a refused file may be added)."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def cases(db: Database, on_sqlite: int) -> int:
    """Cases of a test that imports into a base: half as many on PostgreSQL (slower)."""
    return on_sqlite if db.url.startswith("sqlite") else on_sqlite // 2

"""The fast path of a journal line: typed structs decoded and checked in C (msgspec).

A terminal writes a million lines of a few shapes. msgspec decodes a line straight into the
struct of its operation (the ``op`` tag) and checks, in C, the types (an int is no bool, no
float), the ranges, the lengths and the literals (a card's UID and a sale's basket are read
once per card and per basket: :func:`wallet_of`, :func:`basket_of`): about what decoding
the line to a dict costs alone, before :func:`regie.ledger.journal_lines.to_entry` checks it
field by field in Python (measured on the bench festival: 25 % less for decode, checks and
entry together).

It accepts **less** than the checks of :mod:`journal_lines`, never more: a line it does not
take (an unknown field, an escape in a string, ``"v": 1.0``, an error…) goes to those
checks, which accept it or word the refusal (file, line, field, in French). What it takes
becomes the same entry through the same builders. ``tests/test_journal_fast.py`` feeds real
and changed lines to both paths and counts the mismatches: 0.

Why the raw-bytes guard: without a backslash a JSON string holds no escape, so no control
character, no lone surrogate; C1 controls and DEL are the only ones left to look for.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, NamedTuple

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

from regie.ledger.entries import Entry, LineValues, lines_json, wallet_name
from regie.ledger.journal_entry import (
    BadLine,
    Head,
    paid_up,
    refund_entry,
    sale_entry,
    topup_entry,
)
from regie.ledger.journal_lines import COUNTS, MAX_ITEMS, MAX_LINE_BYTES, TEXT_CAPS, moment_of
from regie.limits import MAX_CENTS

Terminal = Annotated[str, Meta(min_length=1, max_length=TEXT_CAPS["terminal"])]
Pos = Annotated[str, Meta(min_length=1, max_length=TEXT_CAPS["pos"])]
Asset = Annotated[str, Meta(min_length=1, max_length=TEXT_CAPS["asset"])]
Product = Annotated[str, Meta(min_length=1, max_length=TEXT_CAPS["product"])]
At = Annotated[str, Meta(min_length=1, max_length=TEXT_CAPS["at"])]
Card = Annotated[str, Meta(min_length=8, max_length=20)]  # a UID: wallet_of, once per card
Intent = Annotated[str, Meta(max_length=TEXT_CAPS["payment_intent"], pattern=r"\Api_")]
Seq = Annotated[int, Meta(gt=0, le=COUNTS["seq"])]
Amount = Annotated[int, Meta(gt=0, le=MAX_CENTS)]
Unit = Annotated[int, Meta(ge=-MAX_CENTS, le=MAX_CENTS)]
Quantity = Annotated[int, Meta(gt=0, le=COUNTS["qty"])]
Vat = Annotated[int, Meta(ge=0, le=COUNTS["vat"])]


class Article(Struct, forbid_unknown_fields=True):
    product: Product
    qty: Quantity
    unit: Unit
    vat: Vat


class Payment(Struct, forbid_unknown_fields=True, kw_only=True):
    asset: Asset
    amount: Amount
    card: Card | UnsetType = UNSET


class _Line(Struct, forbid_unknown_fields=True, kw_only=True, tag_field="op"):
    v: Literal[1]
    terminal: Terminal
    seq: Seq
    at: At


class _Paid(_Line, kw_only=True):
    pos: Pos
    asset: Asset
    amount: Amount


class Topup(_Paid, tag="topup", kw_only=True):
    pay: Literal["cash", "card", "stripe_terminal", "offered"]
    card: Card
    payment_intent: Intent | UnsetType = UNSET


class Sale(_Paid, tag="sale", kw_only=True):
    pay: Literal["cashless", "cash", "card"]
    lines: Raw  # the basket, as written: read by basket_of, once per different basket
    card: Card | UnsetType = UNSET
    payments: Annotated[list[Payment], Meta(min_length=1, max_length=MAX_ITEMS)] | UnsetType = UNSET


class Refund(_Paid, tag="refund", kw_only=True):
    pay: Literal["cash"]
    card: Card


class Void(_Line, tag="void", kw_only=True):
    ref: Seq


# RecursionError: a value nested a thousand deep (a basket is read whole, as written).
DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, RecursionError)
_decoder = msgspec.json.Decoder(Topup | Sale | Refund | Void)
_articles = msgspec.json.Decoder(Annotated[list[Article], Meta(min_length=1, max_length=MAX_ITEMS)])
# A backslash (an escape), DEL, a C1 control, a surrogate's UTF-8: the checks decide.
_UNUSUAL = re.compile(rb"[\\\x7f]|\xc2[\x80-\x9f]|\xed[\xa0-\xbf]")


def unusual(data: bytes) -> bool:
    """Whether ``data``, a line or a block of lines, holds a backslash, DEL, a C1 control or a
    surrogate's UTF-8 (none of them spans two lines: a block holds one when a line does).

    ``find``, not ``in``: ``bytes in bytes`` first tries its operand as an integer and pays
    for the TypeError it catches, a seventh of the child's instructions when it ran on each
    line.
    The regular expression runs only where a ``\\xc2`` or ``\\xed`` is: a « ° » or a « « » in a
    product's name."""
    if data.find(b"\\") >= 0 or data.find(b"\x7f") >= 0:
        return True
    if data.find(b"\xc2") < 0 and data.find(b"\xed") < 0:
        return False
    return _UNUSUAL.search(data) is not None


_UID = re.compile(r"[0-9A-Fa-f]{8}(?:[0-9A-Fa-f]{6}){0,2}")  # 4, 7 or 10 bytes
MAX_CARDS = 100_000  # cards remembered (a festival lends 17,000)
# A card as lines write it → its wallet's account, or "" (emptied after each import).
WALLETS: dict[str, str] = {}


def wallet_of(card: str) -> str:
    """The account of a card's wallet (:func:`regie.ledger.entries.wallet_name`), "" when the
    card is no UID: the field checks word why. Each card is looked at once: a regular
    expression costs what decoding a third of the line does."""
    name = WALLETS.get(card)
    if name is None:
        if len(WALLETS) >= MAX_CARDS:
            WALLETS.clear()
        name = WALLETS[card] = wallet_name(card) if _UID.fullmatch(card) else ""
    return name


def _uids(line: Topup | Sale | Refund) -> bool:
    """Whether every card the line names is a UID, even one the checks do not read (a cash
    sale's): stricter than the checks, as msgspec's pattern was."""
    if line.card is not UNSET and not wallet_of(line.card):
        return False
    if type(line) is Sale and line.payments is not UNSET:
        return all(part.card is UNSET or wallet_of(part.card) for part in line.payments)
    return True


class VoidLine(Struct, frozen=True, kw_only=True):
    """A void decoded and checked: its entry needs the one it cancels (the caller's)."""

    terminal: str
    seq: int
    at: int
    tz_minutes: int
    ref: int


def fast_entry(raw: bytes) -> Entry | VoidLine | None:
    """The entry of a well-formed line, its void, or None: let the field checks decide."""
    if len(raw) > MAX_LINE_BYTES or unusual(raw):
        return None  # (« é » is \xc3…)
    try:
        line = _decoder.decode(raw)
    except DECODE_ERRORS:
        return None
    if line.terminal.isspace() or line.at.isspace():
        return None
    moment = moment_of(line.at)
    if moment is None:
        return None
    if isinstance(line, Void):
        return VoidLine(
            terminal=line.terminal, seq=line.seq, at=moment[0], tz_minutes=moment[1], ref=line.ref
        )
    if line.pos.isspace() or line.asset.isspace() or not _uids(line):
        return None
    head: Head = (line.terminal, _OP[type(line)], line.pay, *moment, line.seq, line.pos)
    asset = line.asset.upper()
    try:
        if isinstance(line, Topup):
            intent = ""
            if line.pay == "stripe_terminal":
                if line.payment_intent is UNSET:
                    return None
                intent = line.payment_intent
            return topup_entry(head, line.card.upper(), asset, line.amount, intent)
        if isinstance(line, Refund):
            return refund_entry(head, line.card.upper(), asset, line.amount)
        return _sale(head, line, asset)
    except BadLine:
        return None


_OP: dict[type, str] = {Topup: "topup", Sale: "sale", Refund: "refund"}


class Basket(NamedTuple):
    """A sale's articles, read and checked: their values, what they add up to, and the text
    the journal keeps of them (:func:`regie.ledger.entries.lines_json`)."""

    lines: tuple[LineValues, ...]
    total: int
    details: str


def basket_of(raw: bytes) -> Basket | None:
    """The basket a sale's ``lines`` hold, or None: let the field checks decide (the same
    types and bounds as the line's own fields; a product that is only blanks)."""
    try:
        articles = _articles.decode(raw)
    except DECODE_ERRORS:
        return None
    lines: list[LineValues] = []
    for article in articles:
        if article.product.isspace():
            return None
        lines.append((article.product, article.qty, article.unit, article.vat))
    total = sum(quantity * unit for _product, quantity, unit, _vat in lines)
    return Basket(tuple(lines), total, lines_json(lines))


def _sale(head: Head, line: Sale, asset: str) -> Entry | None:
    basket = basket_of(line.lines)
    if basket is None or basket.total != line.amount:
        return None  # (the checks word it: articles_add_up)
    payments: tuple[tuple[str, str, int], ...] = ()
    if line.pay == "cashless":
        if line.payments is UNSET:
            if line.card is UNSET:
                return None
            payments = ((line.card.upper(), asset, line.amount),)
        else:
            parts = []
            for part in line.payments:
                card = line.card if part.card is UNSET else part.card
                if card is UNSET:
                    return None
                parts.append((card.upper(), part.asset.upper(), part.amount))
                if part.asset.isspace():
                    return None
            paid_up(sum(part[2] for part in parts), line.amount)
            payments = tuple(parts)
    return sale_entry(head, basket.lines, payments, asset, line.amount)

"""One line of a terminal's journal (JSON Lines, DESIGN §4): its checks, field by field, that
word what is wrong (file, line, field); the entry it becomes is built by :mod:`journal_entry`.

Nothing here touches the database, so that a second process can read a big journal while the
importer posts it (:mod:`regie.ledger.journal_mapper`); voids need the entry they cancel,
which the caller looks up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from regie import limits
from regie.i18n import _
from regie.ledger.entries import Entry, SaleLine
from regie.ledger.journal_entry import (
    BadLine,
    Head,
    articles_add_up,
    paid_up,
    refund_entry,
    sale_entry,
    topup_entry,
    void_entry,
)

# BadLine: read here by the trust and mapper
__all__ = ["BadLine", "read_blocks", "read_lines", "to_entry"]


OPS = ("topup", "sale", "refund", "void")
PAYS = {
    "topup": ("cash", "card", "stripe_terminal", "offered"),
    "sale": ("cashless", "cash", "card"),
    "refund": ("cash",),
}
HEX = frozenset("0123456789ABCDEF")
# The bounds of each field, so that a line out of them is refused here with its field named,
# never by the database (and the same way on SQLite as on PostgreSQL). Texts: the length of
# the column they go to (Source.name, PointOfSale.name, LedgerAsset.code, Product.name:
# tests/test_fuzz_journal.py checks them; read here without importing the models, for the
# second process that maps the lines starts in a tenth of a second).
TEXT_CAPS = {
    "terminal": 80,
    "pos": 80,
    "asset": 16,
    "product": 120,
    "card": 20,
    "at": 40,
    "payment_intent": 255,
}
AMOUNTS = frozenset(("amount", "unit"))  # within ±limits.MAX_CENTS
COUNTS = {"seq": 2**53 - 1, "ref": 2**53 - 1, "qty": 1_000_000, "vat": 10_000}  # 100 % = 10,000
MAX_ITEMS = 1_000  # articles of a sale, payments of a split
MAX_LINE_BYTES = 65_536


def _int(data: dict[str, Any], name: str, *, positive: bool = True) -> int:
    value = data.get(name)
    if value.__class__ is not int:  # bool is not int here: True is no amount
        raise BadLine(name, "entier attendu" if value is not None else "obligatoire")
    if positive and value <= 0:
        raise BadLine(name, _("doit être > 0 (lu {value})").format(value=value))
    try:
        if name in AMOUNTS:
            return limits.amount(value, negative=not positive)
        return limits.count(value, limit=COUNTS[name])
    except limits.OutOfBounds as error:
        raise BadLine(name, str(error)) from None


def _str(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value.__class__ is not str or not value or value.isspace():
        raise BadLine(name, "texte obligatoire")
    try:
        return limits.text(value, TEXT_CAPS[name])
    except limits.OutOfBounds as error:
        raise BadLine(name, str(error)) from None


def _few(items: list[Any], name: str) -> None:
    if len(items) > MAX_ITEMS:
        raise BadLine(
            name,
            _("{count} éléments : au plus {limit}").format(count=len(items), limit=MAX_ITEMS),
        )


def _card(data: dict[str, Any], name: str = "card") -> str:
    text = _str(data, name)
    uid = text.upper()  # ASCII only: « ﬀ » in capitals is « FF »
    if len(uid) not in (8, 14, 20) or not text.isascii() or not HEX.issuperset(uid):
        raise BadLine(
            name, _("UID hexadécimal de 4, 7 ou 10 octets attendu (lu « {uid} »)").format(uid=uid)
        )
    return uid


# « 2026-07-10T16:05:09+02:00 », as terminals write it: each minute is read once (a festival
# has a few thousand), its seconds looked up. The minute's key is the text without its
# seconds, so the shape is checked once per minute too (:func:`_minute_of`).
_SHAPE = len("2026-07-10T16:05:09+02:00")
_SECONDS = {f"{s:02d}": s for s in range(60)}
_MINUTES: dict[str, tuple[int, int] | None] = {}
_UNREAD = (0, 0)  # a key not looked at yet (compared by identity)


def moment_of(text: str) -> tuple[int, int] | None:
    """(seconds since the epoch, offset in minutes) of an ISO 8601 moment with its time zone;
    None when it is no such moment (both paths of a line read it here)."""
    if len(text) == _SHAPE:
        second = _SECONDS.get(text[17:19])
        if second is not None:
            key = text[:17] + text[19:]
            minute = _MINUTES.get(key, _UNREAD)
            if minute is _UNREAD:
                minute = _minute_of(key)
            if minute is not None:
                return minute[0] + second, minute[1]
    return _moment_of(text)


def _minute_of(key: str) -> tuple[int, int] | None:
    """The minute of « YYYY-MM-DDTHH:MM:±HH:MM » (a moment without its seconds), or None when
    the key is not of that shape — other shapes ISO 8601 allows hold no seconds where the key
    was cut (« 2026-07-10T16+02:00:00.12 », a week date « 2026W07T10:16:05:37+02:00 ») — or
    is no moment at all."""
    if key[4] == key[7] == "-" and key[13] == key[16] == key[20] == ":" and key[17] in "+-":
        minute = _moment_of(f"{key[:17]}00{key[17:]}")
    else:
        minute = None
    if len(_MINUTES) >= 100_000:
        _MINUTES.clear()
    _MINUTES[key] = minute
    return minute


def _moment_of(text: str) -> tuple[int, int] | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    offset = moment.utcoffset()
    if offset is None:
        return None
    return int(moment.timestamp()), int(offset.total_seconds() // 60)


def _moment(data: dict[str, Any]) -> tuple[int, int]:
    text = _str(data, "at")
    found = moment_of(text)
    if found is None:
        try:
            dt.datetime.fromisoformat(text)
        except ValueError:
            raise BadLine(
                "at", _("date ISO 8601 attendue (lu « {text} »)").format(text=text)
            ) from None
        raise BadLine("at", "fuseau horaire manquant (ex. +02:00)")
    return found


def _lines(data: dict[str, Any], amount: int) -> tuple[SaleLine, ...]:
    raw = data.get("lines")
    if not isinstance(raw, list) or not raw:
        raise BadLine("lines", _("liste des articles obligatoire pour une vente"))
    _few(raw, "lines")
    lines = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise BadLine(f"lines[{index}]", "objet attendu")
        try:
            lines.append(
                SaleLine(
                    product=_str(item, "product"),
                    quantity=_int(item, "qty"),
                    unit=_int(item, "unit", positive=False),
                    vat_bp=_int(item, "vat", positive=False),
                )
            )
        except BadLine as error:
            raise BadLine(f"lines[{index}].{error.field}", str(error)) from None
    articles_add_up(lines, amount)
    return tuple(lines)


def to_entry(data: dict[str, Any], voided: Callable[[str, int], Entry | None]) -> Entry:
    """Map one journal line to a ledger entry (its transfers), or raise BadLine."""
    if data.get("v") != 1:
        raise BadLine(
            "v", _("version de format inconnue : {value!r} (attendu 1)").format(value=data.get("v"))
        )
    terminal = _str(data, "terminal")
    seq = _int(data, "seq")
    at, tz = _moment(data)
    op = data.get("op")
    if op not in OPS:
        raise BadLine(
            "op",
            _("opération inconnue « {op} » (attendu : {known})").format(
                op=op, known=", ".join(OPS)
            ),
        )
    if op == "void":
        ref = _int(data, "ref")
        return void_entry(terminal, seq, at, tz, ref, voided(terminal, ref))
    pos = _str(data, "pos")
    asset = _str(data, "asset").upper()
    amount = _int(data, "amount")
    pay = data.get("pay")
    if pay not in PAYS[op]:
        raise BadLine(
            "pay",
            _("« {pay} » impossible pour {op} (attendu : {known})").format(
                pay=pay, op=op, known=", ".join(PAYS[op])
            ),
        )
    head: Head = (terminal, op, pay, at, tz, seq, pos)
    if op == "topup":
        card = _card(data)
        intent = ""
        if pay == "stripe_terminal":
            intent = _str(data, "payment_intent")
            if not intent.startswith("pi_"):
                raise BadLine(
                    "payment_intent",
                    _("identifiant pi_… attendu (lu « {details} »)").format(details=intent),
                )
        return topup_entry(head, card, asset, amount, intent)
    if op == "sale":
        lines = _lines(data, amount)
        payments: tuple[tuple[str, str, int], ...] = ()
        if pay == "cashless":
            payments = _payments(data, asset, amount)
        return sale_entry(head, lines, payments, asset, amount)
    return refund_entry(head, _card(data), asset, amount)


def _payments(data: dict[str, Any], asset: str, amount: int) -> tuple[tuple[str, str, int], ...]:
    """One card, or a split across assets and cards (``payments``) that must add up."""
    payments = data.get("payments")
    if payments is None:
        return ((_card(data), asset, amount),)
    if not isinstance(payments, list) or not payments:
        raise BadLine("payments", _("liste de paiements attendue"))
    _few(payments, "payments")
    parts = []
    for index, item in enumerate(payments, 1):
        if not isinstance(item, dict):
            raise BadLine(f"payments[{index}]", "objet attendu")
        try:
            card = _card(item) if "card" in item else _card(data)
            parts.append((card, _str(item, "asset").upper(), _int(item, "amount")))
        except BadLine as error:
            raise BadLine(f"payments[{index}].{error.field}", str(error)) from None
    paid_up(sum(part[2] for part in parts), amount)
    return tuple(parts)


def too_long(size: int) -> str:
    return _("ligne de {size} octets : au plus {limit}").format(size=size, limit=MAX_LINE_BYTES)


BLOCK_BYTES = 1 << 18  # read at a time: about 1,200 lines of a festival's journal


def read_blocks(path: Path) -> Iterator[list[bytes]]:
    """The file's lines, each with its end of line, blank ones too (a line's number is its
    place in the file), about :data:`BLOCK_BYTES` at a time: one call for a thousand lines."""
    with path.open("rb", buffering=1 << 20) as handle:
        while lines := handle.readlines(BLOCK_BYTES):
            yield lines


def blank(raw: bytes) -> bool:
    return raw[:1] != b"{" and not raw.strip()  # a line's usual start spares the copy


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Each line that is not blank, with its number (from 1)."""
    number = 0
    for lines in read_blocks(path):
        for raw in lines:
            number += 1
            if not blank(raw):
                yield number, raw

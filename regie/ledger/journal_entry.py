"""The entry a journal line becomes, once its fields are checked: one builder per operation,
shared by the field checks (:mod:`journal_lines`) and the fast path (:mod:`journal_fast`),
so that both make the same entry of the same line. ``BadLine``: what is wrong with a line.
"""

from __future__ import annotations

from collections.abc import Sequence

from regie.i18n import _
from regie.ledger.entries import (
    Entry,
    Leg,
    LegValues,
    LineValues,
    lines_json,
    pos_account,
    wallet_name,
)

TOPUP_FROM = {"cash": "cash", "card": "card"}
Lines = tuple[LineValues, ...]


class BadLine(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def articles_add_up(lines: Sequence[LineValues], amount: int) -> None:
    total = sum(quantity * unit for _product, quantity, unit, _vat in lines)
    if total != amount:
        raise BadLine(
            "amount", _("{amount} ≠ somme des articles {total}").format(amount=amount, total=total)
        )


def paid_up(total: int, amount: int) -> None:
    if total != amount:
        raise BadLine(
            "payments",
            _("les paiements font {total}, la vente {amount}").format(total=total, amount=amount),
        )


# -- the entries a line becomes, shared by the checks above and the fast path ----------------
# ``head``: the entry's (source, op, method, at, tz_minutes, seq, pos). Plain tuples, built
# once: a festival's import makes a million of them.
Head = tuple[str, str, str, int, int, int, str]
_new = tuple.__new__


def _entry(head: Head, legs: tuple[LegValues, ...], details: str = "", lines: Lines = ()) -> Entry:
    source, op, method, at, tz, seq, pos = head
    # Entry(source, op, method, at, tz_minutes, legs, seq, pos, ref, idem_key, details, lines,
    # source_kind, event), built without the keywords' cost: a million calls.
    return _new(
        Entry,
        (source, op, method, at, tz, legs, seq, pos, None, None, details, lines, "terminal", None),
    )


def topup_entry(head: Head, card: str, asset: str, amount: int, intent: str) -> Entry:
    """A top-up of ``card``'s wallet; ``intent``: Stripe's pi_… for a terminal payment."""
    method, pos = head[2], head[6]
    if method == "stripe_terminal":
        source_account = "stripe:clearing"
    elif method == "offered":
        source_account = "gift:offered"
    else:
        source_account = pos_account(pos, TOPUP_FROM[method])
    return _entry(head, ((source_account, wallet_name(card), asset, amount),), intent)


def sale_entry(
    head: Head,
    lines: Lines,
    payments: tuple[tuple[str, str, int], ...],
    asset: str,
    amount: int,
) -> Entry:
    """A sale; ``payments``: (card, asset, amount) of a cashless one, else paid at the till."""
    pos = head[6]
    revenue = pos_account(pos, "revenue")
    if payments:
        legs = tuple((wallet_name(card), revenue, code, part) for card, code, part in payments)
    else:
        legs = ((pos_account(pos, head[2]), revenue, asset, amount),)
    return _entry(head, legs, lines_json(lines), lines)


def refund_entry(head: Head, card: str, asset: str, amount: int) -> Entry:
    """A refund in cash at a point of sale."""
    return _entry(head, ((wallet_name(card), pos_account(head[6], "cash"), asset, amount),))


def void_entry(
    terminal: str, seq: int, at: int, tz: int, ref: int, original: Entry | None
) -> Entry:
    """The entry cancelling ``original`` (the line n°``ref`` of the same terminal)."""
    if original is None:
        raise BadLine(
            "ref",
            _("aucune opération n°{ref} de {terminal} à annuler").format(
                ref=ref, terminal=terminal
            ),
        )
    if original.op == "void":
        raise BadLine("ref", _("l'opération n°{ref} est elle-même une annulation").format(ref=ref))
    return Entry(
        source=terminal,
        op="void",
        method=original.method,
        at=at,
        tz_minutes=tz,
        seq=seq,
        pos=original.pos,
        ref=ref,
        lines=original.lines,
        # a voided sale keeps its lines (VAT, reports); otherwise the voided op's name
        details=original.details if original.op == "sale" else original.op,
        legs=tuple(
            Leg(credit, debit, asset, amount) for debit, credit, asset, amount in original.legs
        ),
    )

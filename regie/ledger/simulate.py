"""Realistic terminal journals: a festival's top-ups, sales, refunds and voids.

Deterministic for a seed; balances are tracked so no line spends money a card does not have.
Used by the demo, the tests, the benchmarks and the terminal agent's ``--simulate-sales``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

PRODUCTS = (
    ("Bière 25cl", 300, 2000, "Bar"),
    ("Bière 50cl", 550, 2000, "Bar"),
    ("Verre de vin", 400, 2000, "Bar"),
    ("Cocktail", 800, 2000, "Bar"),
    ("Eau 50cl", 150, 550, "Soft"),
    ("Soda", 250, 550, "Soft"),
    ("Café", 150, 1000, "Chaud"),
    ("Frites", 400, 1000, "Restauration"),
    ("Burger", 900, 1000, "Restauration"),
    ("Crêpe", 350, 1000, "Restauration"),
    ("Écocup", 100, 2000, "Consigne"),
    ("T-shirt", 1500, 2000, "Boutique"),
)
CATEGORIES = {name: category for name, _unit, _vat, category in PRODUCTS}
DESKS = ("Caisse centrale", "Caisse entrée")  # top-ups and refunds


@dataclass(frozen=True, kw_only=True)
class Festival:
    transactions: int = 10_000
    cards: int = 2_000
    points_of_sale: int = 8
    seed: int = 2026
    start: dt.datetime = dt.datetime(2026, 7, 10, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    days: int = 3
    # The terminals' names, points of sale first then the two desks (default SUNMI-001…);
    # a season's demo names them by their inventory tags, so loans attribute their sales.
    terminals: tuple[str, ...] = ()
    first_card: int = 0  # card numbers first_card … first_card + cards - 1


def pos_names(count: int) -> list[str]:
    names = ["Bar Nord", "Bar Sud", "Bar Scène", "Food Court", "Crêperie", "Boutique", "Café"]
    names += [f"Bar {n}" for n in range(8, count + 1)]
    return names[:count]


def card_uid(number: int) -> str:
    return f"04{number:012X}"


def journal(spec: Festival, after: Mapping[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """The festival's journal lines, in time order; a terminal's numbering goes on from its
    last number in ``after`` (the same device serving the season's next event)."""
    rng = random.Random(spec.seed)
    points = pos_names(spec.points_of_sale)
    desks = list(DESKS)
    names = spec.terminals or tuple(f"SUNMI-{n:03d}" for n in range(1, len(points) + 3))
    if len(names) != len(points) + len(desks):
        raise ValueError(f"{len(points) + len(desks)} terminal names expected, got {len(names)}")
    terminals = dict(zip(points + desks, names, strict=True))
    seq = {name: (after or {}).get(name, 0) for name in terminals.values()}
    balances: dict[str, dict[str, int]] = {}
    recent: dict[str, list[tuple[int, dict[str, Any]]]] = {t: [] for t in terminals.values()}
    voided: set[tuple[str, int]] = set()
    seconds = spec.days * 24 * 3600
    step = seconds / max(spec.transactions, 1)
    for index in range(spec.transactions):
        at = spec.start + dt.timedelta(seconds=int(index * step))
        card = card_uid(spec.first_card + rng.randrange(spec.cards))
        wallet = balances.setdefault(card, {})
        roll = rng.random()
        if roll < 0.18 or not wallet:
            desk = rng.choice(desks)
            asset, pay = "EUR", rng.choice(("cash", "card", "card", "stripe_terminal"))
            if rng.random() < 0.05:
                asset, pay = "GIFT", "offered"
            elif rng.random() < 0.08:
                asset = "FED"
            amount = rng.choice((1000, 2000, 2000, 3000, 5000))
            line: dict[str, Any] = {
                "op": "topup",
                "pos": desk,
                "card": card,
                "asset": asset,
                "amount": amount,
                "pay": pay,
            }
            if pay == "stripe_terminal":
                line["payment_intent"] = f"pi_{spec.seed:04d}{index:012d}"
            wallet[asset] = wallet.get(asset, 0) + amount
            terminal = terminals[desk]
        elif roll < 0.985:
            pos = rng.choice(points)
            items = rng.sample(PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3)))
            lines: list[dict[str, Any]] = [
                {"product": name, "qty": rng.choice((1, 1, 2)), "unit": unit, "vat": vat}
                for name, unit, vat, _category in items
            ]
            amount = sum(item["qty"] * item["unit"] for item in lines)
            line = {"op": "sale", "pos": pos, "card": card, "amount": amount, "lines": lines}
            payments = _pay(wallet, amount)
            if payments is None:
                line.update(asset="EUR", pay=rng.choice(("cash", "card")))
            elif len(payments) == 1:
                line.update(asset=payments[0][0], pay="cashless")
            else:
                line.update(
                    asset=payments[-1][0],
                    pay="cashless",
                    payments=[{"asset": a, "amount": v} for a, v in payments],
                )
            if payments:
                for asset, value in payments:
                    wallet[asset] -= value
            terminal = terminals[pos]
        elif roll < 0.995 and wallet.get("EUR", 0) > 0:
            amount = wallet["EUR"]
            line = {
                "op": "refund",
                "pos": "Caisse centrale",
                "card": card,
                "asset": "EUR",
                "amount": amount,
                "pay": "cash",
            }
            wallet["EUR"] = 0
            terminal = terminals["Caisse centrale"]
        else:
            terminal = rng.choice(list(terminals.values()))
            candidates = [
                (s, ln)
                for s, ln in recent[terminal][-20:]
                if ln["op"] == "sale" and (terminal, s) not in voided
            ]
            if not candidates:
                continue
            ref, original = candidates[-1]
            voided.add((terminal, ref))
            line = {"op": "void", "ref": ref}
            _undo(balances, original)
        seq[terminal] += 1
        line = {
            "v": 1,
            "terminal": terminal,
            "seq": seq[terminal],
            "at": at.isoformat(timespec="seconds"),
            **line,
        }
        recent[terminal].append((seq[terminal], line))
        if len(recent[terminal]) > 40:
            del recent[terminal][:20]
        yield line


def _pay(wallet: dict[str, int], amount: int) -> list[tuple[str, int]] | None:
    """Gift first, then local euro, then federated; None when the card cannot pay."""
    if sum(wallet.values()) < amount:
        return None
    payments = []
    left = amount
    for asset in ("GIFT", "EUR", "FED"):
        take = min(wallet.get(asset, 0), left)
        if take:
            payments.append((asset, take))
            left -= take
    return payments


def _undo(balances: dict[str, dict[str, int]], line: dict[str, Any]) -> None:
    if line.get("pay") != "cashless":
        return
    wallet = balances[line["card"]]
    for payment in line.get("payments") or [{"asset": line["asset"], "amount": line["amount"]}]:
        wallet[payment["asset"]] = wallet.get(payment["asset"], 0) + payment["amount"]


def write_journal(spec: Festival, path: str, after: dict[str, int] | None = None) -> int:
    """Write the journal to ``path``; with ``after``, number on from it and update it in place
    with each terminal's last number (for the season's next journal)."""
    count = 0
    with open(path, "wb") as handle:
        for line in journal(spec, after):
            handle.write(orjson.dumps(line) + b"\n")
            if after is not None:
                after[line["terminal"]] = line["seq"]
            count += 1
    return count

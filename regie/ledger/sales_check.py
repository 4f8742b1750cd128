"""``sales_summary`` is a cache of the journal: :func:`check_sales` rebuilds it from the
sales and voids read by the verification's one pass over the transfers, and names the first
row that differs (an edited quantity or amount, a row added or removed)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import _
from regie.ledger.models import PointOfSale, SalesSummary
from regie.ledger.posting import local_hour

Key = tuple[int, int, str, int, str]  # event (0: none), point of sale, product, VAT, hour


class SalesTally:
    """The summary as the journal says it, added up row by row during the verification."""

    def __init__(self) -> None:
        self.totals: dict[Key, list[int]] = {}
        self._baskets: dict[str, list[Any]] = {}  # a festival sells the same few baskets

    def add(self, event_id: int | None, row: tuple[Any, ...]) -> None:
        """A leg 0 with sale lines (``row``: the transfer's columns in chain order)."""
        op, details = row[5], row[16]
        if op not in ("sale", "void"):
            return
        basket = self._baskets.get(details)
        if basket is None:
            basket = self._baskets[details] = orjson.loads(details)
        sign = -1 if op == "void" else 1
        hour = local_hour(row[7], row[8])
        for product, quantity, unit, vat_bp in basket:
            total = self.totals.setdefault((event_id or 0, row[13], product, vat_bp, hour), [0, 0])
            total[0] += sign * quantity
            total[1] += sign * quantity * unit


def check_sales(session: Session, tally: SalesTally) -> list[str]:
    stored = {
        (event_id, pos_id, product, vat_bp, hour): [quantity, amount]
        for event_id, pos_id, product, vat_bp, hour, quantity, amount in session.execute(
            select(
                SalesSummary.event_id,
                SalesSummary.pos_id,
                SalesSummary.product,
                SalesSummary.vat_bp,
                SalesSummary.hour,
                SalesSummary.quantity,
                SalesSummary.amount,
            )
        )
    }
    points = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
    for key in sorted(set(stored) | set(tally.totals)):
        found, expected = stored.get(key, [0, 0]), tally.totals.get(key, [0, 0])
        if found != expected:
            _event, pos_id, product, _vat, hour = key
            return [
                _(
                    "le résumé des ventes a été modifié : {product} au point de vente {pos}, "
                    "heure {hour} — {quantity} vendus pour {amount} centimes au lieu de "
                    "{expected_quantity} pour {expected_amount}"
                ).format(
                    product=product,
                    pos=points.get(pos_id, pos_id),
                    hour=hour,
                    quantity=found[0],
                    amount=found[1],
                    expected_quantity=expected[0],
                    expected_amount=expected[1],
                )
            ]
    return []

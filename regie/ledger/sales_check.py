"""``sales_summary`` is a cache of the journal: :func:`check_sales` rebuilds it from the
sales and voids counted by the verification's one reading of the transfers
(:mod:`regie.ledger.verify_pass`), and names the first row that differs (an edited quantity
or amount, a row added or removed)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import _
from regie.ledger.models import PointOfSale, SalesSummary
from regie.ledger.posting import local_hour
from regie.ledger.verify_pass import SalesKey

Key = tuple[int, int, str, int, str]  # event (0: none), point of sale, product, VAT, hour


class SalesTally:
    """The summary as the journal says it, added up by the verification's readings."""

    def __init__(self) -> None:
        self.totals: dict[Key, list[int]] = {}

    def merge(self, sales: dict[SalesKey, list[int]]) -> None:
        """One reading's sums, keyed by local hour number (a festival has a few hundred)."""
        hours: dict[int, str] = {}
        for (event_id, pos_id, product, vat_bp, hour), (quantity, amount) in sales.items():
            text = hours.get(hour)
            if text is None:
                text = hours[hour] = local_hour(hour * 3600, 0)
            key = (event_id, pos_id, product, vat_bp, text)
            total = self.totals.setdefault(key, [0, 0])
            total[0] += quantity
            total[1] += amount


def stored_sales(session: Session) -> dict[Key, list[int]]:
    """The summary as the base holds it."""
    return {
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


def check_sales(session: Session, tally: SalesTally, stored: dict[Key, list[int]]) -> list[str]:
    totals, nothing = tally.totals, [0, 0]
    # A row of zeros and no row say the same; the first difference in order is named.
    wrong = [
        key
        for key in stored.keys() | totals.keys()
        if stored.get(key, nothing) != totals.get(key, nothing)
    ]
    if not wrong:
        return []
    key = min(wrong)
    found, expected = stored.get(key, nothing), totals.get(key, nothing)
    _event, pos_id, product, _vat, hour = key
    points = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
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

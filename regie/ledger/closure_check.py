"""The Z closures against the journal, for ``regie ledger verify``: numbers without gaps,
their own chain, their chain heads, their signatures, their figures and grand totals.

The figures are not recomputed by one scan per Z (a festival closes 43 over a million
transfers) but from the sums the verification's one reading of the journal grouped by
segment of ids between two Z boundaries, point of sale and event
(:mod:`regie.ledger.verify_pass`): each Z adds up its segments, within its scope, exactly
as :func:`regie.ledger.closures.figures` adds up its transfers.
"""

from __future__ import annotations

import bisect

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import _
from regie.ledger.chain import GENESIS
from regie.ledger.closures import EVENT, EVENT_PREFIX, Figures, closure_hash, scope_event, scope_pos
from regie.ledger.labels import z_label
from regie.ledger.models import Closure, LedgerAsset, LedgerHead
from regie.ledger.verify_pass import FigureKey, VatKey
from regie.ledger.z_signing import signature_holds, signatures


def boundaries(session: Session) -> tuple[int, ...]:
    """The ends of every Z's range (``first - 1`` and ``last``): the segments' edges."""
    ends: set[int] = set()
    for first, last in session.execute(select(Closure.first_transfer_id, Closure.last_transfer_id)):
        ends.update((first - 1, last))
    return tuple(sorted(ends))


class ZFigures:
    """Every Z's figures, from the grouped sums of one reading of the journal."""

    def __init__(
        self,
        session: Session,
        bounds: tuple[int, ...],
        figures: dict[FigureKey, list[int]],
        vat: dict[VatKey, int],
    ) -> None:
        self.session, self.bounds, self.figures, self.vat = session, bounds, figures, vat
        self.codes = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())

    def of(self, scope: str, first: int, last: int) -> str:
        """The canonical figures of a Z (``""`` when its till or event is gone)."""
        try:
            pos = (
                None
                if scope == EVENT or scope.startswith(EVENT_PREFIX)
                else scope_pos(self.session, scope)
            )
            event = scope_event(self.session, scope) if scope.startswith(EVENT_PREFIX) else None
        except UserError:  # renamed or deleted behind Régie's back
            return ""
        low = bisect.bisect_left(self.bounds, first - 1) + 1
        high = bisect.bisect_left(self.bounds, last)

        def within(segment: int, at: int | None, during: int | None) -> bool:
            return (
                low <= segment <= high
                and (pos is None or at == pos)
                and (event is None or during == event)
            )

        totals: dict[str, int] = {}
        counts: dict[str, int] = {}
        sales = cash_in = cash_out = 0
        for key, (count, cents) in self.figures.items():
            segment, at, during, op, method, asset, debits, credits, cancels = key
            if not within(segment, at, during):
                continue
            name = f"{op}/{method}/{self.codes[asset]}"
            totals[name] = totals.get(name, 0) + cents
            counts[name] = counts.get(name, 0) + count
            sales += cents if op == "sale" else -cents if cancels else 0
            cash_in += cents if debits else 0
            cash_out += cents if credits else 0
        vat: dict[str, int] = {}
        for (segment, at, during, rate), cents in self.vat.items():
            if within(segment, at, during):
                vat[str(rate)] = vat.get(str(rate), 0) + cents
        return Figures(
            scope=scope,
            first_transfer_id=first,
            last_transfer_id=last,
            totals=totals,
            counts=counts,
            vat=vat,
            sales_total=sales,
            cash_in=cash_in,
            cash_out=cash_out,
        ).canonical()


def check_closures(
    session: Session, heads: dict[int, bytes], recomputed: ZFigures
) -> tuple[int, list[str]]:
    """How many Z were read, and what is wrong with them, in the office's words."""
    problems: list[str] = []
    head = session.get_one(LedgerHead, 1)
    signed = signatures(session)
    previous_hash = GENESIS
    grand_totals: dict[str, int] = {}
    expected_number = 1
    read = 0
    for closure in session.scalars(select(Closure).order_by(Closure.number)):
        read += 1
        label = z_label(closure.number, closure.scope)
        if closure.number != expected_number:
            problems.append(
                _("Z n°{expected_number} manquant (numérotation trouée)").format(
                    expected_number=expected_number
                )
            )
        expected_number = closure.number + 1
        if closure_hash(previous_hash, closure) != closure.hash:
            problems.append(
                _("{label} modifié : son empreinte ne correspond plus").format(
                    label=_("Z n°{number}").format(number=closure.number)
                )
            )
        previous_hash = closure.hash
        journal_head = heads.get(closure.last_transfer_id, GENESIS)
        if closure.chain_head != journal_head:
            problems.append(
                _("{label} : sa tête de chaîne ne correspond plus au journal").format(label=label)
            )
        signature = signed.get(closure.number)
        if signature is None:
            if closure.number >= head.signed_from:
                problems.append(_("{label} : signature absente").format(label=label))
        elif not signature_holds(signature[0] or b"", closure, signature[1]):
            problems.append(_("{label} : signature invalide").format(label=label))
        figures = recomputed.of(closure.scope, closure.first_transfer_id, closure.last_transfer_id)
        if figures != closure.totals:
            problems.append(
                _("{label} : ses montants ne correspondent plus au journal").format(label=label)
            )
        running = grand_totals.get(closure.scope, 0) + orjson.loads(closure.totals)["sales_total"]
        grand_totals[closure.scope] = running
        if running != closure.grand_total:
            problems.append(
                _("{label} : grand total {total} ≠ {running}").format(
                    label=label, total=closure.grand_total, running=running
                )
            )
    for number in sorted(set(signed) - set(range(1, expected_number))):
        problems.append(
            _("la clôture Z n°{number} a été signée mais n'est plus dans la base").format(
                number=number
            )
        )
    if expected_number - 1 != head.last_closure_number:
        problems.append(
            _("Z n°{expected_number} à n°{last_closure_number} manquants (supprimés)").format(
                expected_number=expected_number, last_closure_number=head.last_closure_number
            )
        )
    elif previous_hash != head.last_closure_hash:
        problems.append(_("la chaîne des Z ne correspond pas à la tête"))
    return read, problems

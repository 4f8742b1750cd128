"""The checks every journal import makes of a line's meaning, and the fleet's trust.

Every import checks, whoever calls it: a gift top-up (``"pay":"offered"``) credits a gift
token only, and no amount of a line exceeds the ceiling (:data:`HARD_LIMIT` at most). With a
:class:`Trust`, a line must also come from a terminal of the fleet, carry that terminal's
signature (unless a manager chose to import the file unsigned), name a point of sale the
terminal was configured for, and refund only where refunds are allowed. The rules are read
from the base by :func:`regie.ledger.journal_trust.line_rules`; the import's second process
gets them read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from regie.i18n import _
from regie.ledger.entries import Entry
from regie.ledger.journal_lines import BadLine
from regie.ledger.journal_mapper import NO_SIGNATURES, Signatures, unpaired
from regie.money import format_money

HARD_LIMIT = 100_000_000_000  # cents: 1 billion euros, far below 2^53, whatever the setting


@dataclass(frozen=True, kw_only=True)
class TrustedTerminal:
    """One terminal of the fleet as the import sees it."""

    secret: bytes | None  # None: not paired on this computer
    points_of_sale: frozenset[str]  # every point of sale it was configured for
    refund_points: frozenset[str]  # those of them where a refund may be made


@dataclass(frozen=True, kw_only=True)
class Trust:
    terminals: Mapping[str, TrustedTerminal]
    signed: bool = True  # False: a manager chose to import unsigned lines (recorded)
    reason: str = ""

    def secrets(self) -> dict[str, bytes]:
        return {name: t.secret for name, t in self.terminals.items() if t.secret is not None}


@dataclass(kw_only=True)
class LineRules:
    """The checks of one import: built once, applied to every line."""

    ceiling: int
    gift_assets: frozenset[str]
    trust: Trust | None = None

    def check_entry(self, entry: Entry) -> None:
        """Raise BadLine when the line's meaning is not allowed (field named)."""
        if entry.op == "void":
            return  # a void repeats the line it cancels, checked when that one came
        for leg in entry.legs:
            if leg[3] > self.ceiling:
                raise BadLine(
                    "amount",
                    _("{amount} dépasse le plafond d'une ligne ({ceiling})").format(
                        amount=format_money(leg[3]), ceiling=format_money(self.ceiling)
                    ),
                )
        if entry.op == "topup" and entry.method == "offered":
            asset = entry.legs[0][2]
            if asset not in self.gift_assets:
                raise BadLine(
                    "asset",
                    _(
                        "une recharge offerte ne crédite qu'un jeton cadeau ({gifts}), pas {asset}"
                    ).format(gifts=", ".join(sorted(self.gift_assets)) or "—", asset=asset),
                )
        if self.trust is None:
            return
        terminal = self.trust.terminals.get(entry.source)
        if terminal is None:
            if self.trust.signed:
                raise BadLine("terminal", unpaired(entry.source))
            return  # unsigned import of a terminal Régie does not know: the manager's choice
        if entry.pos not in terminal.points_of_sale:
            raise BadLine(
                "pos",
                _(
                    "{terminal} n'a jamais été configuré pour « {pos} » (seulement : {known})"
                ).format(
                    terminal=entry.source,
                    pos=entry.pos,
                    known=", ".join(sorted(terminal.points_of_sale)) or "—",
                ),
            )
        if entry.op == "refund" and entry.pos not in terminal.refund_points:
            raise BadLine(
                "op",
                _(
                    "remboursement refusé : « {pos} » n'est pas un point de vente qui rembourse "
                    "(un responsable peut l'y autoriser)"
                ).format(pos=entry.pos),
            )


def signatures_of(trust: Trust | None) -> Signatures:
    """What the lines' signatures are checked against (nothing without a trust)."""
    if trust is None:
        return NO_SIGNATURES
    return Signatures(secrets=trust.secrets(), required=trust.signed)

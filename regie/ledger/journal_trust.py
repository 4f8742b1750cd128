"""What the journal import trusts: each paired terminal's secret and configuration, the
ceiling of a line, and the manager's choice to import a file nobody signed.

The ledger does not know the fleet (the terminals sit above it): the fleet's
:class:`Trust` is built by :mod:`regie.terminals.pairing` and handed to the import, by the
pull directly, by the command line and the window through :func:`install_fleet` (the
composition roots install it, as they install the audit trail).

Every import checks, whoever calls it: a gift top-up (``"pay":"offered"``) credits a gift
token only, and no amount of a line exceeds the ceiling (``convention.journal_line_ceiling_
cents``, 10,000 € by default, never above :data:`HARD_LIMIT`). With a :class:`Trust`, a line
must also come from a terminal of the fleet, carry that terminal's signature (unless a
manager chose to import the file unsigned), name a point of sale the terminal was configured
for, and refund only where refunds are allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import UserError
from regie.i18n import N_, _
from regie.ledger.entries import Entry
from regie.ledger.journal_lines import BadLine
from regie.ledger.journal_mapper import NO_SIGNATURES, Signatures, unpaired
from regie.ledger.models import LedgerAsset
from regie.money import format_money
from regie.people.actor import audit_actor, require
from regie.people.models import AuditEntry
from regie.people.roles import Permission
from regie.settings.convention import settings_at

HARD_LIMIT = 100_000_000_000  # cents: 1 billion euros, far below 2^53, whatever the setting
UNSIGNED_ACTION = "ledger.unsigned"
UNSIGNED_TEXT = N_("Import non signé de {files} ({lines} lignes) : {reason}")


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

    @classmethod
    def load(cls, session: Session, trust: Trust | None) -> LineRules:
        ceiling = settings_at(session, clock.today()).values.get(
            "journal_line_ceiling_cents", HARD_LIMIT
        )
        gifts = session.scalars(select(LedgerAsset.code).where(LedgerAsset.kind == "gift"))
        return cls(
            ceiling=min(int(ceiling), HARD_LIMIT),
            gift_assets=frozenset(gifts),
            trust=trust,
        )

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


# -- the fleet, installed by the composition roots -----------------------------------------------
FleetTrust = Callable[[Session], Mapping[str, TrustedTerminal]]
_fleet: list[FleetTrust] = []


def install_fleet(source: FleetTrust) -> None:
    """How the import learns the fleet (idempotent); :mod:`regie.cli` and the window call it."""
    _fleet[:] = [source]


def fleet_trust(session: Session, *, unsigned: str | None = None) -> Trust:
    """The fleet's trust for a file import; ``unsigned``: the manager's reason to accept lines
    nobody signed (checked: a manager's permission, a reason)."""
    if not _fleet:
        raise UserError(_("les terminaux ne sont pas chargés : import impossible"))
    terminals = _fleet[0](session)
    if unsigned is None:
        return Trust(terminals=terminals)
    reason = unsigned.strip()
    if len(reason) < 5:
        raise UserError(
            _("fichiers non signés : dites pourquoi ils ne le sont pas (5 caractères au moins)"),
            command=_(
                "--unsigned : dites pourquoi ce fichier n'est pas signé (5 caractères au moins)"
            ),
        )
    require(session, Permission.IMPORT_UNSIGNED)
    return Trust(terminals=terminals, signed=False, reason=reason[:500])


def record_unsigned(session: Session, trust: Trust, files: list[str], lines: int) -> None:
    """The manager's choice in the audit trail, in the import's own transaction."""
    actor = audit_actor()
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=actor.name,
            role=actor.role,
            action=UNSIGNED_ACTION,
            subject=", ".join(files)[:200],
            template=UNSIGNED_TEXT,
            params=orjson.dumps(
                {"files": ", ".join(files), "lines": lines, "reason": trust.reason}
            ).decode(),
        )
    )
    session.flush()

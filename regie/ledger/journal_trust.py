"""What the journal import trusts: each paired terminal's secret and configuration, the
ceiling of a line, and the manager's choice to import a file nobody signed.

The ledger does not know the fleet (the terminals sit above it): the fleet's
:class:`Trust` is built by :mod:`regie.terminals.pairing` and handed to the import, by the
pull directly, by the command line and the window through :func:`install_fleet` (the
composition roots install it, as they install the audit trail).

What every import checks with them is :mod:`regie.ledger.journal_rules`' (which reads
nothing: the import's second process runs it); here they are read from the base — the
ceiling (``convention.journal_line_ceiling_cents``, 10,000 € by default, never above
:data:`HARD_LIMIT`) and the gift tokens (:func:`line_rules`) — and the fleet's trust built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import UserError
from regie.i18n import N_, _
from regie.ledger.journal_rules import HARD_LIMIT, LineRules, Trust, TrustedTerminal, signatures_of
from regie.ledger.models import LedgerAsset
from regie.people.actor import audit_actor, require
from regie.people.models import AuditEntry
from regie.people.roles import Permission
from regie.settings.convention import settings_at

__all__ = [  # the checks themselves are journal_rules', given here too
    "HARD_LIMIT",
    "LineRules",
    "Trust",
    "TrustedTerminal",
    "fleet_trust",
    "install_fleet",
    "line_rules",
    "record_unsigned",
    "signatures_of",
]

UNSIGNED_ACTION = "ledger.unsigned"
UNSIGNED_TEXT = N_("Import non signé de {files} ({lines} lignes) : {reason}")


def line_rules(session: Session, trust: Trust | None) -> LineRules:
    """The checks of one import, the ceiling and the gift tokens read from the base."""
    ceiling = settings_at(session, clock.today()).values.get(
        "journal_line_ceiling_cents", HARD_LIMIT
    )
    gifts = session.scalars(select(LedgerAsset.code).where(LedgerAsset.kind == "gift"))
    return LineRules(
        ceiling=min(int(ceiling), HARD_LIMIT), gift_assets=frozenset(gifts), trust=trust
    )


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

"""What the journal import may believe of each terminal: its secret (from the keyring), the
points of sale it was configured for, those where it may refund (the desks).

:func:`fleet_terminals` is what :mod:`regie.ledger.journal_trust` asks for; the composition
roots install it (:func:`install`), the pull passes it directly.
"""

from __future__ import annotations

import logging

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import NotFound, UserError
from regie.i18n import _
from regie.inventory.models import Asset
from regie.ledger.journal_trust import Trust, TrustedTerminal, install_fleet
from regie.ledger.models import PointOfSale
from regie.terminals.models import RefundPoint, Terminal, TerminalConfig
from regie.terminals.pairing import Identity, stored_secret

log = logging.getLogger(__name__)


def refund_points(session: Session) -> list[str]:
    """The points of sale where a terminal may refund a card, by name."""
    return sorted(
        session.scalars(
            select(PointOfSale.name).join(RefundPoint, RefundPoint.pos_id == PointOfSale.id)
        )
    )


def allow_refunds(session: Session, pos: str, allowed: bool = True) -> None:
    """Allow (or forbid) refunds at a point of sale; push its terminals' configurations."""
    place = session.scalar(select(PointOfSale).where(PointOfSale.name == pos.strip()))
    if place is None:
        raise NotFound(_("point de vente inconnu : {name}").format(name=pos))
    row = session.get(RefundPoint, place.id)
    if allowed and row is None:
        session.add(RefundPoint(pos_id=place.id))
    elif not allowed and row is not None:
        session.delete(row)
    session.flush()


def fleet_terminals(session: Session) -> dict[str, TrustedTerminal]:
    """Every terminal of the fleet as the import sees it (one keyring read per terminal)."""
    names = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
    refunds = frozenset(refund_points(session))
    configured: dict[int, set[str]] = {}
    for terminal_id, body in session.execute(
        select(TerminalConfig.terminal_id, TerminalConfig.body)
    ):
        pos = _pos_of(body)
        if pos:
            configured.setdefault(terminal_id, set()).add(pos)
    found = {}
    for terminal, tag, serial in session.execute(
        select(Terminal, Asset.tag, Asset.serial_number).outerjoin(
            Asset, Asset.id == Terminal.asset_id
        )
    ):
        places = configured.get(terminal.id, set())
        if terminal.pos_id is not None:
            places.add(names[terminal.pos_id])
        who = Identity(name=terminal.name, tag=tag or "", serial=(serial or "").strip())
        try:
            secret = stored_secret(who)
        except UserError as error:  # no keyring here: no terminal is paired with this computer
            log.warning("secrets des terminaux illisibles : %s", error)
            secret = None
        found[terminal.name] = TrustedTerminal(
            secret=secret,
            points_of_sale=frozenset(places),
            refund_points=refunds & frozenset(places),
        )
    return found


def _pos_of(body: str) -> str:
    """The point of sale a stored bundle names."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    pos = value.get("pos") if isinstance(value, dict) else None
    return str(pos.get("name") or "") if isinstance(pos, dict) else ""


def fleet_trust(session: Session) -> Trust:
    """The trust of a pull: every line signed by a paired terminal of the fleet."""
    return Trust(terminals=fleet_terminals(session))


def install() -> None:
    """Let the ledger's file import know the fleet (the CLI and the window call this)."""
    install_fleet(fleet_terminals)

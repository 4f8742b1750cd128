"""Configuration bundles: what a terminal needs for the event, as canonical JSON, versioned
per terminal and identified by the SHA-256 of its bytes.

Building the bundle again from unchanged data gives the same bytes, hence the same hash and
the same version: a new version exists only when something a terminal sees has changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from regie import clock
from regie.cards.staff import ALL_POINTS_OF_SALE, staff_cards
from regie.cards.states import block_list
from regie.errors import Conflict, NotFound, UserError
from regie.i18n import _
from regie.ledger.models import LedgerAsset, PointOfSale
from regie.terminals.models import MenuItem, RefundPoint, Terminal, TerminalConfig
from regie.terminals.registry import find_terminal, settings

FORMAT = 1
# Before the ledger knows any token, terminals take the local euro.
DEFAULT_ASSETS = [
    {"code": "EUR", "name": "Euro local", "kind": "local", "rank": 10, "refundable": True}
]


@dataclass(frozen=True)
class Bundle:
    terminal: str
    version: int
    hash: str
    body: bytes
    new: bool  # this version was made now

    @property
    def data(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.body)
        return value


def canonical(data: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: one byte sequence per content."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def bundle_data(session: Session, terminal: Terminal) -> dict[str, Any]:
    """The terminal's configuration from the event's data (no version: that is the store's)."""
    if terminal.pos_id is None:
        raise UserError(
            _(
                "{name} n'a pas de point de vente : il lui en faut un avant sa configuration "
                "(la fenêtre ne sait pas encore le choisir : demandez-le à qui installe Régie)"
            ).format(name=terminal.name),
            command=_(
                "{name} n'a pas de point de vente : choisissez-le d'abord "
                "(regie terminals assign {name} POINT_DE_VENTE)"
            ).format(name=terminal.name),
        )
    pos = session.get_one(PointOfSale, terminal.pos_id).name
    place: dict[str, Any] = {"name": pos}
    if session.get(RefundPoint, terminal.pos_id) is not None:
        place["refunds"] = True  # a desk: its terminals may refund a card's balance
    items = list(
        session.scalars(
            select(MenuItem).where(MenuItem.pos_id == terminal.pos_id).order_by(MenuItem.position)
        )
    )
    categories = list(dict.fromkeys(item.category for item in items if item.category))
    event = settings(session)
    server: dict[str, Any] = {"url": event.server_url}
    if terminal.api_key:
        server["api_key"] = terminal.api_key
    else:
        server["pin"] = terminal.pairing_pin
    return {
        "format": FORMAT,
        "terminal": terminal.name,
        "event": event.event_name,
        "pos": place,
        "categories": categories,
        "products": [
            {"name": i.product, "category": i.category, "price": i.price_cents, "vat": i.vat_bp}
            for i in items
        ],
        "assets": _assets(session),
        "server": server,
        "wifi": {"ssid": event.wifi_ssid, "password": event.wifi_password},
        "locale": event.locale,
        "printer": {"width": terminal.printer_width},
        "staff": _staff(session, pos),
        "blocked": sorted(
            (
                {"uid": c.uid, "number": c.number, "state": str(c.state)}
                for c in block_list(session)
            ),
            key=lambda entry: entry["uid"],
        ),
    }


def _assets(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(LedgerAsset).order_by(LedgerAsset.payment_rank, LedgerAsset.code))
    found = [
        {
            "code": a.code,
            "name": a.name,
            "kind": a.kind,
            "rank": a.payment_rank,
            "refundable": a.refundable,
        }
        for a in rows
    ]
    return found or DEFAULT_ASSETS


def _staff(session: Session, pos: str) -> list[dict[str, Any]]:
    now = clock.now()
    cards = []
    for info in staff_cards(session):
        places = info.points_of_sale
        if info.revoked or not info.uid or (info.expires_at and info.expires_at <= now):
            continue
        if ALL_POINTS_OF_SALE not in places and pos not in places:
            continue
        cards.append(
            {
                "uid": info.uid,
                "number": info.number,
                "person": info.person,
                "manager": info.manager,
                "expires": info.expires_at.isoformat(timespec="seconds")
                if info.expires_at
                else None,
            }
        )
    return sorted(cards, key=lambda card: card["uid"])


def _latest(session: Session, terminal: Terminal) -> TerminalConfig | None:
    return session.scalar(
        select(TerminalConfig)
        .where(TerminalConfig.terminal_id == terminal.id)
        .order_by(TerminalConfig.version.desc())
        .limit(1)
    )


def _bundle(terminal: Terminal, row: TerminalConfig, new: bool = False) -> Bundle:
    return Bundle(
        terminal=terminal.name, version=row.version, hash=row.hash, body=row.body.encode(), new=new
    )


def prepare_config(session: Session, name: str) -> Bundle:
    """The terminal's bundle as the data stands: the newest version, or a new one."""
    terminal = find_terminal(session, name)
    body = canonical(bundle_data(session, terminal))
    hashed = digest(body)
    for _attempt in range(3):
        latest = _latest(session, terminal)
        if latest is not None and latest.hash == hashed:
            return _bundle(terminal, latest)
        row = TerminalConfig(
            terminal_id=terminal.id,
            version=(latest.version + 1) if latest else 1,
            hash=hashed,
            size=len(body),
            body=body.decode(),
        )
        try:
            with session.begin_nested():
                session.add(row)
            return _bundle(terminal, row, new=True)
        except IntegrityError:  # another screen or laptop stored this version meanwhile
            continue
    raise Conflict(
        _("{name} : configuration modifiée ailleurs pendant la lecture, réessayez").format(
            name=name
        )
    )


def config_version(session: Session, name: str, version: int) -> Bundle:
    terminal = find_terminal(session, name)
    row = session.scalar(
        select(TerminalConfig).where(
            TerminalConfig.terminal_id == terminal.id, TerminalConfig.version == version
        )
    )
    if row is None:
        raise NotFound(
            _("{name} n'a pas de configuration v{version}").format(name=name, version=version)
        )
    return _bundle(terminal, row)


def running_config(session: Session, name: str) -> Bundle | None:
    """The version the terminal said it runs, when Régie made it."""
    terminal = find_terminal(session, name)
    if not terminal.config_hash:
        return None
    row = session.scalar(
        select(TerminalConfig)
        .where(
            TerminalConfig.terminal_id == terminal.id, TerminalConfig.hash == terminal.config_hash
        )
        .order_by(TerminalConfig.version.desc())
        .limit(1)
    )
    return _bundle(terminal, row) if row is not None else None

"""The fleet: terminals registered on inventory assets, their points of sale, the menus of the
points of sale, the settings every terminal shares, and the history of the link."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, NotFound, UserError
from regie.i18n import _
from regie.inventory.models import Asset, AssetModel
from regie.ledger.models import PointOfSale
from regie.terminals.link import Hello
from regie.terminals.models import (
    JournalPull,
    MenuItem,
    Terminal,
    TerminalConfig,
    TerminalEvent,
    TerminalSettings,
)

WIDE_PRINTERS = ("D3",)  # 80 mm printers: 48 characters a line; the others print 58 mm (32)


@dataclass(frozen=True, kw_only=True)
class TerminalInfo:
    name: str
    asset_tag: str
    model: str
    serial_number: str
    pos: str
    port: str
    agent_version: str
    protocol: int | None
    config_version: int | None
    config_hash: str
    prepared_version: int | None  # the newest version Régie has built
    last_seen: dt.datetime | None
    last_seq: int
    printer_width: int


@dataclass(frozen=True)
class MenuLine:
    product: str
    category: str
    price_cents: int
    vat_bp: int


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def find_terminal(session: Session, name: str) -> Terminal:
    terminal = session.scalar(select(Terminal).where(Terminal.name == name.strip()))
    if terminal is None:
        raise NotFound(
            _("terminal inconnu : {name} (Terminaux › Parc les montre)").format(name=name),
            command=_("terminal inconnu : {name} (regie terminals list les montre)").format(
                name=name
            ),
        )
    return terminal


def find_pos(session: Session, name: str) -> PointOfSale:
    pos = session.scalar(select(PointOfSale).where(PointOfSale.name == name.strip()))
    if pos is None:
        raise NotFound(
            _("point de vente inconnu : {name} (il lui faut d'abord un menu)").format(name=name),
            command=_(
                "point de vente inconnu : {name} (donnez-lui d'abord un menu "
                ": regie terminals menu « {name} » --set …)"
            ).format(name=name),
        )
    return pos


def list_terminals(session: Session) -> list[TerminalInfo]:
    prepared = (
        select(TerminalConfig.terminal_id, func.max(TerminalConfig.version).label("version"))
        .group_by(TerminalConfig.terminal_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Terminal,
            Asset.tag,
            Asset.serial_number,
            AssetModel.name,
            PointOfSale.name,
            prepared.c.version,
        )
        .outerjoin(Asset, Asset.id == Terminal.asset_id)
        .outerjoin(AssetModel, AssetModel.id == Asset.model_id)
        .outerjoin(PointOfSale, PointOfSale.id == Terminal.pos_id)
        .outerjoin(prepared, prepared.c.terminal_id == Terminal.id)
        .order_by(Terminal.name)
    )
    return [
        TerminalInfo(
            name=t.name,
            asset_tag=tag or "",
            model=model or "",
            serial_number=serial or "",
            pos=pos or "",
            port=t.port,
            agent_version=t.agent_version,
            protocol=t.protocol,
            config_version=t.config_version,
            config_hash=t.config_hash,
            prepared_version=version,
            last_seen=aware(t.last_seen),
            last_seq=t.last_seq,
            printer_width=t.printer_width,
        )
        for t, tag, serial, model, pos, version in rows
    ]


def register_terminal(
    session: Session,
    asset_tag: str,
    *,
    name: str | None = None,
    pos: str | None = None,
    port: str = "",
) -> Terminal:
    """Make an inventory asset a terminal of the fleet, with a fresh pairing PIN."""
    asset = session.scalar(select(Asset).where(Asset.tag == asset_tag.strip()))
    if asset is None:
        raise NotFound(_("matériel inconnu : {asset_tag}").format(asset_tag=asset_tag))
    taken = session.scalar(select(Terminal.name).where(Terminal.asset_id == asset.id))
    if taken is not None:
        raise Conflict(_("{tag} est déjà le terminal {taken}").format(tag=asset.tag, taken=taken))
    name = (name or asset.tag).strip().upper()
    if not name or len(name) > 40:
        raise UserError(_("un nom de terminal fait de 1 à 40 caractères"))
    if session.scalar(select(Terminal.id).where(Terminal.name == name)) is not None:
        raise Conflict(_("le nom {name} est déjà pris").format(name=name))
    model = session.get_one(AssetModel, asset.model_id).name
    terminal = Terminal(
        name=name,
        asset_id=asset.id,
        pos_id=find_pos(session, pos).id if pos else None,
        pairing_pin=f"{secrets.randbelow(1_000_000):06d}",
        api_key="",
        printer_width=48 if any(w in model for w in WIDE_PRINTERS) else 32,
        port=port,
        agent_version="",
        config_hash="",
        last_seq=0,
        notes="",
    )
    session.add(terminal)
    session.flush()
    return terminal


def assign_pos(session: Session, name: str, pos: str) -> Terminal:
    terminal = find_terminal(session, name)
    terminal.pos_id = find_pos(session, pos).id
    return terminal


def remember_port(session: Session, name: str, port: str) -> None:
    find_terminal(session, name).port = port.strip()


# -- settings shared by every terminal ---------------------------------------------------------
def settings(session: Session) -> TerminalSettings:
    row = session.get(TerminalSettings, 1)
    if row is None:
        row = TerminalSettings(
            id=1, event_name="", server_url="", wifi_ssid="", wifi_password="", locale="fr_FR"
        )
        session.add(row)
        session.flush()
    return row


SETTING_FIELDS = ("event_name", "server_url", "wifi_ssid", "wifi_password", "locale")


def update_settings(session: Session, **values: str) -> TerminalSettings:
    row = settings(session)
    for key, value in values.items():
        if key not in SETTING_FIELDS:
            raise UserError(_("réglage inconnu : {key}").format(key=key))
        if key == "server_url" and value and not value.startswith(("https://", "http://")):
            raise UserError(
                _("adresse de serveur attendue en https://… (lu « {value} »)").format(value=value)
            )
        setattr(row, key, value.strip())
    return row


# -- menus ---------------------------------------------------------------------------------------
def menu(session: Session, pos: str) -> list[MenuLine]:
    place = find_pos(session, pos)
    return [
        MenuLine(
            product=item.product,
            category=item.category,
            price_cents=item.price_cents,
            vat_bp=item.vat_bp,
        )
        for item in session.scalars(
            select(MenuItem).where(MenuItem.pos_id == place.id).order_by(MenuItem.position)
        )
    ]


def set_menu_item(
    session: Session, pos: str, product: str, price_cents: int, vat_bp: int, category: str = ""
) -> MenuLine:
    """Add or change a product on a point of sale's menu (the point of sale is created)."""
    product, pos = product.strip(), pos.strip()
    if not product or not pos:
        raise UserError(_("un produit a un nom et un point de vente"))
    if price_cents < 0:
        raise UserError(
            _("prix négatif pour {product} : {price_cents} centimes").format(
                product=product, price_cents=price_cents
            )
        )
    if not 0 <= vat_bp <= 10_000:
        raise UserError(
            _("taux de TVA impossible pour {product} : {vat_bp} points de base").format(
                product=product, vat_bp=vat_bp
            )
        )
    place = session.scalar(select(PointOfSale).where(PointOfSale.name == pos))
    if place is None:
        place = PointOfSale(name=pos)
        session.add(place)
        session.flush()
    item = session.scalar(
        select(MenuItem).where(MenuItem.pos_id == place.id, MenuItem.product == product)
    )
    if item is None:
        last = session.scalar(
            select(func.max(MenuItem.position)).where(MenuItem.pos_id == place.id)
        )
        item = MenuItem(pos_id=place.id, product=product, position=(last or 0) + 1)
        session.add(item)
    item.price_cents, item.vat_bp, item.category = price_cents, vat_bp, category.strip()
    session.flush()
    return MenuLine(
        product=item.product,
        category=item.category,
        price_cents=item.price_cents,
        vat_bp=item.vat_bp,
    )


def remove_menu_item(session: Session, pos: str, product: str) -> None:
    place = find_pos(session, pos)
    item = session.scalar(
        select(MenuItem).where(MenuItem.pos_id == place.id, MenuItem.product == product.strip())
    )
    if item is None:
        raise NotFound(_("{product} n'est pas au menu de {pos}").format(product=product, pos=pos))
    session.delete(item)


# -- history -------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class LinkEvent:
    terminal: str
    at: dt.datetime
    kind: str
    ok: bool
    port: str
    detail: str


def record_event(
    session: Session, terminal: Terminal, kind: str, ok: bool, port: str, detail: str
) -> None:
    session.add(
        TerminalEvent(
            terminal_id=terminal.id, at=clock.now(), kind=kind, ok=ok, port=port, detail=detail
        )
    )


def link_events(session: Session, name: str | None = None, limit: int = 500) -> list[LinkEvent]:
    query = select(TerminalEvent, Terminal.name).join(Terminal)
    if name:
        query = query.where(Terminal.name == name)
    rows = session.execute(query.order_by(TerminalEvent.id.desc()).limit(limit))
    return [
        LinkEvent(
            terminal=terminal,
            at=aware(e.at) or e.at,
            kind=e.kind,
            ok=e.ok,
            port=e.port,
            detail=e.detail,
        )
        for e, terminal in rows
    ]


@dataclass(frozen=True, kw_only=True)
class PullRecord:
    terminal: str
    at: dt.datetime
    first_seq: int
    last_seq: int
    lines: int
    imported: int
    archive: str


def journal_pulls(session: Session, name: str | None = None, limit: int = 500) -> list[PullRecord]:
    query = select(JournalPull, Terminal.name).join(Terminal)
    if name:
        query = query.where(Terminal.name == name)
    rows = session.execute(query.order_by(JournalPull.id.desc()).limit(limit))
    return [
        PullRecord(
            terminal=t,
            at=aware(p.at) or p.at,
            first_seq=p.first_seq,
            last_seq=p.last_seq,
            lines=p.lines,
            imported=p.imported,
            archive=p.archive,
        )
        for p, t in rows
    ]


def note_hello(session: Session, terminal: Terminal, hello: Hello, port: str) -> None:
    """What a terminal said of itself: agent, protocol, the configuration it runs, when."""
    terminal.agent_version = hello.agent[:60]
    terminal.protocol = hello.protocol
    terminal.last_seen = clock.now()
    terminal.port = port
    if hello.config_hash != terminal.config_hash:
        version = session.scalar(
            select(TerminalConfig.version).where(
                TerminalConfig.terminal_id == terminal.id,
                TerminalConfig.hash == hello.config_hash,
            )
        )
        terminal.config_hash = hello.config_hash
        terminal.config_version = version if version is not None else hello.config_version

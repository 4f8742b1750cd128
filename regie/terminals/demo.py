"""The demo season's terminals: ten Sunmi of the CCC inventory, each named by its inventory
tag (the name on its sticker, in the journals and on screen), with its point of sale and
every point of sale with its menu. Registered before the season's journals are imported, so
each sale is attributed to the prestation its terminal was lent to. Reproducible."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.inventory.models import Asset
from regie.ledger.simulate import PRODUCTS
from regie.terminals.models import Terminal
from regie.terminals.registry import register_terminal, set_menu_item, update_settings
from regie.terminals.trust import allow_refunds

PRICES = {name: (unit, vat, category) for name, unit, vat, category in PRODUCTS}
MENUS = {
    "Bar Nord": [
        "Bière 25cl",
        "Bière 50cl",
        "Verre de vin",
        "Cocktail",
        "Eau 50cl",
        "Soda",
        "Écocup",
    ],
    "Bar Sud": ["Bière 25cl", "Bière 50cl", "Verre de vin", "Eau 50cl", "Soda", "Écocup"],
    "Bar Scène": ["Bière 25cl", "Bière 50cl", "Cocktail", "Eau 50cl", "Soda", "Écocup"],
    "Food Court": ["Frites", "Burger", "Eau 50cl", "Soda", "Café"],
    "Crêperie": ["Crêpe", "Café", "Soda", "Eau 50cl"],
    "Boutique": ["T-shirt", "Écocup"],
    "Caisse centrale": ["Écocup"],
    "Caisse entrée": ["Écocup"],
}
DESKS = ("Caisse centrale", "Caisse entrée")
# (inventory tag = terminal name, point of sale); the desks have two terminals each: the
# D3M at MamaStock, a V2s at MamAfrica (where no D3M was lent).
TERMINALS = (
    ("CCC-V2S-001", "Bar Nord"),
    ("CCC-V2S-002", "Bar Sud"),
    ("CCC-V2S-003", "Bar Scène"),
    ("CCC-V2S-004", "Food Court"),
    ("CCC-V2S-005", "Crêperie"),
    ("CCC-V2S-006", "Boutique"),
    ("CCC-D3M-001", "Caisse centrale"),
    ("CCC-D3M-002", "Caisse entrée"),
    ("CCC-V2S-007", "Caisse centrale"),
    ("CCC-V2S-008", "Caisse entrée"),
)


def fill_terminals_demo(session: Session) -> None:
    """Settings, menus and terminals (once); a no-op without the demo's Sunmi assets."""
    if session.scalar(select(Terminal.id).limit(1)) is not None:
        return
    tags = set(session.scalars(select(Asset.tag).where(Asset.tag.like("CCC-%"))))
    if not all(tag in tags for tag, _pos in TERMINALS):
        return
    update_settings(
        session,
        event_name="MamaStock 2026",
        server_url="https://mamastock.tibillet.example",
        wifi_ssid="MamaStock-Caisses",
        wifi_password="caisses-2026-demo",
        locale="fr_FR",
    )
    for pos, products in MENUS.items():
        for product in products:
            unit, vat, category = PRICES[product]
            set_menu_item(session, pos, product, unit, vat, category)
    for desk in DESKS:  # where cards are refunded; the bars refuse a refund line
        allow_refunds(session, desk)
    for number, (tag, pos) in enumerate(TERMINALS, 1):
        terminal = register_terminal(session, tag, pos=pos)
        terminal.pairing_pin = f"{(number * 137_911) % 1_000_000:06d}"  # stable screenshots
    session.flush()

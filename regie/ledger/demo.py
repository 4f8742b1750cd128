"""The demo season's money: three terminal journals, each imported and closed with its Z,
and the melting sweep that reaches back 14 months.

- MamAfrica 2025, the prior season (May 2025): a small journal whose cards are left with
  euros and gift tokens; most of them never come back;
- MamAfrica 2026 (May 29–31) and MamaStock 2026 (July 10–12): the same devices, named by
  their inventory tags (the lent, registered terminals: each sale is attributed to the
  prestation its terminal was lent to), and the same cards, some used at both events;
- the sweep of 2026-07-05, 14 months after MamAfrica 2025: the dormant balances melt.

Each terminal numbers its lines on from one journal to the next, as a real device does.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.ledger import melting
from regie.ledger.closures import close_z, event_scope
from regie.ledger.journal_import import import_journals
from regie.ledger.models import PointOfSale, Product, Source, Transfer
from regie.ledger.simulate import CATEGORIES, DESKS, Festival, pos_names, write_journal
from regie.models import Organisation

SUMMER = dt.timezone(dt.timedelta(hours=2))  # Montpellier in May and July
BARS = tuple(f"CCC-V2S-{n:03d}" for n in range(1, 7))  # Bar Nord … Boutique
DESKS_D3M = ("CCC-D3M-001", "CCC-D3M-002")  # Caisse centrale, Caisse entrée at MamaStock
DESKS_V2S = ("CCC-V2S-007", "CCC-V2S-008")  # the same desks at MamAfrica (no D3M lent)

MAMAFRICA_2025 = Festival(
    transactions=600,
    cards=300,
    first_card=800,  # cards 800–1099: only 800–899 come back, at MamaStock 2026
    points_of_sale=3,
    seed=2025,
    start=dt.datetime(2025, 5, 2, 16, 0, tzinfo=SUMMER),
    days=2,
    terminals=BARS[:3] + DESKS_V2S,
)
MAMAFRICA = Festival(
    transactions=2500,
    cards=600,  # cards 0–599: all of them can come back at MamaStock
    points_of_sale=4,
    seed=529,
    start=dt.datetime(2026, 5, 29, 14, 0, tzinfo=SUMMER),  # last sale June 1 before 14:00
    days=3,
    terminals=BARS[:4] + DESKS_V2S,
)
MAMASTOCK = Festival(
    transactions=6000,
    cards=900,
    points_of_sale=6,
    seed=712,
    start=dt.datetime(2026, 7, 10, 18, 0, tzinfo=SUMMER),  # last sale July 13 before 18:00
    days=3,
    terminals=BARS + DESKS_D3M,
)
# (prestation, journal, when its Z are closed: after its last sale)
JOURNALS = (
    ("MamAfrica 2025", MAMAFRICA_2025, dt.datetime(2025, 5, 4, 22, 0, tzinfo=dt.UTC)),
    ("MamAfrica 2026", MAMAFRICA, dt.datetime(2026, 6, 1, 11, 0, tzinfo=dt.UTC)),
    ("MamaStock 2026", MAMASTOCK, dt.datetime(2026, 7, 13, 16, 30, tzinfo=dt.UTC)),
)
MELTED_ON = dt.datetime(2026, 7, 5, 8, 0, tzinfo=dt.UTC)  # 14 months after MamAfrica 2025


def last_numbers(session: Session) -> dict[str, int]:
    """Each terminal's last line number in the ledger (its next journal goes on from it)."""
    rows = session.execute(
        select(Source.name, func.max(Transfer.seq))
        .join(Transfer, Transfer.source_id == Source.id)
        .where(Source.kind == "terminal")
        .group_by(Source.name)
    )
    return {name: int(seq) for name, seq in rows}


def import_festival(session: Session, spec: Festival, name: str) -> None:
    """Write ``spec``'s journal (numbered on from the ledger) and import it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name.lower().replace(' ', '-')}.jsonl"
        write_journal(spec, str(path), last_numbers(session))
        import_journals(session, [path])


def close_event(session: Session, name: str, spec: Festival, closed_at: dt.datetime) -> None:
    """The Z of every till that sold at it, then the Z of the event (its own transfers),
    after the last sale."""
    for pos in sorted([*pos_names(spec.points_of_sale), *DESKS]):
        close_z(session, f"pos:{pos}", period="event", now=closed_at)
    close_z(session, event_scope(name), period="event", now=closed_at)


def tidy_catalogue(session: Session) -> None:
    """The points of sale belong to Mamasound; products get their menu's category."""
    mamasound = session.scalars(
        select(Organisation.id).where(Organisation.short_name == "Mamasound")
    ).one()
    for pos in session.scalars(select(PointOfSale)):
        pos.organisation_id = mamasound
    for product in session.scalars(select(Product)):
        product.category = CATEGORIES.get(product.name, "")
    session.flush()


def play_journal(session: Session, prestation: str) -> None:
    """Import and close one of the season's journals (by its prestation's name)."""
    for name, spec, closed_at in JOURNALS:
        if name == prestation:
            import_festival(session, spec, name)
            tidy_catalogue(session)
            close_event(session, name, spec, closed_at)
            return
    raise KeyError(prestation)


def melt_dormant(session: Session) -> dict[str, int]:
    """The sweep of 2026-07-05: what MamAfrica 2025's cards kept melts (per asset)."""
    return melting.sweep(session, months=melting.DEFAULT_MONTHS, now=MELTED_ON)


def fill_ledger_demo(session: Session) -> None:
    """The three journals and the melt, in the season's order (without loans: days attribute).

    The full demo (:func:`regie.demo.fill_demo`) plays them between the loans instead."""
    play_journal(session, "MamAfrica 2025")
    play_journal(session, "MamAfrica 2026")
    melt_dormant(session)
    play_journal(session, "MamaStock 2026")

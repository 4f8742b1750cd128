"""The demo season: the convention's real equipment, its two owners, and a season played
through the real operations at their dates (``clock.frozen``):

- MamAfrica 2025 (May 2025), the prior season, external: a small journal, its invoice;
- MamAfrica 2026 (May 29–31), external for the association that runs it: the loan, the
  journal of the lent terminals, the Z, a screen cracked and repaired, Mamasound's invoice;
- the melting sweep of 2026-07-05, 14 months after MamAfrica 2025;
- MamaStock 2026 (July 10–12), Mamasound's own festival: the loan of everything, the
  journal, the Z, a card reader missing at check-in, priced at its book value;
- Le Rockstore's three autumn concerts on SoTicket, with the venue's ticketing invoices.

Figures come from the CCC/Mamasound convention draft (prices incl. VAT, at cost).
Filling is idempotent: a database that already holds the demo is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock, demo_season
from regie.cards.demo import fill_cards_demo
from regie.cards.demo_reader import pair_visitor_card
from regie.db import Database
from regie.inventory import incidents
from regie.inventory.bookings import Items
from regie.inventory.history import EventKind, record
from regie.inventory.loans import checkin, checkout
from regie.inventory.models import (
    Asset,
    AssetCategory,
    AssetModel,
    AssetStatus,
    Condition,
    Kit,
    Location,
    Payer,
    StockLot,
    Tracking,
)
from regie.ledger.demo import melt_dormant, play_journal
from regie.models import Organisation, Prestation
from regie.people.actor import Actor, acting_as, has_people
from regie.people.models import Person
from regie.people.roles import Permission, roles_allowed
from regie.terminals.demo import fill_terminals_demo

PURCHASED_ON = dt.date(2024, 9, 1)
PURCHASED_AT = dt.datetime(2024, 9, 1, 10, 0, tzinfo=dt.UTC)


@dataclass(frozen=True, kw_only=True)
class SerialLine:
    """A line of the convention's equipment list: N tagged items of one model."""

    count: int
    model: str
    manufacturer: str
    category: str
    tag_prefix: str
    unit_cost_cents: int


EQUIPMENT = (
    SerialLine(
        count=17,
        model="Sunmi V2s",
        manufacturer="Sunmi",
        category="Terminal de caisse",
        tag_prefix="V2S",
        unit_cost_cents=30000,
    ),
    SerialLine(
        count=2,
        model="Sunmi D3 mini",
        manufacturer="Sunmi",
        category="Terminal de caisse",
        tag_prefix="D3M",
        unit_cost_cents=30000,
    ),
    SerialLine(
        count=6,
        model="Stripe Reader S700",
        manufacturer="Stripe",
        category="TPE bancaire",
        tag_prefix="TPE",
        unit_cost_cents=30000,
    ),
    SerialLine(
        count=2,
        model="U7 Pro Outdoor",
        manufacturer="Ubiquiti",
        category="Borne Wi-Fi",
        tag_prefix="AP",
        unit_cost_cents=18000,
    ),
)

CARD_MODEL = "Carte NFC NTAG215"


@dataclass(frozen=True, kw_only=True)
class DemoSummary:
    created: bool
    organisations: int
    assets: int
    card_lots: int
    cards: int
    prestations: int


def fill_demo(db: Database) -> DemoSummary:
    """Fill ``db`` with the demo festival unless it is already there."""
    with db.session() as session:
        if session.scalar(select(Organisation).where(Organisation.short_name == "CCC")):
            return _summary(session, created=False)
        with _as_manager(session):
            _fill(session)
            session.flush()
            demo_season.add_clients(session)
            fill_cards_demo(session)
            pair_visitor_card(session)  # the card the guide lays on the simulated reader
            fill_terminals_demo(session)  # registered before the journals name them
            _season(session)
            session.flush()
        return _summary(session, created=True)


@contextmanager
def _as_manager(session: Session) -> Iterator[None]:
    """Closing the Z and melting need a manager once people exist: act as the first one."""
    if not has_people(session):
        yield
        return
    person = session.scalars(
        select(Person)
        .where(Person.active, Person.role.in_([str(r) for r in roles_allowed(Permission.MELT)]))
        .order_by(Person.id)
    ).first()
    actor = Actor(person.name, person.role, person.id) if person else None
    with acting_as(actor):
        yield


def _fill(session: Session) -> None:
    ccc = Organisation(
        short_name="CCC",
        name="Coopérative Code Commun",
        legal_form="SCIC SAS",
        address="Montpellier",
        siret="91234567800011",  # fictitious: the demo's invoices carry the mandatory mentions
        vat_number="FR40912345678",
        notes="Éditrice de TiBillet : technique, infrastructure, R&D.",
    )
    mamasound = Organisation(
        short_name="Mamasound",
        name="Collectif Mamasound",
        legal_form="Association loi 1901",
        address="Montpellier",
        siret="79876543200015",  # fictitious
        vat_number="FR21798765432",
        notes="Diffusion, mise en œuvre et commercialisation de la régie générale.",
    )
    depot = Location(name="Dépôt CCC", address="Montpellier")
    office = Location(name="Bureau Mamasound", address="Montpellier")
    session.add_all([ccc, mamasound, depot, office])

    categories: dict[str, AssetCategory] = {}

    def category(name: str) -> AssetCategory:
        if name not in categories:
            categories[name] = AssetCategory(name=name)
            session.add(categories[name])
        return categories[name]

    session.flush()
    for line in EQUIPMENT:
        model = AssetModel(
            name=line.model,
            manufacturer=line.manufacturer,
            category_id=_id(session, category(line.category)),
            tracking=Tracking.SERIAL,
            amortisation_months=36,
        )
        session.add(model)
        session.flush()
        for number in range(1, line.count + 1):
            asset = Asset(
                tag=f"CCC-{line.tag_prefix}-{number:03d}",
                serial_number=f"{line.tag_prefix}{2409000 + number}",
                model_id=model.id,
                owner_id=ccc.id,
                purchase_date=PURCHASED_ON,
                purchase_cost_cents=line.unit_cost_cents,
                amortisation_months=36,
                salvage_value_cents=0,
                status=AssetStatus.AVAILABLE,
                location_id=depot.id,
                notes="",
                # The access points carry an NFC sticker: the card reader identifies them.
                nfc_uid=f"04A9{number:010X}" if line.tag_prefix == "AP" else None,
            )
            session.add(asset)
            session.flush()
            record(session, asset, EventKind.CREATED, PURCHASED_AT, "achat (convention CCC)")

    card_model = AssetModel(
        name=CARD_MODEL,
        manufacturer="NXP",
        category_id=_id(session, category("Cartes NFC")),
        tracking=Tracking.QUANTITY,
        amortisation_months=36,
    )
    kit_model = AssetModel(
        name="Petit matériel",
        manufacturer="",
        category_id=_id(session, category("Câbles et réseau")),
        tracking=Tracking.QUANTITY,
        amortisation_months=36,
    )
    session.add_all([card_model, kit_model])
    session.flush()
    session.add_all(
        [
            StockLot(
                name="Cartes NFC CCC",
                model_id=card_model.id,
                owner_id=ccc.id,
                quantity=6000,
                unit_cost_cents=35,
                purchase_date=PURCHASED_ON,
                location_id=depot.id,
            ),
            StockLot(
                name="Cartes NFC Mamasound",
                model_id=card_model.id,
                owner_id=mamasound.id,
                quantity=11000,
                unit_cost_cents=35,
                purchase_date=PURCHASED_ON,
                location_id=office.id,
            ),
            StockLot(
                name="Câbles, switch, alimentations PoE et USB",
                model_id=kit_model.id,
                owner_id=ccc.id,
                quantity=1,
                unit_cost_cents=50000,
                purchase_date=PURCHASED_ON,
                notes="Câbles, rallonges, switch réseau, RJ45, alimentations PoE et USB.",
            ),
        ]
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _season(session: Session) -> None:
    """The season, in the order it happened."""
    with clock.frozen(_at(dt.date(2025, 5, 4), 22)):
        play_journal(session, "MamAfrica 2025")
    demo_season.invoice_mamafrica(session, 2025)
    demo_season.settle_and_invoice(session, "MamAfrica 2025", dt.date(2025, 6, 16))
    _mamafrica(session)
    with clock.frozen(_at(dt.date(2026, 7, 5), 8)):
        melt_dormant(session)
    _mamastock(session)
    demo_season.invoice_concerts(session)


def _mamafrica(session: Session) -> None:
    """MamAfrica 2026: the loan covers the selling days (May 29 to June 1, morning)."""
    case = Kit(tag="KIT-CAISSES-A", name="Valise caisses A (4 Sunmi V2s)")
    session.add(case)
    session.flush()
    for tag in ("CCC-V2S-011", "CCC-V2S-012", "CCC-V2S-013", "CCC-V2S-014"):
        session.scalars(select(Asset).where(Asset.tag == tag)).one().kit_id = case.id
    v2s = tuple(f"CCC-V2S-{n:03d}" for n in range(1, 11))
    readers = ("CCC-TPE-001", "CCC-TPE-002", "CCC-TPE-003")
    access_points = ("CCC-AP-001", "CCC-AP-002")

    with clock.frozen(_at(dt.date(2026, 5, 27), 9)):
        checkout(
            session,
            "Mamasound",
            Items(v2s + readers + access_points, ("KIT-CAISSES-A",), (("Cartes NFC CCC", 3000),)),
            due_on=dt.date(2026, 6, 2),
            prestation_name="MamAfrica 2026",
        )
    with clock.frozen(_at(dt.date(2026, 6, 1), 11)):
        play_journal(session, "MamAfrica 2026")
    with clock.frozen(_at(dt.date(2026, 6, 1), 14)):
        returned = dict.fromkeys(
            v2s + readers + access_points + ("CCC-V2S-011", "CCC-V2S-012"), Condition.OK
        )
        returned |= {"CCC-V2S-013": Condition.OK, "CCC-V2S-014": Condition.OK}
        returned["CCC-V2S-004"] = Condition.DAMAGED
        summary = checkin(session, returned, lots=(("Cartes NFC CCC", 2871),))
    cracked = summary.incidents[0]
    with clock.frozen(_at(dt.date(2026, 6, 3), 11)):
        incidents.start_repair(session, cracked, "écran fêlé, envoyé au SAV")
    with clock.frozen(_at(dt.date(2026, 6, 10), 16)):
        incidents.mark_repaired(session, cracked, 4500, "écran remplacé")
        incidents.settle_cost(session, cracked, 4500, Payer.BORROWER)
    demo_season.invoice_mamafrica(session, 2026)


def _mamastock(session: Session) -> None:
    """MamaStock 2026: everything lent; the last sale is on July 13 before 18:00 (local), the
    check-in after it; a card reader never comes back."""
    access_points = ("CCC-AP-001", "CCC-AP-002")
    everything = (
        *(f"CCC-V2S-{n:03d}" for n in range(1, 18)),
        "CCC-D3M-001",
        "CCC-D3M-002",
        *(f"CCC-TPE-{n:03d}" for n in range(1, 7)),
        *access_points,
    )
    with clock.frozen(_at(dt.date(2026, 7, 8), 9)):
        checkout(
            session,
            "Mamasound",
            Items(everything, (), (("Cartes NFC Mamasound", 5000),)),
            due_on=dt.date(2026, 7, 14),
            prestation_name="MamaStock 2026",
        )
    with clock.frozen(_at(dt.date(2026, 7, 13), 16)):
        play_journal(session, "MamaStock 2026")
    with clock.frozen(_at(dt.date(2026, 7, 13), 17)):
        back = dict.fromkeys(everything, Condition.OK)
        back["CCC-TPE-006"] = Condition.MISSING
        summary = checkin(session, back, lots=(("Cartes NFC Mamasound", 4790),))
        demo_season.price_losses(session, summary.incidents, dt.date(2026, 7, 13))


def _id(session: Session, row: AssetCategory) -> int:
    session.flush()
    return row.id


def _summary(session: Session, *, created: bool) -> DemoSummary:
    from sqlalchemy import func

    lots = session.scalars(
        select(StockLot)
        .join(AssetModel, StockLot.model_id == AssetModel.id)
        .where(AssetModel.name == CARD_MODEL)
    ).all()
    return DemoSummary(
        created=created,
        organisations=session.scalar(select(func.count()).select_from(Organisation)) or 0,
        assets=session.scalar(select(func.count()).select_from(Asset)) or 0,
        card_lots=len(lots),
        cards=sum(lot.quantity for lot in lots),
        prestations=session.scalar(select(func.count()).select_from(Prestation)) or 0,
    )

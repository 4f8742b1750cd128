"""The demo season's clients, prestations and invoices, with the mentions an invoice needs.

- MamAfrica (2025 and 2026) is an external prestation: Mamasound serves the association
  that runs the festival and invoices it (the base of the convention's split);
- MamaStock 2026 is Mamasound's own festival (client Mamasound, no invoice);
- Le Rockstore, a concert venue, runs three autumn concerts on SoTicket and issues its own
  ticketing invoices (the base of SoTicket's 2.5 %, per structure and per year);
- a terminal lost at MamaStock is priced at its book value on the day it came back missing.

The organisations are fictitious; their SIRET pass the Luhn check and their VAT numbers
carry the right key, so issuing never stops on a missing mention.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.inventory import incidents
from regie.inventory.amortisation import amortised_cents
from regie.inventory.models import Asset, Incident, Payer
from regie.models import Organisation, Prestation
from regie.settlement.invoices import LineInput, create_invoice

# The owners' SIRET and VAT numbers are set with them (regie.demo); here, where to write.
ADDRESSES = {
    "CCC": ("12 rue de l'Aiguillerie, 34000 Montpellier", "contact@codecommun.example"),
    "Mamasound": ("5 rue du Faubourg Figuerolles, 34070 Montpellier", "regie@mamasound.example"),
}

CLIENTS: tuple[dict[str, str], ...] = (
    {
        "short_name": "Asso MamAfrica",
        "name": "Association MamAfrica, musiques d'Afrique à Montpellier",
        "legal_form": "Association loi 1901",
        "siret": "51873264900018",
        "vat_number": "FR90518732649",
        "address": "Maison des associations, 2 rue Jean-Jacques Rousseau, 34000 Montpellier",
        "email": "bureau@mamafrica.example",
        "notes": "Organise le festival MamAfrica au parc Montcalm (fin mai).",
    },
    {
        "short_name": "Rockstore",
        "name": "Le Rockstore",
        "legal_form": "SARL",
        "siret": "39127485900035",
        "vat_number": "FR41391274859",
        "address": "20 rue de Verdun, 34000 Montpellier",
        "email": "billetterie@rockstore.example",
        "notes": "Salle de concerts ; billetterie SoTicket (barème par structure et par an).",
    },
    {
        "short_name": "Sud Concerts",
        "name": "Sud Concerts Production",
        "legal_form": "SARL",
        "siret": "83465127500010",
        "vat_number": "FR08834651275",
        "address": "8 avenue de Lodève, 34070 Montpellier",
        "email": "prod@sudconcerts.example",
        "notes": "Producteur des concerts d'automne en coréalisation avec le Rockstore.",
    },
)

# (name, day, ticketing turnover excl. VAT in cents): 6,200 + 4,800 + 7,000 = 18,000 € HT,
# whose 2.5 % (450 €) is under SoTicket's yearly floor (575 €): the year is brought up to it.
CONCERTS = (
    ("Rockstore · Nuit cumbia", dt.date(2026, 10, 9), 620000),
    ("Rockstore · Balkan Brass", dt.date(2026, 11, 6), 480000),
    ("Rockstore · Soirée rock 90", dt.date(2026, 11, 27), 700000),
)


def add_clients(session: Session) -> None:
    """The two owners' addresses, the clients and the season's prestations."""
    for org in session.scalars(select(Organisation).where(Organisation.short_name.in_(ADDRESSES))):
        org.address, org.email = ADDRESSES[org.short_name]
    session.add_all([Organisation(**values) for values in CLIENTS])
    session.flush()
    ids = {
        name: id_ for name, id_ in session.execute(select(Organisation.short_name, Organisation.id))
    }
    africa, venue = ids["Asso MamAfrica"], ids["Rockstore"]
    session.add_all(
        [
            Prestation(
                name="MamAfrica 2025",
                client_id=africa,
                starts_on=dt.date(2025, 5, 2),
                ends_on=dt.date(2025, 5, 4),
                place="Montpellier, parc Montcalm",
                kind="external",
                notes="Saison précédente : cartes restées chargées.",
            ),
            Prestation(
                name="MamAfrica 2026",
                client_id=africa,
                starts_on=dt.date(2026, 5, 29),
                ends_on=dt.date(2026, 5, 31),
                place="Montpellier, parc Montcalm",
                kind="external",
            ),
            Prestation(
                name="MamaStock 2026",
                client_id=ids["Mamasound"],
                starts_on=dt.date(2026, 7, 10),
                ends_on=dt.date(2026, 7, 12),
                place="Montpellier, domaine d'O",
                kind="own",
                notes="Festival de Mamasound : pas de cachet.",
            ),
            *(
                Prestation(
                    name=name,
                    client_id=venue,
                    starts_on=day,
                    ends_on=day,
                    place="Montpellier, Rockstore",
                    kind="external",
                    scheme="soticket",
                )
                for name, day, _turnover in CONCERTS
            ),
        ]
    )
    session.flush()


def _invoice(
    session: Session,
    issuer: str,
    client: str,
    prestation: str,
    day: dt.date,
    lines: list[LineInput],
) -> None:
    with clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)):
        create_invoice(
            session, issuer=issuer, client=client, prestation=prestation, lines=lines, issued_on=day
        )


def invoice_mamafrica(session: Session, year: int) -> None:
    """Mamasound's invoice to the association, the week after its festival."""
    if year == 2025:
        lines = [
            LineInput(
                label="Régie cashless : terminaux, cartes, serveur (3 jours)",
                quantity_milli=1000,
                unit_cents=320000,
                vat_bp=2000,
            )
        ]
        _invoice(
            session, "Mamasound", "Asso MamAfrica", "MamAfrica 2025", dt.date(2025, 5, 12), lines
        )
        return
    lines = [
        LineInput(
            label="Régie cashless : terminaux, cartes, serveur (3 jours)",
            quantity_milli=1000,
            unit_cents=950000,
            vat_bp=2000,
        ),
        LineInput(
            label="Personnel de caisse (jours)", quantity_milli=3000, unit_cents=45000, vat_bp=2000
        ),
        LineInput(
            label="Cachet régisseur TiBillet (jours)",
            quantity_milli=3000,
            unit_cents=25000,
            vat_bp=2000,
            kind="cachet",
        ),
    ]
    _invoice(session, "Mamasound", "Asso MamAfrica", "MamAfrica 2026", dt.date(2026, 6, 8), lines)


def invoice_concerts(session: Session) -> None:
    """The venue's ticketing invoices to the producer, the Monday after each concert
    (ticketing VAT 5.5 %)."""
    for name, day, turnover in CONCERTS:
        monday = day + dt.timedelta(days=7 - day.weekday())
        lines = [
            LineInput(
                label=f"Recettes de billetterie SoTicket : {name}",
                quantity_milli=1000,
                unit_cents=turnover,
                vat_bp=550,
            )
        ]
        _invoice(session, "Rockstore", "Sud Concerts", name, monday, lines)


def book_value(asset: Asset, on: dt.date) -> int:
    """What the asset was still worth on ``on`` (straight line, full months)."""
    amortised = amortised_cents(
        asset.purchase_cost_cents,
        asset.salvage_value_cents,
        asset.amortisation_months,
        asset.purchase_date,
        on,
    )
    return asset.purchase_cost_cents - amortised


def price_losses(session: Session, incident_ids: list[int], on: dt.date) -> None:
    """Lost equipment at its book value, lost cards at their unit cost: the borrower pays."""
    for number in incident_ids:
        incident = session.get_one(Incident, number)
        if incident.asset_id is not None:
            asset = session.get_one(Asset, incident.asset_id)
            incidents.settle_cost(session, number, book_value(asset, on), Payer.BORROWER)
        else:  # a lot's loss is already priced at the lot's unit cost
            incidents.settle_cost(session, number, incident.cost_cents, Payer.BORROWER)


def settle_and_invoice(session: Session, name: str, day: dt.date) -> None:
    """Last season's statement, recorded and invoiced by the cooperative to the partner, as
    the office did after the event (the season's first amortisation)."""
    from regie.settlement.convention import settle
    from regie.settlement.versions import cooperative_invoice, record

    with clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)):
        record(session, settle(session, name))
        cooperative_invoice(session, name, issued_on=day)

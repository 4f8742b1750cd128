"""The reference data in full, as the Référentiel lists it: every detail, counted models
too, sorted for people."""

from __future__ import annotations

import datetime as dt

from regie.db import Database
from regie.inventory.reference_list import (
    LotLine,
    ModelLine,
    OrganisationLine,
    PrestationLine,
    reference_lists,
)
from regie.inventory.register import add_model, add_organisation, add_prestation, add_stock_lot

SEPT = (dt.date(2027, 9, 10), dt.date(2027, 9, 12))


def test_reference_lists_show_every_detail_and_counted_models_too(demo: Database) -> None:
    with demo.session() as session:
        add_organisation(
            session,
            "Dunes",
            "Association Les Dunes",
            siret="12345678900012",
            vat_number="FR12345678901",
            address="Sète",
        )
        add_prestation(session, "Dunes 2027", "dunes", *SEPT, "Sète, plage")
        add_model(
            session,
            "Écocup 25cl",
            "Consommables",
            manufacturer="Ecocup",
            counted=True,
            amortisation_months=24,
        )
        add_stock_lot(
            session, "Écocups Dunes", "Écocup 25CL", "Dunes", 2000, 100, location="Dépôt CCC"
        )
    with demo.session() as session:
        lists = reference_lists(session)
    assert (
        OrganisationLine(
            "Dunes", "Association Les Dunes", "12345678900012", "FR12345678901", "Sète"
        )
        in lists.organisations
    )
    assert [line.name for line in lists.locations] == ["Bureau Mamasound", "Dépôt CCC"]
    assert lists.prestations[0] == PrestationLine("Dunes 2027", "Dunes", *SEPT, "Sète, plage")
    assert ModelLine("Écocup 25cl", "Consommables", "Ecocup", True, 24) in lists.models
    assert next(m for m in lists.models if m.name == "Sunmi V2s").counted is False
    assert "Consommables" in lists.categories and "Cartes NFC" in lists.categories
    assert (
        LotLine("Écocups Dunes", "Écocup 25cl", "Dunes", 2000, 2000, 100, "Dépôt CCC") in lists.lots
    )
    assert [lot.name for lot in lists.lots] == [  # "É" among the E, not after "Z"
        "Câbles, switch, alimentations PoE et USB",
        "Cartes NFC CCC",
        "Cartes NFC Mamasound",
        "Écocups Dunes",
    ]
    cards = next(lot for lot in lists.lots if lot.name == "Cartes NFC CCC")
    assert (cards.quantity, cards.in_stock) == (6000, 6000 - 129)  # MamAfrica's lost cards

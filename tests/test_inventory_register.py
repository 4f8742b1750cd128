"""Reference data and kits: what the office adds before an event."""

from __future__ import annotations

import datetime as dt

import pytest

from regie.db import Database
from regie.errors import Conflict, UserError
from regie.inventory.bookings import Items
from regie.inventory.loans import checkout
from regie.inventory.references import references
from regie.inventory.register import (
    add_location,
    add_model,
    add_organisation,
    add_prestation,
    add_stock_lot,
    create_kit,
    kits,
    put_in_kit,
    take_out_of_kit,
)


def test_new_reference_data_shows_in_the_choices(demo: Database) -> None:
    with demo.session() as session:
        add_organisation(session, "Dunes", "Association Les Dunes", siret="12345678900012")
        add_location(session, "Entrepôt Sète")
        add_prestation(session, "Dunes 2027", "dunes", dt.date(2027, 6, 10), dt.date(2027, 6, 12))
        add_model(session, "Écocup 25cl", "Consommables", counted=True)
        add_stock_lot(session, "Écocups Dunes", "Écocup 25CL", "Dunes", 2000, 100)
    with demo.session() as session:
        choices = references(session)
    assert "Dunes" in str(choices) and "Entrepôt Sète" in str(choices)
    assert "Dunes 2027" in str(choices) and "Écocups Dunes" in str(choices)


def test_duplicates_and_bad_values_are_refused(demo: Database) -> None:
    duplicate = pytest.raises(Conflict, match="organisation « ccc » existe déjà")
    with duplicate, demo.session() as session:
        add_organisation(session, "ccc")
    with pytest.raises(UserError, match="SIREN/SIRET invalide"), demo.session() as session:
        add_organisation(session, "X", siret="12AB")
    with pytest.raises(UserError, match="finit avant de commencer"), demo.session() as session:
        add_prestation(session, "Y", "CCC", dt.date(2027, 6, 12), dt.date(2027, 6, 10))
    with pytest.raises(UserError, match="au moins un élément"), demo.session() as session:
        add_stock_lot(session, "Z", "Sunmi V2s", "CCC", 0, 100)


def test_a_kit_is_filled_emptied_and_goes_out_whole(demo: Database) -> None:
    with demo.session() as session:
        create_kit(session, "kit-b", "Valise B")
        put_in_kit(session, "KIT-B", ["CCC-V2S-015", "CCC-V2S-016"])
        with pytest.raises(Conflict, match="déjà dans la valise KIT-CAISSES-A"):
            put_in_kit(session, "KIT-B", ["CCC-V2S-011"])
        take_out_of_kit(session, "KIT-B", ["CCC-V2S-016"])
        assert ("KIT-B", "Valise B", ["CCC-V2S-015"]) in kits(session)
    with demo.session() as session:
        loan = checkout(
            session, "Mamasound", Items((), ("KIT-B",)), due_on=dt.date.today() + dt.timedelta(3)
        )
    assert loan.assets == ["CCC-V2S-015"]
    with pytest.raises(Conflict, match="est sorti"), demo.session() as session:
        put_in_kit(session, "KIT-B", ["CCC-V2S-015"])


def test_names_match_whatever_the_case_of_accented_letters(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/accents.sqlite3")  # the embedded default
    db.upgrade()
    with db.session() as session:
        add_organisation(session, "Écoles en Fête")
        add_model(session, "Écocup 25cl", "Consommables", counted=True)
        add_stock_lot(session, "Écocups", "écocup 25CL", "ÉCOLES EN FÊTE", 10, 100)
    with pytest.raises(Conflict, match="existe déjà"), db.session() as session:
        add_organisation(session, "écoles en fête")

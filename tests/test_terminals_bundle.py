"""Configuration bundles: built from the event's data, versioned by content, diffed before a
push; the registry on the inventory. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from regie.cards.staff import make_staff_card, revoke_staff_card
from regie.cards.states import block_card
from regie.db import Database
from regie.errors import Conflict, NotFound, UserError
from regie.inventory.models import Asset
from regie.ledger.models import LedgerAsset
from regie.terminals.bundle import canonical, digest, prepare_config, running_config
from regie.terminals.diff import diff_configs
from regie.terminals.push import PushJob, plan_push
from regie.terminals.registry import (
    assign_pos,
    list_terminals,
    register_terminal,
    set_menu_item,
    update_settings,
)
from tests.test_terminals_rig import add_cards, fleet_db


@pytest.fixture
def fleet(db_url: str) -> Iterator[Database]:
    db = fleet_db(db_url, terminals=2)
    yield db
    db.dispose()


def test_a_bundle_carries_what_the_terminal_needs_in_cents_and_basis_points(
    fleet: Database,
) -> None:
    with fleet.session() as session:
        numbers = add_cards(session, 6)
        make_staff_card(session, numbers[0], person="Camille", points_of_sale=["*"], manager=True)
        make_staff_card(session, numbers[1], person="Sam", points_of_sale=["Bar Nord"])
        make_staff_card(session, numbers[2], person="Lou", points_of_sale=["Bar Sud"])
        make_staff_card(
            session,
            numbers[3],
            person="Expirée",
            points_of_sale=["*"],
            expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        )
        make_staff_card(session, numbers[4], person="Révoquée", points_of_sale=["*"])
        revoke_staff_card(session, numbers[4], reason="départ")
        block_card(session, numbers[5], reason="volée")
        fed = session.scalars(select(LedgerAsset).where(LedgerAsset.code == "FED")).one()
        fed.payment_rank = 5  # the event decides the federated euro pays first
        data = prepare_config(session, "SUNMI-V2S-001").data
    assert data["format"] == 1 and data["terminal"] == "SUNMI-V2S-001"
    assert data["event"] == "MamaStock 2026" and data["pos"] == {"name": "Bar Nord"}
    assert data["products"][0] == {
        "name": "Bière 25cl",
        "category": "Bar",
        "price": 300,
        "vat": 2000,
    }
    assert {"name": "Eau 50cl", "category": "Soft", "price": 150, "vat": 550} in data["products"]
    assert data["categories"][:3] == ["Bar", "Soft", "Chaud"]
    assert [a["code"] for a in data["assets"]] == ["FED", "GIFT", "EUR"]  # the payment order
    assert data["server"]["url"] == "https://tibillet.example"
    assert len(data["server"]["pin"]) == 6 and data["server"]["pin"].isdigit()
    assert data["wifi"] == {"ssid": "MamaStock-Caisses", "password": "secret-wifi"}
    assert data["locale"] == "fr_FR" and data["printer"] == {"width": 32}
    assert sorted(c["person"] for c in data["staff"]) == ["Camille", "Sam"]
    assert next(c for c in data["staff"] if c["person"] == "Camille")["manager"] is True
    assert data["blocked"] == [{"uid": "43000005A1B2C3", "number": numbers[5], "state": "blocked"}]


def test_the_same_data_gives_the_same_version_and_a_change_a_new_one(fleet: Database) -> None:
    with fleet.session() as session:
        first = prepare_config(session, "SUNMI-V2S-001")
        again = prepare_config(session, "SUNMI-V2S-001")
        assert (first.version, first.new, again.version, again.new) == (1, True, 1, False)
        assert again.hash == first.hash == digest(first.body)
        assert canonical(first.data) == first.body  # canonical JSON: sorted keys, compact
        set_menu_item(session, "Bar Nord", "Bière 25cl", 350, 2000, "Bar")
        second = prepare_config(session, "SUNMI-V2S-001")
        assert (second.version, second.new) == (2, True) and second.hash != first.hash
        # The other terminal serves another point of sale: its bundle did not change.
        other = prepare_config(session, "SUNMI-V2S-002")
        assert prepare_config(session, "SUNMI-V2S-002").version == other.version == 1


def test_two_screens_preparing_the_same_bundle_at_once_share_one_version(
    fleet: Database,
) -> None:
    """The config screen and a push read the bundle in two threads: the one that writes second
    finds the version the first one stored instead of failing on a duplicate number."""
    with fleet.session() as session:
        set_menu_item(session, "Bar Nord", "Bière 25cl", 350, 2000, "Bar")
    raced: list[int] = []

    def other_laptop_first(session: Session, _context: object, _instances: object) -> None:
        if raced:
            return
        with fleet.session() as other:
            raced.append(prepare_config(other, "SUNMI-V2S-001").version)

    with fleet.session() as session:
        event.listen(session, "before_flush", other_laptop_first)
        mine = prepare_config(session, "SUNMI-V2S-001")
        event.remove(session, "before_flush", other_laptop_first)
    assert raced == [1] and (mine.version, mine.new) == (1, False)
    with fleet.session() as session:
        set_menu_item(session, "Bar Nord", "Bière 25cl", 400, 2000, "Bar")
        second = prepare_config(session, "SUNMI-V2S-001")
    assert (second.version, second.new) == (2, True)


def test_the_diff_says_what_changes_and_never_shows_a_secret(fleet: Database) -> None:
    with fleet.session() as session:
        old = prepare_config(session, "SUNMI-V2S-001").data
        set_menu_item(session, "Bar Nord", "Bière 25cl", 350, 2000, "Bar")
        set_menu_item(session, "Bar Nord", "Limonade", 280, 550, "Soft")
        update_settings(session, wifi_password="nouveau-secret", wifi_ssid="Caisses-2")
        numbers = add_cards(session, 3, prefix="B")
        for number in numbers:
            block_card(session, number, reason="perdue")
        new = prepare_config(session, "SUNMI-V2S-001").data
    lines = diff_configs(old, new)
    text = "\n".join(lines)
    assert "Wi-Fi : MamaStock-Caisses → Caisses-2" in lines
    assert "mot de passe Wi-Fi changé" in lines
    assert "secret" not in text
    assert "Produits : 1 ajouté, 0 retiré, 1 modifié" in lines
    assert "+ Limonade (2,80\xa0€, TVA 5,5 %)" in lines
    assert "Bière 25cl : 3,00\xa0€ → 3,50\xa0€" in lines
    assert "Cartes bloquées : +3, −0 (3 en tout)" in lines
    assert diff_configs(new, new) == ["aucun changement"]
    assert diff_configs(None, new)[0].startswith("première configuration de ce terminal : Bar Nord")


def test_a_terminal_without_a_point_of_sale_has_no_bundle(fleet: Database) -> None:
    with fleet.session() as session:
        model, owner = session.execute(select(Asset.model_id, Asset.owner_id)).first() or (0, 0)
        session.add(Asset(tag="CCC-V2S-099", serial_number="X", model_id=model, owner_id=owner))
        session.flush()
        register_terminal(session, "CCC-V2S-099")
    with fleet.session() as session, pytest.raises(UserError) as error:
        prepare_config(session, "CCC-V2S-099")
    assert "CCC-V2S-099 n'a pas de point de vente" in str(error.value)
    # The window cannot choose a point of sale yet: it says so; the command line names its command
    (plan,) = plan_push(fleet, [PushJob("CCC-V2S-099", "/dev/null")])
    assert "regie" not in plan.problem and "la fenêtre ne sait pas encore" in plan.problem
    assert plan.problem_command is not None
    assert "(regie terminals assign CCC-V2S-099 POINT_DE_VENTE)" in plan.problem_command


def test_the_registry_refuses_duplicates_and_unknown_names(fleet: Database) -> None:
    with fleet.session() as session:
        with pytest.raises(Conflict, match="déjà le terminal SUNMI-V2S-001"):
            register_terminal(session, "CCC-V2S-001")
        with pytest.raises(NotFound, match="matériel inconnu"):
            register_terminal(session, "CCC-NOPE")
        with pytest.raises(NotFound, match="point de vente inconnu : Bar Lune"):
            assign_pos(session, "SUNMI-V2S-001", "Bar Lune")
        assign_pos(session, "SUNMI-V2S-001", "Boutique")
        rows = {t.name: t for t in list_terminals(session)}
    assert rows["SUNMI-V2S-001"].pos == "Boutique"
    assert rows["SUNMI-V2S-001"].asset_tag == "CCC-V2S-001"
    assert rows["SUNMI-V2S-001"].serial_number == "V2S2409001"
    assert rows["SUNMI-V2S-001"].config_version is None
    with fleet.session() as session:
        assert running_config(session, "SUNMI-V2S-001") is None

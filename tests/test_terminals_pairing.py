"""Terminals prove who they are (issue 13, point 2): pairing over a real pty with a real
``regie-agent``, signed lines and batches, the serial number checked against the inventory,
journal files from a USB stick checked the same way, and the meaning of each line checked
against the terminal's configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from regie.cli import main
from regie.db import Database
from regie.ledger.journal_import import JournalRejected, import_journals
from regie.ledger.journal_signature import key_id, sign_line
from regie.ledger.models import Transfer
from regie.people.models import AuditEntry
from regie.terminals.pairing import identity, pair_terminal, secret_for, stored_secret
from regie.terminals.pull import pull_terminal
from regie.terminals.push import push_terminal
from regie.terminals.status import terminal_status
from regie.terminals.trust import allow_refunds, fleet_trust
from tests.ledger_fixtures import line, sale
from tests.test_terminals_rig import Cable, agent_on, fleet_db, pairing_keyring, serial_of
from tests.test_terminals_rig import cable as cable  # the fixture

T = "SUNMI-V2S-001"  # on asset CCC-V2S-001, serial V2S2409001, at Bar Nord
CARD = "04A1B2C3D4E5F6"


@pytest.fixture
def fleet(db_url: str) -> Iterator[Database]:
    db = fleet_db(db_url, terminals=2)
    yield db
    db.dispose()


@pytest.fixture
def fleet_file(tmp_path: Path) -> Iterator[Database]:
    """The same fleet on SQLite only: what is said over the cable does not depend on the
    database (the line checks below run on both)."""
    db = fleet_db(f"sqlite:///{tmp_path / 'fleet.sqlite3'}", terminals=2)
    yield db
    db.dispose()


def transfers(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transfer)) or 0


# -- over the cable ------------------------------------------------------------------------------
def test_a_pull_from_an_unpaired_terminal_or_one_without_the_inventory_serial_is_refused(
    fleet_file: Database, cable: Cable, tmp_path: Path
) -> None:
    fleet = fleet_file
    state = tmp_path / "state"
    # A regie-agent announcing no serial number: the fake terminal of the issue.
    with agent_on(cable.b, state, "--name", T, "--simulate-sales", "20") as agent:
        fake = pull_terminal(fleet, T, cable.a, archive=tmp_path / "j")
        assert not fake.ok and fake.received == 0 and agent.acked() == 0
        assert fake.message == (
            f"{T} : le terminal sur {cable.a} n'annonce aucun numéro de série : ce n'est pas "
            f"{T} ({serial_of(1)}) tel que l'inventaire le connaît ; rien n'est relevé"
        )
    # The right serial, but never paired: nothing is pulled either.
    with agent_on(cable.b, state, "--serial", serial_of(1)) as agent:
        unpaired = pull_terminal(fleet, T, cable.a, archive=tmp_path / "j")
        assert not unpaired.ok and agent.acked() == 0
        assert f"{T} n'est pas appairé à cet ordinateur" in unpaired.message
        assert "Terminaux › « Envoyer la configuration… »" in unpaired.message  # the window's
        assert "regie terminals push" in unpaired.on_command_line()  # the command line's
    # Another terminal's serial number: refused before anything is asked.
    other = tmp_path / "other"
    with agent_on(cable.b, other, "--serial", serial_of(2)):
        wrong = pull_terminal(fleet, T, cable.a, archive=tmp_path / "j")
        assert not wrong.ok and f"numéro de série {serial_of(2)}" in wrong.message
    assert transfers(fleet) == 0


def test_the_first_push_pairs_the_terminal_and_its_pulled_lines_are_signed(
    fleet_file: Database, cable: Cable, tmp_path: Path
) -> None:
    fleet = fleet_file
    state = tmp_path / "state"
    with agent_on(cable.b, state, "--serial", serial_of(1)):
        first = push_terminal(fleet, T, cable.a)
        assert first.ok and first.paired, first.message
        assert first.message.endswith(" ; appairé : ses journaux seront signés")
        with fleet.session() as session:
            secret = stored_secret(identity(session, T))
        assert secret is not None  # in the keyring, not in the database
        held = orjson.loads((state / "pairing.json").read_bytes())
        assert (
            held["key"] == key_id(secret) and (state / "pairing.json").stat().st_mode & 0o077 == 0
        )
        again = push_terminal(fleet, T, cable.a)
        assert again.ok and again.up_to_date and not again.paired  # paired once
        said = terminal_status(fleet, cable.a).lines()
        assert said[-1] == f"Appairage : clé {key_id(secret)} (ses journaux sont signés)"
    with agent_on(cable.b, state, "--simulate-sales", "40"):
        pulled = pull_terminal(fleet, T, cable.a, archive=tmp_path / "j")
        assert pulled.ok and pulled.imported == 40, pulled.message
    archived = next((tmp_path / "j" / T).iterdir()).read_bytes().splitlines()
    assert all(b',"mac":"' in raw for raw in archived)
    # A terminal reset with another secret (or a copy that never had this one): refused.
    (state / "pairing.json").write_bytes(orjson.dumps({"secret": "00" * 32, "key": "x"}))
    with agent_on(cable.b, state, "--simulate-sales", "5"):
        stranger = pull_terminal(fleet, T, cable.a, archive=tmp_path / "j")
        assert not stranger.ok and "ne détient pas le secret de cet ordinateur" in stranger.message
        assert pair_terminal(fleet, T, cable.a) == f"{T} : appairé (clé {key_id(secret)})"
        assert pull_terminal(fleet, T, cable.a, archive=tmp_path / "j").imported == 5


# -- files from a USB stick ----------------------------------------------------------------------
def signed(secret: bytes, path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(sign_line(secret, orjson.dumps(x)) + b"\n" for x in lines))
    return path


def ours(seq: int, op: str = "sale", **fields: Any) -> dict[str, Any]:
    """A line of terminal T at its point of sale."""
    made = sale(seq, CARD, 300) if op == "sale" else line(seq, op, **fields)
    made.update(terminal=T, pos="Bar Nord")
    made.update(fields)
    return made


def topup(seq: int, amount: int, **fields: Any) -> dict[str, Any]:
    return ours(
        seq, "topup", **{"card": CARD, "asset": "EUR", "amount": amount, "pay": "cash", **fields}
    )


def refused(fleet: Database, path: Path) -> list[tuple[int, str]]:
    """Import ``path`` as a USB file is; the (line, field) of every problem."""
    before = transfers(fleet)
    with fleet.session() as session, pytest.raises(JournalRejected) as error:
        import_journals(session, [path], trust=fleet_trust(session))
    assert transfers(fleet) == before  # nothing half imported
    assert "Rien n'a été importé." in str(error.value)
    assert f"{path}, ligne " in str(error.value)
    return [(p.line, p.field) for p in error.value.result.problems]


def test_each_line_is_checked_against_the_signature_and_the_terminal_configuration(
    fleet: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pairing_keyring(tmp_path / "keyring.json", monkeypatch):
        with fleet.session() as session:
            secret = secret_for(identity(session, T))
        good = [topup(1, 5000), topup(2, 3000)]
        # A signed line changed afterwards (50 € become 5,000 €): the whole file is refused.
        tampered = signed(secret, tmp_path / "tampered.jsonl", good)
        raws = tampered.read_bytes().splitlines()
        raws[0] = raws[0].replace(b'"amount":5000', b'"amount":500000')
        tampered.write_bytes(b"\n".join(raws) + b"\n")
        assert refused(fleet, tampered) == [(1, "mac")]
        # Signed by another terminal's secret, or not signed at all.
        assert refused(fleet, signed(b"\1" * 32, tmp_path / "other.jsonl", good)) == [
            (1, "mac"),
            (2, "mac"),
        ]
        plain = tmp_path / "plain.jsonl"
        plain.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in good))
        assert refused(fleet, plain) == [(1, "mac"), (2, "mac")]
        # The reproductions, each signed by the right terminal.
        cases = [
            topup(1, 1_000_000, asset="EUR", pay="offered"),  # 10,000 refundable euros, offered
            ours(2, "refund", card=CARD, asset="EUR", amount=500, pay="cash"),  # at a bar
            topup(3, 2000, pos="Bar Sud"),  # a point of sale it was never configured for
            topup(4, 1_000_001),  # 10,000.01 €: above the ceiling
            {**topup(5, 2000), "terminal": "SUNMI-V2S-002"},  # a terminal never paired here
        ]
        assert refused(fleet, signed(secret, tmp_path / "forged.jsonl", cases)) == [
            (1, "asset"),
            (2, "op"),
            (3, "pos"),
            (4, "amount"),
            (5, "terminal"),
        ]
        # What a terminal may do: a gift in gift tokens, a refund at a desk, 10,000 € exactly.
        with fleet.session() as session:
            allow_refunds(session, "Bar Nord")
        allowed = [
            topup(1, 1_000_000),
            topup(2, 2000, asset="GIFT", pay="offered"),
            ours(3, "refund", card=CARD, asset="EUR", amount=500, pay="cash"),
        ]
        with fleet.session() as session:
            done = import_journals(
                session,
                [signed(secret, tmp_path / "ok.jsonl", allowed)],
                trust=fleet_trust(session),
            )
        assert done.imported == 3


def test_an_unsigned_usb_file_is_refused_then_imported_by_a_manager_s_choice_in_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    fleet_db(url, terminals=1).dispose()
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    stick = tmp_path / "usb" / "SUNMI-V2S-001.jsonl"
    stick.parent.mkdir()
    stick.write_bytes(orjson.dumps(topup(1, 2000)) + b"\n" + orjson.dumps(ours(2)) + b"\n")
    with pairing_keyring(tmp_path / "keyring.json", monkeypatch):
        db = Database(url)
        with db.session() as session:
            secret_for(identity(session, T))  # paired: its lines must be signed
        assert main(["ledger", "import", str(stick), "--db", url]) == 2
        said = capsys.readouterr().err
        assert f"{stick}, ligne 1, champ mac : ligne non signée par le terminal" in said
        assert main(["ledger", "import", str(stick), "--unsigned", "x", "--db", url]) == 2
        assert "dites pourquoi" in capsys.readouterr().err
        reason = "terminal en panne, journal sauvé sur clé"
        assert main(["ledger", "import", str(stick), "--unsigned", reason, "--db", url]) == 0
        assert "2 importées" in capsys.readouterr().out
    with db.session() as session:
        noted = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ledger.unsigned")
        ).one()
    db.dispose()
    assert noted.subject == str(stick)
    assert orjson.loads(noted.params) == {"files": str(stick), "lines": 2, "reason": reason}

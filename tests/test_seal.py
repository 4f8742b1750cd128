"""The seal's parts: the Z key in the keyring, the ticket's chain head, the archive outside the
base, old bases still verifying, `regie verify`'s words and exit code, restore refusing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from alembic import command
from sqlalchemy import text

from regie.audit.seal_verify import verify_base
from regie.backups.copies import back_up
from regie.backups.restore import RestoreRefused, prepare_restore
from regie.cli import main
from regie.db import Database, alembic_config
from regie.ledger.chain import GENESIS, link
from regie.ledger.closures import close_z
from regie.ledger.desk import cash_topup
from regie.ledger.z_signing import KEYRING_SERVICE, KEYRING_USER, archive_path, fingerprint
from tests.ledger_fixtures import import_file, ledger, sale, topup, write_lines
from tests.rig.keyring_file import FileKeyring
from tests.seal_fixtures import tamper

__all__ = ["ledger"]

CARD = "04A1B2C3D4E5F6"


@pytest.fixture
def laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A laptop of its own: a keyring (in a file) and a user data dir for the Z archive."""
    previous = keyring.get_keyring()  # before the variable: keyring would pick the file one
    monkeypatch.setenv("REGIE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REGIE_TEST_KEYRING", str(tmp_path / "keyring.json"))
    keyring.set_keyring(FileKeyring())
    yield tmp_path / "keyring.json"
    keyring.set_keyring(previous)


def a_day(db: Database, tmp_path: Path) -> None:
    journal = [topup(1, CARD, 3000), sale(2, CARD, 450), sale(3, CARD, 300)]
    import_file(db, write_lines(tmp_path / "jour.jsonl", journal))


def test_a_z_is_signed_with_the_keyring_key_printed_and_archived(
    ledger: Database, laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day(ledger, tmp_path)
    assert main(["ledger", "close", "--kind", "Z", "--pos", "Bar Nord", "--db", ledger.url]) == 0
    ticket = capsys.readouterr().out
    stored = json.loads(laptop.read_text())
    secret = stored[f"{KEYRING_SERVICE}/{KEYRING_USER}"]
    with ledger.engine.connect() as connection:
        head = connection.execute(text("SELECT hash FROM closure WHERE number = 1")).scalar_one()
        public = connection.execute(text("SELECT public_key FROM z_key")).scalar_one()
        chain_head = connection.execute(text("SELECT chain_head FROM closure")).scalar_one()
    assert secret and f"tête de chaîne : {chain_head.hex()}" in ticket
    assert f"signé par la clé {fingerprint(public)}" in ticket
    archived = [json.loads(line) for line in archive_path().read_text().splitlines()]
    assert [(z["number"], z["hash"], z["key"]) for z in archived] == [
        (1, head.hex(), fingerprint(public))
    ]
    assert main(["verify", "--db", ledger.url]) == 0
    assert "Base intègre : 3 transferts, 1 Z et 2 enregistrements" in capsys.readouterr().out


def test_regie_verify_names_the_first_broken_record_and_exits_1(
    ledger: Database, laptop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day(ledger, tmp_path)
    assert main(["ledger", "close", "--kind", "Z", "--pos", "Bar Nord", "--db", ledger.url]) == 0
    capsys.readouterr()
    with ledger.session() as session:
        tamper(session)
        session.execute(
            text("UPDATE z_signature SET signature = :forged"), {"forged": b"\x01" * 64}
        )
    assert main(["verify", "--db", ledger.url]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("ERREUR : la clôture Z n°1 du point de vente Bar Nord : signature invalide")
    assert out[-1].startswith("Base ALTÉRÉE")


def test_the_last_z_deleted_with_every_counter_rewound_is_found_by_the_archive(
    ledger: Database, laptop: Path, tmp_path: Path
) -> None:
    """The Z, its signature, its audit line and their seals gone, every head rewound: the
    base agrees with itself, only the laptop's archive remembers."""
    a_day(ledger, tmp_path)
    with ledger.engine.connect() as connection:
        seals, seal_hash = connection.execute(text("SELECT count, last_hash FROM seal_head")).one()
        last_seal = connection.execute(text("SELECT MAX(id) FROM seal_record")).scalar_one()
        last_line = connection.execute(text("SELECT MAX(id) FROM audit_trail")).scalar_one()
    assert main(["ledger", "close", "--kind", "Z", "--pos", "Bar Nord", "--db", ledger.url]) == 0
    with ledger.session() as session:
        tamper(
            session,
            "DELETE FROM z_signature",
            "DELETE FROM closure",
            f"DELETE FROM audit_trail WHERE id > {last_line}",
            f"DELETE FROM seal_record WHERE id > {last_seal}",
        )
        session.execute(
            text("UPDATE ledger_head SET last_closure_number = 0, last_closure_hash = :genesis"),
            {"genesis": GENESIS},
        )
        session.execute(
            text("UPDATE seal_head SET count = :count, last_hash = :hash"),
            {"count": seals, "hash": seal_hash},
        )
    with ledger.session() as session:
        assert verify_base(session, archive=False).problems == []
        assert verify_base(session).problems == [
            "la clôture Z n°1 du point de vente Bar Nord, archivée sur cet ordinateur, "
            "n'est plus dans la base : supprimée"
        ]


def test_a_base_from_before_the_seal_keeps_its_formula_and_still_verifies(db_url: str) -> None:
    """Two transfers chained by ids (0010), then the upgrade: they keep their hashes, the
    next ones are chained by names, and an edit of an old one is still found."""
    db = Database(db_url)
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    with db.engine.begin() as connection:
        run = connection.execute
        run(text("INSERT INTO ledger_source (id, name, kind) VALUES (100, 'T1', 'terminal')"))
        run(
            text(
                "INSERT INTO account (id, name, kind, may_go_negative) VALUES "
                "(900, 'wallet:04AA', 'wallet', false), (901, 'pos:Bar:cash', 'pos_cash', true)"
            )
        )
        asset = run(text("SELECT id FROM ledger_asset WHERE code = 'EUR'")).scalar_one()
        previous = GENESIS
        for id_ in (1, 2):
            row = (id_, id_, 100, id_, 0, "topup", "cash", 1_780_000_000, 120, 901, 900)
            values = (*row, asset, 500, None, None, None, "")
            previous = link(previous, values)  # type: ignore[arg-type]
            run(
                text(
                    "INSERT INTO transfer (id, link_id, source_id, seq, leg, op, method, at, "
                    "tz_minutes, debit_id, credit_id, asset_id, amount, details, hash) VALUES "
                    "(:id, :id, 100, :id, 0, 'topup', 'cash', 1780000000, 120, 901, 900, :asset, "
                    "500, '', :hash)"
                ),
                {"id": id_, "asset": asset, "hash": previous},
            )
        run(
            text(
                "INSERT INTO balance (account_id, asset_id, amount, last_at) VALUES "
                "(900, :asset, 1000, 1780000000), (901, :asset, -1000, 1780000000)"
            ),
            {"asset": asset},
        )
        run(
            text("UPDATE ledger_head SET last_transfer_id = 2, last_hash = :hash"),
            {"hash": previous},
        )
    db.upgrade()
    with db.session() as session:
        cash_topup(session, "04AA", 700, key="after-the-upgrade")
    with db.session() as session:
        report = verify_base(session)
        content_from = session.execute(text("SELECT content_from FROM ledger_head")).scalar()
    assert (report.problems, report.ledger.transfers, content_from) == ([], 3, 3)
    with db.session() as session:
        tamper(session, "UPDATE transfer SET amount = 501 WHERE id = 1")
    with db.session() as session:
        assert verify_base(session).problems[0].startswith("transfert n°1 modifié")
    db.dispose()


def test_restore_refuses_a_tampered_backup_or_another_organisations_unless_forced(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'regie.sqlite3'}")
    db.upgrade()
    a_day(db, tmp_path)
    backup = back_up(db.url, tmp_path / "copies")
    other = back_up(db.url, tmp_path / "other")
    edited = Database(f"sqlite:///{backup.path}")
    with edited.session() as session:
        tamper(session, "UPDATE audit_trail SET actor = 'Mallory' WHERE id = 1")
    edited.dispose()
    with pytest.raises(RestoreRefused, match="la ligne n°1 du journal d'audit a été modifiée"):
        prepare_restore(db.url, backup.path)
    forced = prepare_restore(db.url, backup.path, force=True)
    forced.discard()
    assert forced.forced == ("la ligne n°1 du journal d'audit a été modifiée",)
    db.dispose()
    assert main(["restore", str(backup.path), "--yes", "--force", "--db", db.url]) == 0
    with db.engine.connect() as connection:
        recorded = connection.execute(
            text("SELECT params FROM audit_trail WHERE action = 'backup.restore_forced'")
        ).scalar_one()
    assert "la ligne n°1 du journal d'audit a été modifiée" in recorded

    theirs = Database(f"sqlite:///{other.path}")
    with theirs.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO convention_setting (name, valid_from, value, note) "
                "VALUES ('partner', '2000-01-01', 'Autre Festival', '')"
            )
        )
    theirs.dispose()
    with pytest.raises(RestoreRefused, match="appartient à l'organisation Autre Festival"):
        prepare_restore(db.url, other.path)
    db.dispose()


def test_audit_lines_written_outside_the_recorder_are_sealed_too(
    ledger: Database, laptop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused sign-in and an unsigned import write their audit line themselves (below the
    audit layer): regie verify must not take them for lines added behind Régie's back."""
    from regie.errors import UserError
    from regie.people.actor import sign_in
    from regie.people.directory import add_person

    with ledger.session() as session:
        add_person(session, "Alice", "admin", "482913")
    with pytest.raises(UserError):
        sign_in(ledger, "Alice", "000000")  # refused: a line in the trail
    usb = write_lines(tmp_path / "usb.jsonl", [topup(1, CARD, 3000)])
    monkeypatch.setenv("REGIE_PIN", "482913")
    command = ["ledger", "import", "--db", ledger.url, "--user", "Alice"]
    imported = main([*command, str(usb), "--unsigned", "clé USB du bar"])
    assert imported == 0
    with ledger.session() as session:
        actions = session.execute(text("SELECT action FROM audit_trail")).scalars().all()
        report = verify_base(session, archive=False)
    assert "signin.failed" in actions and "ledger.unsigned" in actions
    assert report.problems == []


def test_the_archive_holds_the_z_the_base_keeps_whatever_savepoints_come_after(
    ledger: Database, laptop: Path, tmp_path: Path
) -> None:
    """SQLAlchemy says « committed » when a savepoint is released and « rolled back » when one
    is rolled back. The Z archive must follow the outermost transaction, and drop only a Z
    made inside the savepoint rolled back."""
    a_day(ledger, tmp_path)

    def archived_numbers() -> list[int]:
        path = archive_path()
        lines = path.read_text().splitlines() if path.exists() else []
        return [json.loads(line)["number"] for line in lines]

    # A Z, a savepoint released after it, then the whole unit of work given up: no Z at all.
    with pytest.raises(RuntimeError), ledger.session() as session:
        close_z(session, "pos:Bar Nord")
        with session.begin_nested():
            pass
        raise RuntimeError("l'opérateur annule")
    assert archived_numbers() == []
    # A Z, then a savepoint rolled back (another laptop took an invoice number): the Z stays.
    with ledger.session() as session:
        close_z(session, "pos:Bar Nord")
        session.begin_nested().rollback()
    # A Z made inside a savepoint rolled back: neither the base nor the archive keeps it.
    with ledger.session() as session:
        savepoint = session.begin_nested()
        close_z(session, "pos:Bar Nord")
        savepoint.rollback()
    with ledger.engine.connect() as connection:
        numbers = connection.execute(text("SELECT number FROM closure ORDER BY number")).all()
    assert [number for (number,) in numbers] == [1] and archived_numbers() == [1]

"""The ``regie`` command as a user runs it: a real process, real databases, real pcscd."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from regie.db import Database
from regie.inventory.models import Asset, AssetModel, StockLot
from regie.models import Organisation, Prestation
from regie.version import __version__

REPO = Path(__file__).resolve().parents[1]


def regie(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_version_and_help_name_the_program_and_its_commands() -> None:
    version = regie("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"Régie {__version__}"
    help_text = regie("--help").stdout
    for command in ("doctor", "demo", "gui", "db"):
        assert command in help_text
    assert "--db URL" in help_text


def test_demo_fills_the_convention_equipment_once(db_url: str) -> None:
    first = regie("demo", "--db", db_url)
    assert first.returncode == 0, first.stderr
    assert "créé" in first.stdout
    assert "17 000 cartes" in first.stdout.replace("\u202f", " ")
    second = regie("--db", db_url, "demo")  # --db before the command works too
    assert second.returncode == 0, second.stderr
    assert "rien n'a changé" in second.stdout

    db = Database(db_url)
    with db.session() as session:
        per_model = dict(
            session.execute(
                select(AssetModel.name, func.count(Asset.id))
                .join(Asset, Asset.model_id == AssetModel.id)
                .group_by(AssetModel.name)
            ).all()
        )
        lots = {
            lot.name: (lot.quantity, lot.unit_cost_cents, owner)
            for lot, owner in session.execute(
                select(StockLot, Organisation.short_name).join(
                    Organisation, StockLot.owner_id == Organisation.id
                )
            ).all()
        }
        organisations = session.scalar(select(func.count()).select_from(Organisation))
        prestations = session.scalar(select(func.count()).select_from(Prestation))
        v2s_cost = session.scalar(
            select(func.sum(Asset.purchase_cost_cents))
            .join(AssetModel, Asset.model_id == AssetModel.id)
            .where(AssetModel.name == "Sunmi V2s")
        )
    assert per_model == {
        "Sunmi V2s": 17,
        "Sunmi D3 mini": 2,
        "Stripe Reader S700": 6,
        "U7 Pro Outdoor": 2,
    }
    assert lots["Cartes NFC CCC"] == (6000, 35, "CCC")
    assert lots["Cartes NFC Mamasound"] == (11000, 35, "Mamasound")
    # the two owners, MamAfrica's association, the Rockstore venue and its producer
    assert organisations == 5
    # MamAfrica 2025 and 2026, MamaStock 2026, the Rockstore's three autumn concerts
    assert prestations == 6
    assert v2s_cost == 17 * 30000


def test_db_status_and_upgrade(db_url: str) -> None:
    before = regie("db", "status", "--db", db_url)
    assert before.returncode == 1
    assert "à mettre à jour" in before.stdout
    upgraded = regie("db", "upgrade", "--db", db_url)
    assert upgraded.returncode == 0, upgraded.stderr
    after = regie("db", "status", "--db", db_url)
    assert after.returncode == 0
    assert "à jour" in after.stdout


def test_environment_variable_chooses_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'partagee.sqlite3'}"
    result = regie("demo", env={"REGIE_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "partagee.sqlite3" in result.stdout


def test_default_database_lives_in_the_user_data_dir(tmp_path: Path) -> None:
    env = {"REGIE_DATA_DIR": str(tmp_path / "data"), "REGIE_DATABASE_URL": ""}
    result = regie("demo", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "regie.sqlite3").exists()


def test_unreachable_database_gives_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = regie(
        "demo",
        "--db",
        "postgresql://regie@127.0.0.1:9/festival",
        env={"REGIE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "la base de données ne répond pas" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" in (tmp_path / "logs" / "regie.log").read_text()


def _doctor_lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    lines = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition("  ")
        lines[rest.strip().split(" : ")[0]] = status.strip()
    return lines


def test_doctor_with_pcscd_running(pcscd: object, db_url: str, tmp_path: Path) -> None:
    regie("demo", "--db", db_url)
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(json.dumps({"regie/stripe-secret-key": "sk_test_rig"}))
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.rig.keyring_file.FileKeyring",
        "REGIE_TEST_KEYRING": str(keyring_file),
    }
    result = regie("doctor", "--db", db_url, env=env)
    lines = _doctor_lines(result)
    assert lines["Service pcscd"] == "OK"
    assert lines["Lecteurs de cartes"] == "OK"
    assert "Virtual PCD 00 00" in result.stdout
    assert lines["Base de données"] == "OK"
    assert lines["Clé Stripe"] == "OK"
    assert "sk_test_rig" not in result.stdout  # never the whole secret
    assert set(lines) == {
        "Service pcscd",
        "Lecteurs de cartes",
        "Ports série",
        "Base de données",
        "Clé Stripe",
    }
    all_ok = all(status == "OK" for status in lines.values())
    assert result.returncode == (0 if all_ok else 1)


def test_doctor_without_pcscd_fails_and_says_how_to_fix(tmp_path: Path) -> None:
    # The PC/SC client library talks to the daemon through this socket; nothing listens here.
    env = {"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm")}
    result = regie("doctor", "--db", f"sqlite:///{tmp_path / 'absente.sqlite3'}", env=env)
    lines = _doctor_lines(result)
    assert result.returncode == 1
    assert lines["Service pcscd"] == "FAIL"
    assert lines["Lecteurs de cartes"] == "FAIL"
    assert lines["Base de données"] == "FAIL"
    assert "apt install pcscd" in result.stdout
    assert "n'existe pas encore" in result.stdout


def test_doctor_sees_an_outdated_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'vieille.sqlite3'}"
    Database(url).engine.connect().close()  # an empty file, never migrated
    result = regie("doctor", "--db", url)
    assert _doctor_lines(result)["Base de données"] == "FAIL"
    assert "regie db upgrade" in result.stdout


def test_a_journal_that_is_not_there_is_named_in_the_message(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'regie.sqlite3'}"
    missing = tmp_path / "SUNMI-V2S-07.jsonl"
    done = regie("ledger", "import", str(missing), "--db", db)
    assert done.returncode == 2
    assert done.stderr.strip() == f"regie : {missing} : illisible (fichier introuvable)"
    english = regie("--lang", "en", "ledger", "import", str(missing), "--db", db)
    assert english.stderr.strip() == f"regie: {missing}: unreadable (file not found)"


def test_help_and_usage_errors_speak_french() -> None:
    help_text = regie("--help").stdout
    assert help_text.startswith("utilisation : ")
    assert "options :" in help_text and "afficher ce message d'aide et quitter" in help_text
    assert "show this help message" not in help_text and "options:" not in help_text
    wrong = regie("cards", "lister")
    assert wrong.returncode == 2
    assert "erreur : argument" in wrong.stderr and "choix invalide : 'lister'" in wrong.stderr
    english = regie("--lang", "en", "--help").stdout
    assert english.startswith("usage: ") and "show this help message and exit" in english

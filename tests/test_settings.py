"""The settings registry: this laptop's file (defaults, round trip, a damaged file never stops
Régie), the office's settings in the database (SQLite and PostgreSQL), the start language,
and ``regie settings`` / ``regie --lang`` as a user types them."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from regie import clock
from regie.db import Database
from regie.errors import NotFound
from regie.i18n import LANGUAGE_ENV, set_language
from regie.inventory.register import add_organisation
from regie.models import Organisation
from regie.settings.convention import history, settings_at
from regie.settings.language import split_language, startup_language
from regie.settings.laptop import LaptopSettings
from regie.settings.office import office_values, set_office
from regie.settings.registry import SETTINGS, BadValue, setting

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def french_again() -> Iterator[None]:
    yield
    set_language("fr")


def regie(
    data_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "REGIE_DATA_DIR": str(data_dir)}
    full_env.pop(LANGUAGE_ENV, None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


# -- this laptop's file ------------------------------------------------------------------
def test_every_setting_is_declared_once_with_a_default_it_accepts() -> None:
    keys = [item.key for item in SETTINGS]
    assert len(keys) == len(set(keys))
    for item in SETTINGS:
        assert item.check(item.default) == item.default, item.key
        assert item.label, item.key


def test_a_new_laptop_has_the_defaults_and_no_file_until_something_changes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    settings = LaptopSettings(path)
    assert settings.get("language") == "fr"
    assert settings.get("backup.keep") == 24
    assert settings.get("backup.interval_minutes") == 60
    assert settings.problems == []
    assert not path.exists()


def test_saved_values_come_back_and_the_file_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    LaptopSettings(path).update({"language": "en", "backup.keep": 10, "backup.folder": "/srv"})
    again = LaptopSettings(path)
    assert again.get("language") == "en"
    assert again.get("backup.keep") == 10
    assert again.get("backup.folder") == "/srv"
    assert again.is_default("backup.interval_minutes")
    assert json.loads(path.read_text(encoding="utf-8"))["backup.keep"] == 10
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary left


def test_a_refused_value_changes_nothing_and_says_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = LaptopSettings(path)
    settings.set("backup.keep", 12)
    before = path.read_bytes()
    with pytest.raises(BadValue, match=r"backup\.keep : entre 1 et 1000"):
        settings.update({"language": "en", "backup.keep": 0})
    with pytest.raises(BadValue, match="« de » inconnu"):
        settings.set("language", "de")
    assert path.read_bytes() == before
    assert settings.get("language") == "fr"
    with pytest.raises(BadValue, match="réglage du bureau"):
        settings.set("convention.flat_rate_bp", 2500)


def test_a_damaged_file_gives_the_defaults_and_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"language": "en", "backup.keep": ', encoding="utf-8")
    settings = LaptopSettings(path)
    assert settings.get("language") == "fr"
    assert len(settings.problems) == 1
    assert str(path) in settings.problems[0] and "réglages par défaut" in settings.problems[0]


def test_a_bad_value_falls_back_to_its_default_and_keeps_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "language": "de",
                "backup.keep": "beaucoup",
                "backup.interval_minutes": 30,
                "from.a.newer.regie": [1, 2],
            }
        ),
        encoding="utf-8",
    )
    settings = LaptopSettings(path)
    assert settings.get("language") == "fr"
    assert settings.get("backup.keep") == 24
    assert settings.get("backup.interval_minutes") == 30
    assert settings.problems == [
        "language : « de » inconnu (choix : fr, en) ; valeur par défaut : Français",
        "backup.keep : un nombre entier attendu ; valeur par défaut : 24",
    ]
    settings.set("backup.keep", 5)  # a setting of a newer Régie survives the next save
    assert json.loads(path.read_text(encoding="utf-8"))["from.a.newer.regie"] == [1, 2]


def test_values_are_read_as_people_type_them() -> None:
    assert setting("backup.keep").parse(" 12 ") == 12
    assert setting("convention.amortisation_rate_bp").parse("32,5 %") == 3250
    assert setting("convention.cachet_day_rate_cents").parse("250") == 25000
    with pytest.raises(BadValue, match="« douze » n'est pas un nombre entier"):
        setting("backup.keep").parse("douze")
    with pytest.raises(NotFound, match=r"réglage inconnu : backup\.kep"):
        setting("backup.kep")


# -- the language Régie starts in ------------------------------------------------------------
def test_the_start_language_is_the_option_then_the_environment_then_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = LaptopSettings(tmp_path / "settings.json")
    monkeypatch.delenv(LANGUAGE_ENV, raising=False)
    assert startup_language(None, saved) == "fr"
    saved.set("language", "en")
    assert startup_language(None, saved) == "en"
    monkeypatch.setenv(LANGUAGE_ENV, "fr")
    assert startup_language(None, saved) == "fr"
    assert startup_language("en", saved) == "en"
    monkeypatch.setenv(LANGUAGE_ENV, "klingon")  # ignored, not fatal
    assert startup_language(None, saved) == "en"


def test_lang_is_found_wherever_it_stands_in_the_command() -> None:
    assert split_language(["inventory", "list", "--lang", "en"]) == ("en", ["inventory", "list"])
    assert split_language(["--lang=fr", "--help"]) == ("fr", ["--help"])
    assert split_language(["demo"]) == (None, ["demo"])


# -- the office's settings, in the database ------------------------------------------------
@pytest.fixture
def office(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()


def test_invoice_details_are_those_of_the_invoicing_organisation(office: Database) -> None:
    with office.session() as session, pytest.raises(NotFound, match="Mamasound"):
        set_office(session, "organisation.siret", "12345678900011")
    with office.session() as session:
        add_organisation(session, "Mamasound", "Collectif Mamasound")
    with office.session() as session:
        set_office(session, "organisation.siret", "12345678900011")
        set_office(session, "organisation.address", "3 rue du Port\n44000 Nantes")
    with office.session() as session:
        values = office_values(session)
        row = session.query(Organisation).filter_by(short_name="Mamasound").one()
        assert (row.siret, row.address) == ("12345678900011", "3 rue du Port\n44000 Nantes")
        assert values["organisation.name"] == "Collectif Mamasound"
        with pytest.raises(BadValue, match="SIREN/SIRET invalide « 1234 »"):
            set_office(session, "organisation.siret", "1234")


def test_a_convention_number_changed_here_applies_from_today_and_keeps_the_past(
    office: Database,
) -> None:
    today = clock.today()
    with office.session() as session:
        set_office(session, "convention.amortisation_rate_bp", 3000)
        set_office(session, "convention.payment_days", 45)
    with office.session() as session:
        assert settings_at(session, today).values["amortisation_rate_bp"] == 3000
        assert (
            settings_at(session, today - dt.timedelta(days=1)).values["amortisation_rate_bp"]
            == setting("convention.amortisation_rate_bp").default
        )
        assert [v.value for v in history(session, "payment_days")] == [45]
        assert office_values(session)["convention.payment_days"] == 45
        set_office(session, "convention.payment_days", 45)  # the same value: no new version
        assert len(history(session, "payment_days")) == 1


# -- the command line ------------------------------------------------------------------------
def test_regie_lang_en_help_is_in_english(tmp_path: Path) -> None:
    english = regie(tmp_path, "--lang", "en", "--help")
    assert english.returncode == 0, english.stderr
    assert "language of the texts: fr (default) or en" in english.stdout
    assert "settings: this computer and the office" in english.stdout
    french = regie(tmp_path, "--help")
    assert "réglages : cet ordinateur et le bureau" in french.stdout
    from_env = regie(tmp_path, "settings", "--help", env={LANGUAGE_ENV: "en"})
    assert "every setting and its value" in from_env.stdout


def test_regie_settings_set_get_and_list_through_the_registry(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    done = regie(tmp_path, "settings", "set", "backup.keep", "12")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("backup.keep = 12")
    assert regie(tmp_path, "settings", "get", "backup.keep").stdout == "12\n"
    refused = regie(tmp_path, "settings", "set", "backup.keep", "douze")
    assert refused.returncode == 2
    assert "backup.keep : « douze » n'est pas un nombre entier" in refused.stderr
    rate = regie(tmp_path, "--db", database, "settings", "set", "convention.flat_rate_bp", "25")
    assert rate.returncode == 0, rate.stderr
    listed = regie(tmp_path, "--db", database, "settings", "list").stdout
    assert "backup.keep = 12" in listed
    assert "convention.flat_rate_bp = 25\u00a0%" in listed  # French: a space before %
    assert "window.geometry" not in listed  # remembered by the window, not a user's setting
    regie(tmp_path, "settings", "set", "language", "en")
    saved = regie(tmp_path, "settings", "get", "language")  # the saved language is used
    assert saved.stdout == "English\n"
    assert "every setting and its value" in regie(tmp_path, "settings", "--help").stdout
    assert "chaque réglage" in regie(tmp_path, "--lang", "fr", "settings", "--help").stdout

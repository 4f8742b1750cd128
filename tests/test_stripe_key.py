"""The Stripe secret key: in the keyring only, said clearly when missing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from regie.cli import main
from tests.rig.keyring_file import FileKeyring


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("REGIE_TEST_KEYRING", str(path))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)


def test_key_is_set_shown_masked_and_cleared(
    file_keyring: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = ["--db", f"sqlite:///{tmp_path}/r.sqlite3"]
    assert main(["stripe", "key", "status", *db]) == 2
    assert "aucune clé Stripe enregistrée" in capsys.readouterr().err
    assert main(["stripe", "sync", *db]) == 2
    assert "regie stripe key set" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("sk_test_51Abcdefghijklmnop\n"))
    assert main(["stripe", "key", "set", "--stdin", *db]) == 0
    assert "sk_test_…mnop" in capsys.readouterr().out
    assert main(["stripe", "key", "status", *db]) == 0
    out = capsys.readouterr().out
    assert "sk_test_…mnop" in out and "Abcdefghijkl" not in out
    assert list(tmp_path.glob("r.sqlite3*")) == [] or all(
        b"sk_test_51" not in p.read_bytes() for p in tmp_path.glob("r.sqlite3*")
    )
    assert main(["stripe", "key", "clear", *db]) == 0
    assert main(["stripe", "key", "status", *db]) == 2


def test_something_else_than_a_secret_key_is_refused(
    file_keyring: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pk_live_publishable\n"))
    assert main(["stripe", "key", "set", "--stdin", "--db", f"sqlite:///{tmp_path}/r.db"]) == 2
    assert "ce n'est pas une clé secrète Stripe" in capsys.readouterr().err
    assert not file_keyring.exists()


def test_a_laptop_without_a_keyring_is_told_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    from regie.stripe_key import KeyringUnavailable, stripe_secret_key

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())  # what keyring picks on a machine with none
    try:
        with pytest.raises(KeyringUnavailable) as missing:
            stripe_secret_key()
        assert str(missing.value) == (
            "aucun trousseau de clés sur cet ordinateur : installez gnome-keyring ou KWallet"
        )
        db = ["--db", f"sqlite:///{tmp_path}/r.sqlite3"]
        assert main(["stripe", "key", "clear", *db]) == 2
        err = capsys.readouterr().err
        assert "installez gnome-keyring ou KWallet" in err and "recommended" not in err
    finally:
        keyring.set_keyring(previous)

"""``regie cards …`` as a user runs it: a real process, a real database, the real rig."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.rig.vcard import VirtualCard

REPO = Path(__file__).resolve().parents[1]


def regie(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "REGIE_USER": "Léa"}
    return subprocess.run(
        [sys.executable, "-m", "regie", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def demo_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'regie.sqlite3'}"
    assert regie("demo", "--db", url).returncode == 0
    return url


def factory_file(path: Path, count: int, *, bad: str | None = None) -> list[str]:
    lines = []
    for i in range(count):
        qr = uuid.uuid4()
        lines.append(f"https://demo.example/qr/{qr},{qr.hex[:8].upper()},04{i:06X}A1B2C3")
    if bad:
        lines.insert(2, bad)
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_import_with_errors_names_file_line_and_field_and_imports_nothing(
    tmp_path: Path,
) -> None:
    url = demo_db(tmp_path)
    path = tmp_path / "usine.csv"
    factory_file(path, 5, bad=f"https://demo.example/qr/{uuid.uuid4()},123,04A1B2C3D4E5F6")
    result = regie("cards", "import", str(path), "--owner", "CCC", "--db", url)
    assert result.returncode == 2
    assert f"{path}, ligne 3, champ number : le numéro doit faire 8 caractères" in result.stderr
    assert "aucune carte importée" in result.stderr
    assert "Traceback" not in result.stderr
    missing = regie("cards", "import", str(tmp_path / "absent.csv"), "--owner", "CCC", "--db", url)
    assert missing.returncode == 2 and "fichier introuvable" in missing.stderr
    export = regie("cards", "export", str(tmp_path / "vide.csv"), "--db", url)
    assert "0 cartes écrites" in export.stdout


def test_import_show_block_replace_blocklist_and_export_reimports(tmp_path: Path) -> None:
    url = demo_db(tmp_path)
    path = tmp_path / "mamasound.csv"
    lines = factory_file(path, 30)
    imported = regie("cards", "import", str(path), "--owner", "Mamasound", "--db", url)
    assert imported.returncode == 0, imported.stderr
    assert "30 cartes importées" in imported.stdout
    assert "Cartes NFC Mamasound" in imported.stdout

    number = lines[0].split(",")[1]
    shown = regie("cards", "show", number, "--db", url)
    assert shown.returncode == 0, shown.stderr
    assert f"Carte {number} — active" in shown.stdout
    assert "Mamasound" in shown.stdout and "4 premiers octets" not in shown.stdout

    blocked = regie("cards", "block", "04000000A1B2C3", "--reason", "volée", "--db", url)
    assert blocked.returncode == 0, blocked.stderr
    other = lines[1].split(",")[1]
    replaced = regie("cards", "replace", lines[2].split(",")[1], other, "--db", url)
    assert replaced.returncode == 0, replaced.stderr
    assert f"remplacée par {other}" in replaced.stdout
    listing = regie("cards", "blocklist", "--db", url).stdout
    assert "04000000A1B2C3" in listing and "04000002A1B2C3" in listing
    history = regie("cards", "show", number, "--db", url).stdout
    # The history in the office's words, not the stored codes; the balance with its currency.
    assert "Changement d'état" in history and "active → bloquée volée (Léa)" in history
    assert "blocked" not in history and "Soldes        0,00\xa0€" in history

    again = regie("cards", "block", number, "--reason", "x", "--db", url)
    assert again.returncode == 2 and "déjà bloquée" in again.stderr

    out = tmp_path / "tibillet.csv"
    exported = regie("cards", "export", str(out), "--owner", "Mamasound", "--db", url)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text().splitlines()[0] == lines[0][: -len("A1B2C3")]
    clean = f"sqlite:///{tmp_path / 'propre.sqlite3'}"
    regie("demo", "--db", clean)
    reimported = regie("cards", "import", str(out), "--owner", "Mamasound", "--db", clean)
    assert reimported.returncode == 0, reimported.stderr
    assert "30 cartes importées" in reimported.stdout


def test_generate_writes_a_printer_file_and_records_the_batch(tmp_path: Path) -> None:
    url = demo_db(tmp_path)
    out = tmp_path / "imprimeur.csv"
    result = regie(
        "cards", "generate", "25", "--base-url", "https://festival.example", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in out.read_text().splitlines()]
    assert len(rows) == 25 and all(r[0].startswith("https://festival.example/qr/") for r in rows)
    assert all(len(r[1]) == 8 and not r[1].isdigit() for r in rows)
    recorded = regie(
        "cards",
        "generate",
        "10",
        "--base-url",
        "https://festival.example",
        "--out",
        str(tmp_path / "lot2.csv"),
        "--owner",
        "CCC",
        "--db",
        url,
    )
    assert recorded.returncode == 0, recorded.stderr
    assert "enregistrées : lot lot2" in recorded.stdout
    bad = regie("cards", "generate", "3", "--base-url", "festival", "--out", str(out))
    assert bad.returncode == 2 and "adresse de base invalide" in bad.stderr


@pytest.mark.pcsc
def test_encode_prints_one_line_per_card_and_stops_after_count(
    pcscd: object, tmp_path: Path
) -> None:
    url = demo_db(tmp_path)
    regie(
        "cards",
        "generate",
        "5",
        "--base-url",
        "https://festival.example",
        "--out",
        str(tmp_path / "lot.csv"),
        "--owner",
        "CCC",
        "--name",
        "Lot CLI",
        "--db",
        url,
    )
    card = VirtualCard("ntag215", port=35963)
    card.insert()  # already on the reader when the session starts: served at once
    try:
        result = regie(
            "cards",
            "encode",
            "--reader",
            "Virtual PCD 00 00",
            "--write-url",
            "--protect",
            "--batch",
            "Lot CLI",
            "--count",
            "1",
            "--db",
            url,
        )
    finally:
        card.remove()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    encoded = [line for line in lines if line.startswith("ENCODÉE")]
    assert len(encoded) == 1 and card.uid.hex().upper() in encoded[0]
    assert "NTAG215" in encoded[0]
    assert "1 encodées" in lines[-1] and "Fin de session" in lines[-1]
    number = encoded[0].split()[1]
    shown = regie("cards", "show", card.uid.hex(), "--db", url).stdout
    assert f"Carte {number}" in shown and "protégée : oui" in shown


def test_the_desk_loads_the_card_the_office_names_by_its_number_or_uid(tmp_path: Path) -> None:
    """The printed number is what the office reads on the card: the money must land in the
    wallet the terminals know, the chip's UID; a card nobody knows is refused."""
    url = demo_db(tmp_path)
    shown = regie("cards", "show", "F38B2FFC", "--db", url).stdout
    uid = next(line.split()[1] for line in shown.splitlines() if line.strip().startswith("UID"))

    def wallet(account: str) -> list[str]:
        listed = regie("ledger", "balance", "--account", account, "--db", url).stdout
        return [" ".join(line.split()) for line in listed.splitlines() if account in line]

    assert wallet(f"wallet:{uid}") == []  # the demo card holds nothing yet
    by_number = regie("ledger", "topup", "F38B2FFC", "2000", "--db", url)
    assert by_number.returncode == 0, by_number.stderr
    assert wallet(f"wallet:{uid}") == [f"wallet:{uid} EUR 20,00 €"]
    assert wallet("wallet:F38B2FFC") == []  # not a wallet of its own under the number
    by_uid = regie("ledger", "topup", uid.lower(), "500", "--db", url)
    assert by_uid.returncode == 0, by_uid.stderr
    assert wallet(f"wallet:{uid}") == [f"wallet:{uid} EUR 25,00 €"]
    unknown = regie("ledger", "topup", "04A1B2C3D4E5F6", "2000", "--db", url)
    assert unknown.returncode == 2
    assert "aucune carte n'a le numéro ou l'UID 04A1B2C3D4E5F6" in unknown.stderr
    nothing = regie("ledger", "balance", "--account", "wallet:04A1B2C3D4E5F6", "--db", url)
    assert "wallet:04A1B2C3D4E5F6" not in nothing.stdout


def test_the_ledger_report_speaks_as_the_sales_tab(tmp_path: Path) -> None:
    """VAT rates, hours and means of payment in words, as the window shows them."""
    url = demo_db(tmp_path)
    # The demo is a season: the prestation's full name scopes the report to its own sales
    # (MamaStock 2026's journal holds 371 cash top-ups in euros; « MamaStock » alone would
    # only title a report of the whole ledger, MamAfrica's top-ups included).
    report = regie("ledger", "report", "--event", "MamaStock 2026", "--db", url)
    assert report.returncode == 0, report.stderr
    lines = [" ".join(line.split()) for line in report.stdout.splitlines()]
    assert any(line.startswith("5,5 % ") for line in lines)  # not « 5.5 % »
    assert any(line.startswith("10/07/2026 de 18 h à 19 h ") for line in lines)
    assert any(line.startswith("Espèces EUR 371 op.") for line in lines)
    assert not any(line.startswith(("cash ", "stripe_terminal ", "2026-")) for line in lines)


def test_a_refund_run_again_with_its_key_says_nothing_more_is_due(tmp_path: Path) -> None:
    url = demo_db(tmp_path)
    assert regie("ledger", "topup", "F38B2FFC", "2000", "--db", url).returncode == 0
    first = regie("ledger", "refund", "F38B2FFC", "--key", "guichet-7", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "À rendre en espèces : 20,00\xa0€" in first.stdout
    again = regie("ledger", "refund", "F38B2FFC", "--key", "guichet-7", "--db", url)
    assert again.returncode == 0, again.stderr
    assert "déjà enregistré" in again.stdout and "À rendre" not in again.stdout


def test_the_desk_loads_no_money_on_a_blocked_card(tmp_path: Path) -> None:
    """Terminals refuse a blocked card: money loaded on it would be stuck there."""
    url = demo_db(tmp_path)
    blocked = regie("cards", "block", "F38B2FFC", "--reason", "volée", "--db", url)
    assert blocked.returncode == 0, blocked.stderr
    refused = regie("ledger", "topup", "F38B2FFC", "2000", "--db", url)
    assert refused.returncode != 0
    assert "bloquée" in refused.stderr and "Traceback" not in refused.stderr
    listed = regie("ledger", "balance", "--db", url).stdout
    shown = regie("cards", "show", "F38B2FFC", "--db", url).stdout
    uid = next(line.split()[1] for line in shown.splitlines() if line.strip().startswith("UID"))
    assert f"wallet:{uid}" not in listed  # nothing was written

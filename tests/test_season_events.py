"""Events own their transfers: which event each transfer of a two-event base is attributed to,
and the transfers outside every event, listed (never dropped)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.db import Database
from regie.ledger.models import Transfer
from regie.models import Prestation
from tests.season_fixtures import C1, SPRING, SUMMER, season_base  # noqa: F401


def _events_by_seq(session: Session) -> dict[tuple[str, int], str]:
    """(terminal, seq) → the event name of its first leg, « hors » when none."""
    from regie.ledger.models import Source

    names = dict(session.execute(select(Prestation.id, Prestation.name)).all())
    return {
        (source, seq): names.get(event_id, "hors")
        for source, seq, event_id in session.execute(
            select(Source.name, Transfer.seq, Transfer.event_id)
            .join(Source, Transfer.source_id == Source.id)
            .where(Transfer.leg == 0)
        )
    }


def test_each_transfer_belongs_to_the_event_its_terminal_or_day_says(season: Database) -> None:
    with season.session() as session:
        found = _events_by_seq(session)
    assert found == {
        # lent to Spring (by its tag), at its bar and its desk
        ("CCC-V2S-001", 1): SPRING,
        ("CCC-V2S-001", 2): SPRING,
        # the afternoon of the day after: the terminal was not returned yet
        ("CCC-V2S-001", 3): SPRING,
        # an unknown terminal on that afternoon: Spring's terminals were still out
        ("SUNMI-INCONNU", 1): SPRING,
        # a registered terminal (CAISSE-B) whose asset is lent to Summer
        ("CAISSE-B", 1): SUMMER,
        ("CAISSE-B", 2): SUMMER,
        ("CAISSE-B", 3): SUMMER,
        # an unknown terminal at Bar Sud, whose terminal is lent to Summer
        ("SUNMI-PRET", 1): SUMMER,
        # September: no event
        ("SUNMI-INCONNU", 2): "hors",
    }


def _event_of_last(session: Session) -> int | None:
    return session.scalar(select(Transfer.event_id).order_by(Transfer.id.desc()).limit(1))


def test_a_desk_operation_belongs_to_the_event_it_names(season: Database) -> None:
    from regie import clock
    from regie.ledger.desk import cash_topup, correction
    from tests.season_fixtures import utc

    with season.session() as session, clock.frozen(utc(2026, 9, 20, 10)):
        spring = session.scalar(select(Prestation.id).where(Prestation.name == SPRING))
        summer = session.scalar(select(Prestation.id).where(Prestation.name == SUMMER))
        cash_topup(session, C1, 1000, event=SPRING)
        assert _event_of_last(session) == spring
        correction(session, C1, -100, "erreur de saisie", event=SUMMER)
        assert _event_of_last(session) == summer
        cash_topup(session, C1, 500)  # 20 September: no event's days, none named
        assert _event_of_last(session) is None


def test_a_desk_operation_naming_an_unknown_event_writes_nothing(season: Database) -> None:
    from regie.errors import NotFound
    from regie.ledger.desk import cash_topup

    with season.session() as session:
        before = session.scalar(select(Transfer.id).order_by(Transfer.id.desc()).limit(1))
        with pytest.raises(NotFound, match=r"Printemps 2026") as refused:
            cash_topup(session, C1, 1000, event="Automne 2026")
        # The window names the known events; the command line also says which option to fix.
        assert "--event" not in str(refused.value)
        assert "--event" in refused.value.on_command_line()
        after = session.scalar(select(Transfer.id).order_by(Transfer.id.desc()).limit(1))
    assert after == before


def test_the_cli_desk_top_up_takes_the_event(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from regie.cli import main

    assert main(["ledger", "topup", C1, "700", "--event", SUMMER, "--db", season.url]) == 0
    with season.session() as session:
        summer = session.scalar(select(Prestation.id).where(Prestation.name == SUMMER))
        assert _event_of_last(session) == summer


def test_the_cli_lists_the_transfers_outside_every_event(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from regie.cli import main

    assert main(["ledger", "journal", "--hors-prestation", "--db", season.url]) == 0
    out = capsys.readouterr().out
    # one transfer: the September sale of C1 (300 ¢) at Bar Nord
    assert out.splitlines()[0] == "1 transfert"
    assert "SUNMI-INCONNU" in out and "Bar Nord" in out and "3,00" in out
    assert main(["ledger", "journal", "--event", SPRING, "--db", season.url]) == 0
    # Spring: the top-up and its three sales, one leg each
    assert capsys.readouterr().out.splitlines()[0] == "4 transferts"
    assert main(["ledger", "journal", "--event", "Automne 2026", "--db", season.url]) != 0
    assert "Printemps 2026" in capsys.readouterr().err


@pytest.mark.gui
def test_the_journal_screen_filters_by_event_and_lists_hors_prestation(
    qtbot: object, season: Database, artifacts: object
) -> None:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from regie.ledger.browse import OUTSIDE_EVENTS
    from tests.test_gui_ledger_support import idle, open_page, shoot

    assert isinstance(qtbot, QtBot) and isinstance(artifacts, Path)
    page = open_page(qtbot, season)
    screen = page.journal
    idle(qtbot, screen.model)
    # 4 (Spring) + 4 (Summer) + 1 (September) = 9 transfers in all
    assert screen.model.total == 9
    names = [screen.event_box.itemText(i) for i in range(screen.event_box.count())]
    assert names == ["Toutes les prestations", SPRING, SUMMER, "Hors prestation"]
    screen.event_box.setCurrentIndex(screen.event_box.findData(OUTSIDE_EVENTS))
    idle(qtbot, screen.model)
    assert screen.model.total == 1
    assert screen.model.index(0, 9).data() == "Bar Nord"
    screen.event_box.setCurrentIndex(screen.event_box.findData(SUMMER))
    idle(qtbot, screen.model)
    assert screen.model.total == 4
    assert {screen.model.index(r, 9).data() for r in range(4)} == {"Bar Sud"}
    shoot(page, artifacts, "journal-event")


@pytest.mark.gui
def test_the_closure_wizard_offers_the_z_of_each_event(qtbot: object, season: Database) -> None:
    from pytestqt.qtbot import QtBot

    from regie.ledger.closures import event_scope
    from tests.test_gui_ledger_support import open_page

    assert isinstance(qtbot, QtBot)
    page = open_page(qtbot, season)
    page.show_screen(page.closures)
    wizard = page.closures.open_wizard()
    assert wizard is not None
    scope = wizard.scope_page.scope
    assert [scope.itemText(i) for i in range(scope.count())][-3:] == [
        f"Événement {SPRING}",
        f"Événement {SUMMER}",
        "Tout l'événement",
    ]
    scope.setCurrentIndex(scope.findData(event_scope(SUMMER)))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.x_page.preview is not None, timeout=10_000)
    preview = wizard.x_page.preview
    # Summer's sales only: 900 + 700 cashless + 400 bank card = 2,000
    assert preview is not None and preview.figures.sales_total == 2000
    wizard.next()
    assert not wizard.count_page.counted.isEnabled()  # a cash count is per point of sale
    wizard.reject()


def test_the_ledger_report_of_an_event_lists_its_own_sales_only(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from regie.cli import main

    assert main(["ledger", "report", "--event", SUMMER, "--db", season.url]) == 0
    out = capsys.readouterr().out
    # Summer sold « Limonade » only (3 × : 900 + 700 + 400 = 20,00 €), at Bar Sud
    assert "Limonade" in out and "Bar Sud" in out and "20,00" in out
    assert "Bière 25cl" not in out and "Bar Nord" not in out

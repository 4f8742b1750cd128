"""Every per-event figure reads its event's transfers only: the event report (and its PDF),
the Z of an event, the year's indicators, the dashboard's cards; on the two-event base of
tests/season_fixtures.py (its docstring lists every transfer; figures below by hand)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from regie import clock
from regie.cli import main
from regie.db import Database
from regie.ledger.closures import EVENT, close_z, event_scope
from regie.ledger.verify import verify
from regie.settlement.event_report import event_report, report_figures
from regie.settlement.indicators import cards_by_prestation, indicators
from regie.settlement.report_pdf import report_pdf
from tests.season_fixtures import C1, SPRING, SUMMER, season_base, utc  # noqa: F401


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_report_of_one_event_shows_none_of_the_others_sales(
    season: Database, tmp_path: Path
) -> None:
    with season.session() as session:
        spring = event_report(session, SPRING)
        summer = event_report(session, SUMMER)
    # Spring: 1,200 + 800 + 500 = 2,500 ¢ in 3 sales of « Bière 25cl » at Bar Nord
    assert (spring.sales_cents, spring.sales_count) == (2500, 3)
    assert [(r.key, r.quantity, r.amount) for r in spring.sales_by_product] == [
        ("Bière 25cl", 3, 2500)
    ]
    assert [r.key for r in spring.sales_by_pos] == ["Bar Nord"]
    # 20 %: 2,500 / 1.2 = 2,083.3 → 2,083 excl. VAT, 417 VAT
    assert [(v.rate_bp, v.gross_cents, v.excl_cents) for v in spring.vat] == [(2000, 2500, 2083)]
    assert spring.topups == [("cash", "EUR", 1, 5000)]
    # C1 only; what it holds now: 5,000 − 1,200 − 800 − 500 − 700 − 300 = 1,500
    assert (spring.cards_used, spring.left_on_cards) == (1, {"EUR": 1500})
    # Summer: 900 + 700 cashless + 400 bank card = 2,000 ¢ in 3 sales of « Limonade »
    assert (summer.sales_cents, summer.sales_count) == (2000, 3)
    assert [(r.key, r.quantity, r.amount) for r in summer.sales_by_product] == [
        ("Limonade", 3, 2000)
    ]
    assert [r.key for r in summer.sales_by_pos] == ["Bar Sud"]
    assert summer.topups == [("cash", "EUR", 1, 3000)]
    # C1 and C2; C1 1,500 + C2 (3,000 − 900 = 2,100) = 3,600
    assert (summer.cards_used, summer.left_on_cards) == (2, {"EUR": 3600})
    text = text_of(report_pdf(spring, tmp_path / "printemps.pdf"))
    assert "Bière 25cl" in text and "Bar Nord" in text
    assert "Limonade" not in text and "Bar Sud" not in text


def test_report_json_gives_the_events_figures_in_cents(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", SUMMER, "--json", "--db", season.url]) == 0
    figures = orjson.loads(capsys.readouterr().out)
    assert figures["event"]["name"] == SUMMER
    # 900 + 700 + 400 = 2,000; average basket 2,000 / 3 = 666.7 → 667
    assert (figures["sales_cents"], figures["sales_count"]) == (2000, 3)
    assert figures["average_basket_cents"] == 667
    assert figures["cards_used"] == 2
    assert figures["sales_by_product"] == [{"key": "Limonade", "quantity": 3, "cents": 2000}]
    # 5.5 %: 2,000 × 10,000 / 10,550 = 1,895.7 → 1,896 excl., 104 VAT
    assert figures["vat"] == [
        {"rate_bp": 550, "gross_cents": 2000, "excl_cents": 1896, "vat_cents": 104}
    ]
    with season.session() as session:
        assert figures == report_figures(event_report(session, SUMMER))


def test_report_without_out_nor_json_says_which_option_to_give(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", SUMMER, "--db", season.url]) != 0
    assert "--out" in capsys.readouterr().err


def test_the_z_of_an_event_covers_its_transfers_and_old_event_z_still_verify(
    season: Database,
) -> None:
    with season.session() as session, clock.frozen(utc(2026, 9, 30, 12)):
        # The whole ledger, as a Z « event » closed before events owned their transfers:
        # 2,500 + 2,000 + 300 (September, hors prestation) = 4,800
        assert close_z(session, EVENT, period="event").figures.sales_total == 4800
        spring = close_z(session, event_scope(SPRING), period="event")
        summer = close_z(session, event_scope(SUMMER), period="event")
    assert (spring.figures.sales_total, spring.grand_total) == (2500, 2500)
    # 900 + 700 cashless, 400 bank card
    assert summer.figures.sales_total == 2000
    assert summer.figures.totals["sale/card/EUR"] == 400
    assert spring.figures.totals["sale/cashless/EUR"] == 2500
    with season.session() as session, clock.frozen(utc(2026, 9, 30, 13)):
        close_z(session, "pos:Bar Sud", period="event")  # Summer's till
    with season.session() as session:
        assert verify(session).problems == []
        spring = event_report(session, SPRING)
        summer_report = event_report(session, SUMMER)
    # each report lists its event's Z and the tills' Z holding its transfers, not the
    # other event's nor the whole ledger's
    assert [z.scope for z in spring.closures] == [event_scope(SPRING)]
    assert [z.scope for z in summer_report.closures] == [event_scope(SUMMER), "pos:Bar Sud"]


def test_a_z_of_an_unknown_event_names_the_known_ones(season: Database) -> None:
    from regie.errors import UserError

    with season.session() as session, pytest.raises(UserError, match=SPRING):
        close_z(session, event_scope("Automne 2026"))


def test_indicators_count_the_years_events_and_split_cashless_cash_and_card(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with season.session() as session, clock.frozen(utc(2027, 3, 1, 10)):
        from regie.ledger.desk import cash_topup

        cash_topup(session, C1, 1000)  # 2027: a card used, but no event that year
    with season.session() as session:
        year = indicators(session, 2026)
        empty = indicators(session, 2027)
        by_event = cards_by_prestation(session, 2026)
    # two events; cards C1 and C2 (C1's September sale and 2027 top-up are no event's)
    assert (year.events, year.cards_used) == (2, 2)
    # cashless: Spring 2,500 + Summer 900 + 700 = 4,100; bank card: 400; cash: none;
    # the 300 of September (hors prestation) is not counted
    assert (year.cashless_sales_cents, year.card_sales_cents, year.cash_sales_cents) == (
        4100,
        400,
        0,
    )
    assert year.sales_cents == 4500
    assert by_event == {SPRING: 1, SUMMER: 2}
    assert (empty.events, empty.cards_used, empty.sales_cents) == (0, 0, 0)
    assert main(["indicators", "--year", "2026", "--json", "--db", season.url]) == 0
    figures = orjson.loads(capsys.readouterr().out)
    assert {
        key: figures[key]
        for key in (
            "events",
            "cards_used",
            "cashless_sales_cents",
            "cash_sales_cents",
            "card_sales_cents",
        )
    } == {
        "events": 2,
        "cards_used": 2,
        "cashless_sales_cents": 4100,
        "cash_sales_cents": 0,
        "card_sales_cents": 400,
    }
    assert [line["name"] for line in figures["prestations"]] == [SPRING, SUMMER]


def test_dashboard_cards_used_do_not_go_down_when_a_card_is_used_after_the_event(
    season: Database,
) -> None:
    from regie.dashboard import card_counts
    from regie.ledger.desk import cash_topup
    from regie.settlement.events import find_event

    with season.session() as session:
        summer = find_event(session, SUMMER)
        before = card_counts(session, summer).in_use
        with clock.frozen(utc(2026, 12, 1, 10)):
            cash_topup(session, C1, 1000)  # December: C1 is used again, after Summer
        after = card_counts(session, summer).in_use
    # C1 and C2 moved at Summer; still both after C1's December top-up
    assert (before, after) == (2, 2)


def test_refund_preview_of_an_event_takes_the_cards_that_took_part_in_it(
    season: Database,
) -> None:
    from regie.settlement.refund_plan import event_preview

    with season.session() as session:
        spring = event_preview(session, SPRING)
        summer = event_preview(session, SUMMER)
        every = event_preview(session)
    # every top-up was cash: what is left is « hors carte bancaire », card by card:
    # Spring's card C1 holds 1,500; Summer's C1 and C2 hold 1,500 + 2,100 = 3,600
    assert spring.not_by_card_cents == 1500
    assert summer.not_by_card_cents == 3600
    assert every.not_by_card_cents == 3600

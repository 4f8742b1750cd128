"""The convention as a season ledger, on the demo's two events (MamAfrica 2026, 29-31 May;
MamaStock 2026, 10-12 July): chronological order whatever the recording order, the crossing
prorated, the organiser's invoices as the base, own events, the melting payback per period,
each Stripe fee once, incidents on the statement, immutable versions and the cooperative's
invoice, ``--json``, and the season at a glance.

Every figure is worked out by hand from the convention's rules. The amount to amortise is the
cooperative's equipment at cost, 10,460 € (17 V2s + 2 D3 mini + 6 card readers at 300 €,
2 access points at 180 €, 6,000 cards at 0.35 €, small kit 500 €), plus the bank fees the
draft names, 2,500 € (hosting 0 by default): 12,960 €. Rates 35 % then 12 %; share between
500 € and 15,000 €; cachet 250 € a day; hosting 50 € a prestation; wear 1 % of what was lent.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from regie import clock
from regie.cli import main
from regie.db import Database
from regie.errors import Conflict
from regie.inventory.models import Incident, IncidentKind, Payer
from regie.inventory.register import add_organisation, add_prestation
from regie.ledger.entries import Entry, Leg
from regie.ledger.posting import post_entries
from regie.models import Organisation
from regie.settlement.convention import record, settle
from regie.settlement.invoices import create_invoice, parse_line
from regie.settlement.models import (
    Invoice,
    InvoiceLine,
    SettlementRecord,
    StripeBalanceTransaction,
)
from regie.settlement.season import season
from regie.settlement.settings import set_setting
from regie.settlement.statement_pdf import statement_pdf
from regie.settlement.versions import cooperative_invoice

AFRICA, STOCK = "MamAfrica 2026", "MamaStock 2026"
CLIENT = "Ville de Sète"
INVESTED = 1046000 + 250000  # 10,460 € of equipment + 2,500 € of bank fees
LENT_TO_STOCK = 25 * 30000 + 2 * 18000 + 5000 * 35  # 9,610 €: its wear is 1 % = 96.10 €
HOSTING = 5000


def at(day: dt.date, hour: int = 12) -> int:
    return int(dt.datetime.combine(day, dt.time(hour), dt.UTC).timestamp())


def organiser_invoices(db: Database, prestation: str, *lines: str) -> str:
    with db.session() as session:
        if not session.scalar(select(Organisation.id).where(Organisation.short_name == CLIENT)):
            add_organisation(session, CLIENT)
        return create_invoice(session, client=CLIENT, issuer="Mamasound", prestation=prestation,
                              lines=[parse_line(line) for line in lines],
                              issued_on=dt.date(2026, 7, 20)).reference  # fmt: skip


def text_of(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return " ".join(done.stdout.split())


def test_statements_follow_the_calendar_whatever_the_recording_order(demo: Database) -> None:
    organiser_invoices(demo, STOCK, "Régie cashless;1;9000;20")
    with demo.session() as session:
        first = record(session, settle(session, STOCK))  # recorded before MamAfrica
    with demo.session() as session:
        africa = settle(session, AFRICA, turnover_cents=3000000)
        done = record(session, africa)
    # MamAfrica ends first: 35 % of 30,000 € = 10,500 €, all of it recovered; 2,460 € left.
    assert (africa.recovered_before_cents, africa.share_cents) == (0, 1050000)
    assert (first.version, done.version) == (1, 1)
    assert done.now_differ == [STOCK]  # MamaStock was recorded seeing nothing recovered
    with demo.session() as session:
        stock = settle(session, STOCK)
    # MamaStock now crosses the line: 2,460 € at 35 % cover 2,460 / 0.35 = 7,028.57 € of its
    # 9,000 € base (702,857.14 cents, half up: 702,857); the rest, 1,971.43 €, at 12 % =
    # 236.5716 € → 236.57 €. Share = 2,460 + 236.57 = 2,696.57 €.
    assert stock.recovered_before_cents == 1050000 and stock.phase == "bascule"
    assert (stock.amortised_base_cents, stock.share_cents) == (702857, 269657)
    assert stock.recovery_cents == 246000 and stock.remaining_after_cents == 0
    assert stock.version == 0 and stock.previous_version == 1
    assert stock.differences()["recovered_before_cents"] == (0, 1050000)
    assert stock.differences()["share_cents"] == (315000, 269657)


def test_two_prestations_ending_the_same_day_see_each_other_in_id_order(
    demo: Database,
) -> None:
    organiser_invoices(demo, STOCK, "Régie cashless;1;10000;20")
    with demo.session() as session:
        add_prestation(session, "Thau 2026", CLIENT, dt.date(2026, 7, 10), dt.date(2026, 7, 12))
        thau = settle(session, "Thau 2026", turnover_cents=1000000)
        record(session, thau)
        stock = settle(session, STOCK)
    # Same dates as MamaStock: the older id (MamaStock) comes first and sees nothing of Thau;
    # Thau sees MamaStock's draft 35 % × 10,000 € = 3,500 € recovered before it.
    assert stock.recovered_before_cents == 0
    assert thau.recovered_before_cents == 350000
    # Σ recovered never passes what is to amortise.
    assert stock.recovery_cents + thau.recovery_cents <= INVESTED


def test_the_base_is_what_the_organiser_invoiced_its_client_never_the_cooperatives_invoice(
    demo: Database,
) -> None:
    reference = organiser_invoices(
        demo, STOCK, "Régie cashless;1;9000;20", "Cachet technicien;3;250;20;cachet"
    )
    with demo.session() as session:
        # the cooperative's invoice to Mamasound for the same prestation
        create_invoice(session, client="Mamasound", issuer="CCC", prestation=STOCK,
                       lines=[parse_line("Part;1;3150;20")],
                       issued_on=dt.date(2026, 7, 25))  # fmt: skip
        statement = settle(session, STOCK)
    # 9,000 € of service; the 750 € cachet line and the cooperative's 3,150 € left out
    assert (statement.base_cents, statement.turnover_source) == (900000, reference)


def test_recorded_statement_is_invoiced_once_and_its_invoice_never_raises_the_share(
    demo: Database, tmp_path: Path
) -> None:
    organiser_invoices(demo, STOCK, "Régie cashless;1;9000;20")
    with demo.session() as session:
        statement = settle(session, STOCK, travel_cents=12000)
        record(session, statement)
        cooperative_invoice(session, STOCK, issued_on=dt.date(2026, 8, 1))
        with pytest.raises(Conflict, match="déjà facturée"):
            cooperative_invoice(session, STOCK)
        kept = session.scalars(select(SettlementRecord)).one()
        invoice = session.get_one(Invoice, kept.invoice_id)
        parties = (session.get_one(Organisation, invoice.issuer_id).short_name,
                   session.get_one(Organisation, invoice.client_id).short_name)  # fmt: skip
        units = session.scalars(
            select(InvoiceLine.unit_cents).where(InvoiceLine.invoice_id == invoice.id)
        ).all()
        again = settle(session, STOCK)
    # share 3,150 + cachet 3 × 250 = 750 + hosting 50 + travel 120 + wear 96.10 = 4,166.10 €
    assert invoice.total_excl_cents == 315000 + 75000 + HOSTING + 12000 + LENT_TO_STOCK // 100
    assert parties == ("CCC", "Mamasound") and len(units) == 5 and min(units) > 0
    assert (again.base_cents, again.share_cents, again.version) == (900000, 315000, 1)


def test_a_correction_is_a_new_version_showing_the_difference(
    demo: Database, tmp_path: Path
) -> None:
    with demo.session() as session:
        one = record(session, settle(session, STOCK, turnover_cents=900000))
        same = record(session, settle(session, STOCK))  # same figures: nothing added
        corrected = settle(session, STOCK, turnover_cents=1000000)
        two = record(session, corrected)
        statement_pdf(corrected, tmp_path / "v2.pdf")
        rows = session.scalars(select(SettlementRecord).order_by(SettlementRecord.version)).all()
        versions = [(row.version, row.share_cents) for row in rows]
    assert (one.version, same.created, two.version) == (1, False, 2)
    # 35 % of 9,000 € = 3,150 €, then of 10,000 € = 3,500 €; version 1 is kept as it was
    assert versions == [(1, 315000), (2, 350000)]
    text = text_of(tmp_path / "v2.pdf")
    assert "Version 2 enregistrée (remplace la version 1)" in text
    assert "Différences avec la version 1" in text
    assert "Part 3 150,00 € 3 500,00 €" in text


def melt(uid: str, day: dt.date, *amounts: tuple[str, int]) -> list[Entry]:
    """A card topped up (euros by Stripe, gift tokens offered) then melted on ``day``."""
    wallet = f"wallet:{uid}"
    top = tuple(Leg("stripe:clearing", wallet, code, cents) for code, cents in amounts)
    gone = tuple(Leg(wallet, "melted", code, cents) for code, cents in amounts)
    return [
        Entry(source="Régie", source_kind="system", op="topup", method="desk",
              at=at(day - dt.timedelta(days=30)), tz_minutes=0, legs=top,
              idem_key=f"test-top:{uid}"),
        Entry(source="Régie", source_kind="system", op="melt", method="system", at=at(day),
              tz_minutes=0, legs=gone, idem_key=f"test-melt:{uid}"),
    ]  # fmt: skip


def test_melted_euros_are_paid_back_once_in_the_period_they_melted(demo: Database) -> None:
    with demo.session() as session:
        set_setting(session, "melting_payback_post_bp", "20 %", dt.date(2024, 1, 1))
        post_entries(session, [
            *melt("AA000001", dt.date(2026, 5, 20), ("EUR", 1000)),  # MamAfrica's period
            *melt("AA000002", dt.date(2026, 6, 15), ("EUR", 6000), ("GIFT", 5000)),
            *melt("AA000003", dt.date(2026, 7, 12), ("FED", 2000)),  # MamaStock's last day
            *melt("AA000004", dt.date(2026, 8, 1), ("EUR", 9900)),  # after the last one
        ])  # fmt: skip
        africa = settle(session, AFRICA, turnover_cents=5000000)
        record(session, africa)
        stock = settle(session, STOCK, turnover_cents=900000)
    # MamAfrica: 10 € melted before its end, at the amortisation-phase rate 50 % = 5 €.
    assert (africa.melted_cents, africa.melting_payback_cents) == (1000, 500)
    # MamaStock (post-amortisation after MamAfrica's 50,000 €): 60 € + 20 € of euros melted
    # from 1 June to its end; the 50 gift tokens are not money; the 99 € melted in August
    # belong to the next prestation. 20 % × 80 € = 16 €, deducted from what Mamasound owes.
    assert stock.phase == "post-amortissement"
    assert (stock.melted_cents, stock.melting_payback_cents) == (8000, 1600)
    # 12 % × 9,000 = 1,080 + cachet 750 + hosting 50 + wear 96.10 − 16 = 1,960.10 €
    assert stock.total_cents == 108000 + 75000 + HOSTING + LENT_TO_STOCK // 100 - 1600


def test_each_stripe_fee_lands_in_one_statement_though_the_windows_overlap(
    demo: Database,
) -> None:
    # MamAfrica's window (60 days before, 45 after) runs to 15 July, MamaStock's from
    # 11 May: both hold June and July 1-15.
    def fee(txn: str, intent: str, day: dt.date, cents: int) -> StripeBalanceTransaction:
        return StripeBalanceTransaction(
            id=txn, type="charge", reporting_category="charge", amount=10000, fee=cents,
            net=10000 - cents, currency="eur", created=at(day), available_on=at(day),
            source="", payment_intent=intent, payout="", description="", origin="api",
        )  # fmt: skip

    with demo.session() as session:
        post_entries(session, [Entry(
            source="Stripe", source_kind="stripe", op="topup", method="stripe_terminal",
            at=at(dt.date(2026, 7, 11)), tz_minutes=0, event=AFRICA, details="pi_late",
            legs=(Leg("stripe:clearing", "wallet:BB000001", "EUR", 10000),),
            idem_key="stripe:topup:pi_late")])  # fmt: skip
        session.add_all([
            fee("txn_1", "pi_late", dt.date(2026, 7, 11), 190),  # its top-up says MamAfrica
            fee("txn_2", "", dt.date(2026, 6, 10), 140),  # no top-up: June is MamaStock's period
            fee("txn_3", "", dt.date(2026, 5, 30), 120),  # MamAfrica's period
        ])  # fmt: skip
        session.flush()
        africa = settle(session, AFRICA, turnover_cents=900000)
        stock = settle(session, STOCK, turnover_cents=900000)
    assert africa.costs[0].cents == 190 + 120
    assert stock.costs[0].cents == 140
    assert africa.costs[0].cents + stock.costs[0].cents == 190 + 140 + 120  # each fee once


def test_own_event_has_no_cachet_and_no_share_unless_the_convention_says_so(
    demo: Database,
) -> None:
    with demo.session() as session:
        park = add_prestation(session, "Passe au Park 2026", "Mamasound", dt.date(2026, 8, 1),
                              dt.date(2026, 8, 2))  # fmt: skip
        kind = park.kind
        own = settle(session, "Passe au Park 2026")  # no invoice: none needed
        set_setting(session, "own_event_share", "1", dt.date(2026, 1, 1))
        shared = settle(session, "Passe au Park 2026", turnover_cents=400000)
    assert kind == "own"  # the client is the partner
    assert (own.share_cents, own.cachet_cents, own.recovery_cents) == (0, 0, 0)
    assert own.total_cents == HOSTING  # nothing lent, no fee: the hosting only
    # 35 % × 4,000 € = 1,400 € (above the 500 € minimum); still no cachet
    assert (shared.share_cents, shared.cachet_cents) == (140000, 0)


def test_a_lost_terminal_costs_its_book_value_and_borrower_incidents_reach_the_statement(
    demo: Database,
) -> None:
    with demo.session() as session:
        lost = session.scalars(
            select(Incident).where(Incident.kind == IncidentKind.LOSS,
                                   Incident.asset_id.is_not(None))
        ).one()  # fmt: skip
        # CCC-TPE-006 (300 €, 36 months from 1 Sept 2024), missing on 13 July 2026: 22 full
        # months amortised, 30,000 × 22 // 36 = 18,333 → book value 116.67 €.
        # The season demo charges it to the borrower, and the 210 cards of Mamasound's lot not
        # back (5,000 out, 4,790 in) at their unit cost: 210 × 0.35 € = 73.50 €
        assert lost.cost_cents == 11667 and lost.payer == Payer.BORROWER
        cards = session.scalars(
            select(Incident).where(Incident.kind == IncidentKind.LOSS,
                                   Incident.stock_lot_id.is_not(None),
                                   Incident.prestation_id == lost.prestation_id)
        ).one()  # fmt: skip
        assert (cards.cost_cents, cards.payer) == (210 * 35, Payer.BORROWER)
        stock = settle(session, STOCK, turnover_cents=900000)
        africa = settle(session, AFRICA, turnover_cents=900000)
    charged = sorted((line.cents, line.detail) for line in stock.costs[4:])
    assert [cents for cents, _detail in charged] == [7350, 11667]
    assert "Cartes NFC Mamasound" in charged[0][1]
    assert charged[1][1] == f"n°{lost.id} CCC-TPE-006 {lost.description}".strip()
    # MamAfrica: the cracked screen repaired for 45 €, charged to the borrower in the demo
    assert [line.cents for line in africa.costs[4:]] == [4500]


def test_settle_json_prints_every_figure_in_cents(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["settle", STOCK, "--db", demo.url, "--turnover", "9000", "--days", "2",
                 "--record", "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    # 35 % × 9,000 = 3,150 €; cachet 2 × 250 = 500 €; costs 50 + 96.10 = 146.10 €
    assert data["share_cents"] == 315000 and data["cachet_cents"] == 50000
    assert data["costs_cents"] == HOSTING + LENT_TO_STOCK // 100
    assert data["total_cents"] == 315000 + 50000 + HOSTING + LENT_TO_STOCK // 100
    assert data["inputs"]["base_cents"] == 900000 and data["inputs"]["cachet_days"] == 2
    assert data["invested_cents"] == INVESTED and data["recovered_before_cents"] == 0
    assert data["recovered_after_cents"] == 315000
    assert data["left_to_amortise_cents"] == INVESTED - 315000
    assert (data["phase"], data["version"], data["melting_payback_cents"]) == (
        "amortissement", 1, 0)  # fmt: skip


def test_ledger_melt_uses_the_conventions_months(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with demo.session() as session:
        set_setting(session, "melting_months", "1", dt.date(2026, 1, 1))
    with clock.frozen(dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)):
        assert main(["ledger", "melt", "--db", demo.url]) == 0
    out = capsys.readouterr().out
    # The demo's cards last moved in July 2026: dormant for 1 month by September, not 14.
    assert "sans mouvement depuis 1 mois" in out and "rien" not in out.split(":")[1]


def test_season_at_a_glance_with_two_events_recorded_in_reverse_order(demo: Database) -> None:
    with demo.session() as session:
        record(session, settle(session, STOCK, turnover_cents=900000))
        record(session, settle(session, AFRICA, turnover_cents=3000000))
        year = season(session, 2026)
    assert year.invested_cents == INVESTED
    assert [(line.name, line.status, line.version) for line in year.lines] == [
        (AFRICA, "recorded", 1), (STOCK, "changed", 1)]  # fmt: skip
    africa, stock = year.lines
    # MamAfrica: 35 % × 30,000 = 10,500 €; MamaStock crosses: 2,696.57 € (see above)
    assert (africa.share_cents, africa.phase, africa.left_to_amortise_cents) == (
        1050000, "amortissement", INVESTED - 1050000)  # fmt: skip
    assert (stock.share_cents, stock.phase, stock.left_to_amortise_cents) == (269657, "bascule", 0)
    # external: cachet 3 days × 250 €; total = share + cachet + costs − payback
    assert stock.cachet_cents == 75000 and stock.kind == "external"
    assert stock.total_cents == stock.share_cents + 75000 + stock.costs_cents
    assert year.curve == [(dt.date(2026, 5, 31), 1050000), (dt.date(2026, 7, 12), INVESTED)]
    with demo.session() as session:
        record(session, settle(session, STOCK))
        again = season(session, 2026)
    assert [(line.status, line.version) for line in again.lines] == [
        ("recorded", 1), ("recorded", 2)]  # fmt: skip


def test_season_of_an_empty_year_still_says_what_is_to_amortise(demo: Database) -> None:
    with demo.session() as session:
        empty = season(session, 2025)
    assert empty.lines == [] and empty.curve == [] and empty.invested_cents == INVESTED


def test_settle_records_and_invoices_the_partner_in_one_command(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", demo.url]
    assert main(["settle", STOCK, *db, "--turnover", "9000", "--record", "--invoice"]) == 0
    out = capsys.readouterr().out
    assert "version 1 enregistrée" in out
    assert "facture de la coopérative : F-2026-0001" in out  # the cooperative's first invoice
    assert main(["settle", STOCK, *db, "--turnover", "10000", "--record"]) == 0
    out = capsys.readouterr().out.replace("\u202f", " ").replace("\xa0", " ")
    # 35 % of 10,000 € = 3,500 € instead of 3,150 €: version 2, the difference printed
    assert "part : 3 150,00 € en version 1, 3 500,00 € maintenant" in out
    assert "version 2 enregistrée" in out
    with demo.session() as session:
        invoiced = [
            row.invoice_id is not None
            for row in session.scalars(select(SettlementRecord).order_by(SettlementRecord.version))
        ]
    assert invoiced == [True, False]  # version 1 keeps its invoice; version 2 has none yet


@pytest.mark.gui
def test_the_melting_screen_starts_at_the_conventions_months(qtbot: object, demo: Database) -> None:
    from regie.ui.ledger.melting_screen import MeltingScreen

    with demo.session() as session:
        set_setting(session, "melting_months", "3", dt.date(2026, 1, 1))
    screen = MeltingScreen(demo)
    qtbot.addWidget(screen)  # type: ignore[attr-defined]
    assert screen.months.value() == 3

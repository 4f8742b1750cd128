"""The convention as a season ledger, on the demo's season: MamAfrica 2025 (2-4 May 2025,
external, its statement recorded: 35 % × 3,200 € = 1,120 € recovered), MamAfrica 2026 (29-31
May, external, Mamasound's invoice F-2026-0001: 9,500 + 3 × 450 = 10,850 € of services, the
750 € cachet line apart), MamaStock 2026 (10-12 July, Mamasound's own festival: no cachet, no
share), the melt of 2026-07-05 (5,522 € EUR, 776 FED, 330.50 GIFT) and Le Rockstore's three
SoTicket concerts (Oct-Nov). Where a story needs a second external prestation, the test adds
« Escale à Sète 2026 » (14-16 August, client Ville de Sète). Covered: chronological order
whatever the recording order, the crossing prorated, the organiser's invoices as the base, own
events, the melting payback per period, each Stripe fee once, incidents on the statement,
immutable versions and the cooperative's invoice, ``--json``, and the season at a glance.

Every figure is worked out by hand from the convention's rules. The amount to amortise is the
cooperative's equipment at cost, 10,460 € (17 V2s + 2 D3 mini + 6 card readers at 300 €,
2 access points at 180 €, 6,000 cards at 0.35 €, small kit 500 €), plus the bank fees the
draft names, 2,500 € (hosting 0 by default): 12,960 €. Rates 35 % then 12 %; share between
500 € and 15,000 €; cachet 250 € a day; hosting 50 € a prestation; wear 1 % of what was lent.
Before MamAfrica 2026, MamAfrica 2025 recovered 1,120 €: 12,960 − 1,120 = 11,840 € are left.
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
from regie.models import Organisation, Prestation
from regie.settings.convention import set_setting
from regie.settlement.convention import settle
from regie.settlement.invoices import create_invoice, parse_line
from regie.settlement.models import (
    Invoice,
    InvoiceLine,
    SettlementRecord,
    StripeBalanceTransaction,
)
from regie.settlement.season import season
from regie.settlement.statement_pdf import statement_pdf
from regie.settlement.versions import cooperative_invoice, record

AFRICA, STOCK = "MamAfrica 2026", "MamaStock 2026"
ESCALE = "Escale à Sète 2026"  # an external prestation the tests add after MamaStock
CLIENT = "Ville de Sète"
INVESTED = 1046000 + 250000  # 10,460 € of equipment + 2,500 € of bank fees
RECOVERED_2025 = 112000  # MamAfrica 2025, recorded in the demo: 35 % × 3,200 € = 1,120 €
# MamAfrica 2026: 10 V2s + the case of 4 V2s + 3 card readers at 300 €, 2 access points at
# 180 €, 3,000 cards at 0.35 € = 5,100 + 360 + 1,050 = 6,510 €: its wear is 1 % = 65.10 €
LENT_TO_AFRICA = 17 * 30000 + 2 * 18000 + 3000 * 35
CRACKED = 4500  # MamAfrica 2026's cracked screen, repaired for 45 €, charged to the borrower
# The cooperative's equipment lent for MamaStock: 25 terminals and readers at 300 € and 2
# access points at 180 € = 7,860 €: its wear is 1 % = 78.60 € (the 5,000 cards lent are
# Mamasound's own: they wear at Mamasound's cost, not on the cooperative's statement).
LENT_TO_STOCK = 25 * 30000 + 2 * 18000
HOSTING = 5000


def at(day: dt.date, hour: int = 12) -> int:
    return int(dt.datetime.combine(day, dt.time(hour), dt.UTC).timestamp())


def organiser_invoices(db: Database, prestation: str, *lines: str) -> str:
    with db.session() as session:
        if not session.scalar(select(Organisation.id).where(Organisation.short_name == CLIENT)):
            add_organisation(session, CLIENT)
        return create_invoice(
            session,
            client=CLIENT,
            issuer="Mamasound",
            prestation=prestation,
            lines=[parse_line(line) for line in lines],
            issued_on=dt.date(2026, 7, 20),
        ).reference


def add_escale(db: Database) -> None:
    """An external prestation after MamaStock (14-16 August 2026), for an outside client."""
    with db.session() as session:
        if not session.scalar(select(Organisation.id).where(Organisation.short_name == CLIENT)):
            add_organisation(session, CLIENT)
        add_prestation(session, ESCALE, CLIENT, dt.date(2026, 8, 14), dt.date(2026, 8, 16))


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_statements_follow_the_calendar_whatever_the_recording_order(demo: Database) -> None:
    add_escale(demo)
    organiser_invoices(demo, ESCALE, "Régie cashless;1;9000;20")
    with demo.session() as session:
        seen = settle(session, ESCALE)
        first = record(session, seen)  # recorded before MamAfrica 2026
    # Escale saw 1,120 € (2025) + MamAfrica 2026's draft from its invoice, 35 % × 10,850 =
    # 3,797.50 €, + MamaStock's 0 (own event): 4,917.50 € recovered; 35 % × 9,000 = 3,150 €.
    assert (seen.recovered_before_cents, seen.share_cents) == (RECOVERED_2025 + 379750, 315000)
    with demo.session() as session:
        africa = settle(session, AFRICA, turnover_cents=3000000)
        done = record(session, africa)
    # MamAfrica 2026 ends first: after 2025's 1,120 €, 35 % of 30,000 € = 10,500 €, all of it
    # recovered (11,840 € were left); 12,960 − 1,120 − 10,500 = 1,340 € left.
    assert (africa.recovered_before_cents, africa.share_cents) == (RECOVERED_2025, 1050000)
    assert (first.version, done.version) == (1, 1)
    assert done.now_differ == [ESCALE]  # Escale was recorded seeing 4,917.50 € recovered
    with demo.session() as session:
        escale = settle(session, ESCALE)
    # Escale now crosses the line: 1,340 € at 35 % cover 1,340 / 0.35 = 3,828.57 € of its
    # 9,000 € base (382,857.14 cents, half up: 382,857); the rest, 5,171.43 €, at 12 % =
    # 620.5716 € → 620.57 €. Share = 1,340 + 620.57 = 1,960.57 €.
    assert escale.recovered_before_cents == RECOVERED_2025 + 1050000
    assert escale.phase == "bascule"
    assert (escale.amortised_base_cents, escale.share_cents) == (382857, 196057)
    assert escale.recovery_cents == 134000 and escale.remaining_after_cents == 0
    assert escale.version == 0 and escale.previous_version == 1
    assert escale.differences()["recovered_before_cents"] == (
        RECOVERED_2025 + 379750,
        RECOVERED_2025 + 1050000,
    )
    assert escale.differences()["share_cents"] == (315000, 196057)


def test_two_prestations_ending_the_same_day_see_each_other_in_id_order(
    demo: Database,
) -> None:
    with demo.session() as session:
        add_organisation(session, CLIENT)
        add_prestation(session, "Thau 2026", CLIENT, dt.date(2026, 5, 29), dt.date(2026, 5, 31))
        thau = settle(session, "Thau 2026", turnover_cents=1000000)
        record(session, thau)
        africa = settle(session, AFRICA)
    # Same dates as MamAfrica 2026: the older id (MamAfrica) comes first and sees only 2025's
    # 1,120 €, nothing of Thau's recorded 35 % × 10,000 € = 3,500 €; Thau sees 1,120 € +
    # MamAfrica's draft 35 % × 10,850 € = 3,797.50 €: 4,917.50 € recovered before it.
    assert africa.recovered_before_cents == RECOVERED_2025
    assert thau.recovered_before_cents == RECOVERED_2025 + 379750
    assert thau.share_cents == 350000
    # Σ recovered never passes what is to amortise.
    assert RECOVERED_2025 + africa.recovery_cents + thau.recovery_cents <= INVESTED


def test_the_base_is_what_the_organiser_invoiced_its_client_never_the_cooperatives_invoice(
    demo: Database,
) -> None:
    with demo.session() as session:
        # the cooperative's invoice to Mamasound for MamAfrica 2026 (CCC's own F-2026-0001)
        ccc = create_invoice(
            session,
            client="Mamasound",
            issuer="CCC",
            prestation=AFRICA,
            lines=[parse_line("Part;1;3797.50;20")],
            issued_on=dt.date(2026, 7, 25),
        )
        statement = settle(session, AFRICA)
        mamasound = session.scalars(
            select(Invoice)
            .join(Organisation, Organisation.id == Invoice.issuer_id)
            .where(Organisation.short_name == "Mamasound", Invoice.year == 2026)
        ).one()
    # Mamasound's F-2026-0001 to the association: 9,500 + 3 × 450 = 10,850 € of service; its
    # 3 × 250 = 750 € cachet line and the cooperative's 3,797.50 € left out
    assert ccc.reference == mamasound.reference == "F-2026-0001"  # two issuers, one number
    assert (statement.base_cents, statement.turnover_source) == (1085000, "F-2026-0001")
    assert mamasound.total_excl_cents == 1085000 + 75000  # the cachet is on the invoice


def test_recorded_statement_is_invoiced_once_and_its_invoice_never_raises_the_share(
    demo: Database, tmp_path: Path
) -> None:
    with demo.session() as session:  # MamAfrica 2026: the demo's invoice of 10,850 €
        statement = settle(session, AFRICA, travel_cents=12000)
        record(session, statement)
        cooperative_invoice(session, AFRICA, issued_on=dt.date(2026, 8, 1))
        with pytest.raises(Conflict, match="déjà facturée"):
            cooperative_invoice(session, AFRICA)
        kept = session.scalars(
            select(SettlementRecord).where(SettlementRecord.prestation_id == statement.event.id)
        ).one()
        invoice = session.get_one(Invoice, kept.invoice_id)
        parties = (
            session.get_one(Organisation, invoice.issuer_id).short_name,
            session.get_one(Organisation, invoice.client_id).short_name,
        )
        units = session.scalars(
            select(InvoiceLine.unit_cents).where(InvoiceLine.invoice_id == invoice.id)
        ).all()
        again = settle(session, AFRICA)
    # share 35 % × 10,850 = 3,797.50 + cachet 3 × 250 = 750 + hosting 50 + travel 120 + wear
    # 65.10 + the cracked screen 45 = 4,827.60 €: six lines (no Stripe fee, no zero line)
    assert invoice.total_excl_cents == (
        379750 + 75000 + HOSTING + 12000 + LENT_TO_AFRICA // 100 + CRACKED
    )
    assert invoice.reference == "F-2026-0001"  # CCC's first of 2026 (F-2025-0001 was 2025's)
    assert parties == ("CCC", "Mamasound") and len(units) == 6 and min(units) > 0
    # its invoice to Mamasound for MamAfrica never enters the base: still 10,850 €
    assert (again.base_cents, again.share_cents, again.version) == (1085000, 379750, 1)


def test_a_correction_is_a_new_version_showing_the_difference(
    demo: Database, tmp_path: Path
) -> None:
    with demo.session() as session:
        one = record(session, settle(session, AFRICA))  # the demo's invoice: 10,850 €
        same = record(session, settle(session, AFRICA))  # same figures: nothing added
        corrected = settle(session, AFRICA, turnover_cents=1200000)
        two = record(session, corrected)
        statement_pdf(corrected, tmp_path / "v2.pdf")
        rows = session.scalars(
            select(SettlementRecord)
            .where(SettlementRecord.prestation_id == corrected.event.id)
            .order_by(SettlementRecord.version)
        ).all()
        versions = [(row.version, row.share_cents) for row in rows]
    assert (one.version, same.created, two.version) == (1, False, 2)
    # 35 % of 10,850 € = 3,797.50 €, then of 12,000 € = 4,200 € (under the 11,840 € left);
    # version 1 is kept as it was
    assert versions == [(1, 379750), (2, 420000)]
    text = text_of(tmp_path / "v2.pdf")
    assert "Version 2 enregistrée (remplace la version 1)" in text
    assert "Différences avec la version 1" in text
    assert "Part 3 797,50 € 4 200,00 €" in text


def melt(uid: str, day: dt.date, *amounts: tuple[str, int]) -> list[Entry]:
    """A card topped up (euros by Stripe, gift tokens offered) then melted on ``day``."""
    wallet = f"wallet:{uid}"
    top = tuple(Leg("stripe:clearing", wallet, code, cents) for code, cents in amounts)
    gone = tuple(Leg(wallet, "melted", code, cents) for code, cents in amounts)
    return [
        Entry(
            source="Régie",
            source_kind="system",
            op="topup",
            method="desk",
            at=at(day - dt.timedelta(days=30)),
            tz_minutes=0,
            legs=top,
            idem_key=f"test-top:{uid}",
        ),
        Entry(
            source="Régie",
            source_kind="system",
            op="melt",
            method="system",
            at=at(day),
            tz_minutes=0,
            legs=gone,
            idem_key=f"test-melt:{uid}",
        ),
    ]


def test_melted_euros_are_paid_back_once_in_the_period_they_melted(demo: Database) -> None:
    with demo.session() as session:
        set_setting(session, "melting_payback_post_bp", "20 %", dt.date(2024, 1, 1))
        post_entries(
            session,
            [
                *melt("AA000001", dt.date(2026, 5, 20), ("EUR", 1000)),  # MamAfrica's period
                *melt("AA000002", dt.date(2026, 6, 15), ("EUR", 6000), ("GIFT", 5000)),
                *melt("AA000003", dt.date(2026, 7, 12), ("FED", 2000)),  # MamaStock's last day
                *melt("AA000004", dt.date(2026, 8, 1), ("EUR", 9900)),  # after MamaStock
            ],
        )
        africa = settle(session, AFRICA, turnover_cents=5000000)
        record(session, africa)
        stock = settle(session, STOCK)
        cumbia = settle(session, "Rockstore · Nuit cumbia", scheme="convention")
    add_escale(demo)  # the partner's next prestation, 14-16 August
    with demo.session() as session:
        escale = settle(session, ESCALE, turnover_cents=100000)
    # MamAfrica 2026 (its period from 5 May 2025): 10 € melted before its end, at the
    # amortisation-phase rate (it crosses the line with 50,000 €) 50 % = 5 €.
    assert africa.phase == "bascule"
    assert (africa.melted_cents, africa.melting_payback_cents) == (1000, 500)
    # MamaStock (post-amortisation after MamAfrica's 50,000 €), from 1 June to its end: the
    # demo's sweep of 5 July, 5,522 € + 776 FED, and the tests' 60 € + 20 FED = 6,378 € of
    # euros; the gift tokens (the test's 50, the sweep's 330.50) are not money; the 99 €
    # melted in August belong to the next prestation. 20 % × 6,378 € = 1,275.60 €.
    assert stock.phase == "post-amortissement"
    assert (stock.melted_cents, stock.melting_payback_cents) == (637800, 127560)
    # A venue on SoTicket is not the partner's prestation: no melt falls in its weeks, even
    # settled under the convention; the 99 € of August wait for the partner's next prestation,
    # Escale (its period runs from MamaStock's end to 16 August).
    assert cumbia.melted_cents == 0
    assert escale.melted_cents == 9900
    # Own event: no share, no cachet; hosting 50 + wear 78.60 + the lost reader 116.67
    # − 1,275.60 = −1,030.33 €: the cooperative owes Mamasound.
    assert stock.total_cents == HOSTING + LENT_TO_STOCK // 100 + 11667 - 127560


def test_each_stripe_fee_lands_in_one_statement_though_the_windows_overlap(
    demo: Database,
) -> None:
    # MamAfrica's window (60 days before, 45 after) runs to 15 July, MamaStock's from
    # 11 May: both hold June and July 1-15.
    def fee(txn: str, intent: str, day: dt.date, cents: int) -> StripeBalanceTransaction:
        return StripeBalanceTransaction(
            id=txn,
            type="charge",
            reporting_category="charge",
            amount=10000,
            fee=cents,
            net=10000 - cents,
            currency="eur",
            created=at(day),
            available_on=at(day),
            source="",
            payment_intent=intent,
            payout="",
            description="",
            origin="api",
        )

    with demo.session() as session:
        post_entries(
            session,
            [
                Entry(
                    source="Stripe",
                    source_kind="stripe",
                    op="topup",
                    method="stripe_terminal",
                    at=at(dt.date(2026, 7, 11)),
                    tz_minutes=0,
                    event=AFRICA,
                    details="pi_late",
                    legs=(Leg("stripe:clearing", "wallet:BB000001", "EUR", 10000),),
                    idem_key="stripe:topup:pi_late",
                )
            ],
        )
        session.add_all(
            [
                fee("txn_1", "pi_late", dt.date(2026, 7, 11), 190),  # its top-up says MamAfrica
                # no top-up: June is MamaStock's period
                fee("txn_2", "", dt.date(2026, 6, 10), 140),
                fee("txn_3", "", dt.date(2026, 5, 30), 120),  # MamAfrica's period
            ]
        )
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
        park = add_prestation(
            session, "Passe au Park 2026", "Mamasound", dt.date(2026, 8, 1), dt.date(2026, 8, 2)
        )
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
            select(Incident).where(
                Incident.kind == IncidentKind.LOSS, Incident.asset_id.is_not(None)
            )
        ).one()
        # CCC-TPE-006 (300 €, 36 months from 1 Sept 2024), missing on 13 July 2026: 22 full
        # months amortised, 30,000 × 22 // 36 = 18,333 → book value 116.67 €.
        # The season demo charges it to the borrower, and the 210 cards of Mamasound's lot not
        # back (5,000 out, 4,790 in) at their unit cost: 210 × 0.35 € = 73.50 €
        assert lost.cost_cents == 11667 and lost.payer == Payer.BORROWER
        cards = session.scalars(
            select(Incident).where(
                Incident.kind == IncidentKind.LOSS,
                Incident.stock_lot_id.is_not(None),
                Incident.prestation_id == lost.prestation_id,
            )
        ).one()
        assert (cards.cost_cents, cards.payer) == (210 * 35, Payer.BORROWER)
        stock = settle(session, STOCK, turnover_cents=900000)
        africa = settle(session, AFRICA, turnover_cents=900000)
    # Only the cooperative's loss reaches its statement: the reader (116.67 €); the cards are
    # Mamasound's own lot, lost at Mamasound's cost.
    charged = [(line.cents, line.detail) for line in stock.costs[4:]]
    assert charged == [(11667, f"n°{lost.id} CCC-TPE-006 {lost.description}".strip())]
    # MamAfrica: the cracked screen repaired for 45 €, charged to the borrower in the demo
    assert [line.cents for line in africa.costs[4:]] == [4500]


def test_settle_json_prints_every_figure_in_cents(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                *("settle", AFRICA, "--db", demo.url, "--turnover", "9000", "--days", "2"),
                *("--record", "--json"),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    # 35 % × 9,000 = 3,150 €; cachet 2 × 250 = 500 €; costs 50 + 65.10 + 45 = 160.10 €
    costs = HOSTING + LENT_TO_AFRICA // 100 + CRACKED
    assert data["share_cents"] == 315000 and data["cachet_cents"] == 50000
    assert data["costs_cents"] == costs
    assert data["total_cents"] == 315000 + 50000 + costs  # 3,810.10 €
    assert data["inputs"]["base_cents"] == 900000 and data["inputs"]["cachet_days"] == 2
    assert data["invested_cents"] == INVESTED
    assert data["recovered_before_cents"] == RECOVERED_2025  # MamAfrica 2025's 1,120 €
    assert data["recovered_after_cents"] == RECOVERED_2025 + 315000  # 4,270 €
    assert data["left_to_amortise_cents"] == INVESTED - RECOVERED_2025 - 315000  # 8,690 €
    assert (data["phase"], data["version"], data["melting_payback_cents"]) == (
        "amortissement",
        1,
        0,
    )


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
    add_escale(demo)
    with demo.session() as session:
        record(session, settle(session, ESCALE, turnover_cents=900000))
        record(session, settle(session, AFRICA, turnover_cents=3000000))
        year = season(session, 2026)
    assert year.invested_cents == INVESTED
    concerts = ["Rockstore · Nuit cumbia", "Rockstore · Balkan Brass", "Rockstore · Soirée rock 90"]
    assert [(line.name, line.status, line.version) for line in year.lines] == [
        (AFRICA, "recorded", 1),
        (STOCK, "draft", 0),
        (ESCALE, "changed", 1),
        *((name, "draft", 0) for name in concerts),
    ]
    africa, stock, escale = year.lines[:3]
    # MamAfrica 2026: 35 % × 30,000 = 10,500 €, after 2025's 1,120 €: 1,340 € left
    assert (africa.share_cents, africa.phase, africa.left_to_amortise_cents) == (
        1050000,
        "amortissement",
        INVESTED - RECOVERED_2025 - 1050000,
    )
    # MamaStock, own event: no share, nothing recovered; Escale crosses: 1,960.57 € (above)
    assert (stock.share_cents, stock.kind, stock.cachet_cents) == (0, "own", 0)
    assert (escale.share_cents, escale.phase, escale.left_to_amortise_cents) == (
        196057,
        "bascule",
        0,
    )
    # external: cachet 3 days × 250 €; total = share + cachet + costs (nothing melted in its
    # period, 13 July to 16 August)
    assert escale.cachet_cents == 75000 and escale.kind == "external"
    assert escale.total_cents == escale.share_cents + 75000 + escale.costs_cents
    # recovered to date: 1,120 + 10,500 = 11,620 €; MamaStock adds nothing; then the whole
    # 12,960 € (and the concerts after it stay there)
    assert year.curve == [
        (dt.date(2026, 5, 31), RECOVERED_2025 + 1050000),
        (dt.date(2026, 7, 12), RECOVERED_2025 + 1050000),
        (dt.date(2026, 8, 16), INVESTED),
        (dt.date(2026, 10, 9), INVESTED),
        (dt.date(2026, 11, 6), INVESTED),
        (dt.date(2026, 11, 27), INVESTED),
    ]
    with demo.session() as session:
        record(session, settle(session, ESCALE))
        again = season(session, 2026)
    assert [(line.status, line.version) for line in again.lines[:3]] == [
        ("recorded", 1),
        ("draft", 0),
        ("recorded", 2),
    ]


def test_season_of_an_empty_year_still_says_what_is_to_amortise(demo: Database) -> None:
    with demo.session() as session:
        empty = season(session, 2024)  # the equipment was bought in September 2024
        last = season(session, 2025)
    assert empty.lines == [] and empty.curve == [] and empty.invested_cents == INVESTED
    # 2025 holds MamAfrica 2025 alone, recorded: 35 % × 3,200 € = 1,120 €
    assert [(line.name, line.status, line.share_cents) for line in last.lines] == [
        ("MamAfrica 2025", "recorded", RECOVERED_2025)
    ]
    assert last.curve == [(dt.date(2025, 5, 4), RECOVERED_2025)]


def test_settle_records_and_invoices_the_partner_in_one_command(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", demo.url]
    assert main(["settle", AFRICA, *db, "--turnover", "9000", "--record", "--invoice"]) == 0
    out = capsys.readouterr().out
    assert "version 1 enregistrée" in out
    # the cooperative's first invoice of 2026 (its F-2025-0001 billed MamAfrica 2025)
    assert "facture de la coopérative : F-2026-0001" in out
    assert main(["settle", AFRICA, *db, "--turnover", "10000", "--record"]) == 0
    out = capsys.readouterr().out.replace("\u202f", " ").replace("\xa0", " ")
    # 35 % of 10,000 € = 3,500 € instead of 3,150 €: version 2, the difference printed
    assert "part : 3 150,00 € en version 1, 3 500,00 € maintenant" in out
    assert "version 2 enregistrée" in out
    with demo.session() as session:
        invoiced = [
            row.invoice_id is not None
            for row in session.scalars(
                select(SettlementRecord)
                .join(Prestation, Prestation.id == SettlementRecord.prestation_id)
                .where(Prestation.name == AFRICA)
                .order_by(SettlementRecord.version)
            )
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

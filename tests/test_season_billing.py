"""What the cooperative bills from a recorded statement, on the season demo (several events):
a correction is billed once (the earlier invoice gets its credit note), a venue on SoTicket
pays its own fee, nothing is billed when the cooperative is the one that owes, and an event's
report counts each Stripe fee once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from regie.cli import main
from regie.db import Database
from regie.errors import UserError
from regie.ledger.entries import Entry, Leg
from regie.ledger.posting import post_entries
from regie.models import Organisation
from regie.settlement.convention import settle
from regie.settlement.event_report import event_report
from regie.settlement.models import Invoice, StripeBalanceTransaction
from regie.settlement.versions import cooperative_invoice, record

AFRICA, STOCK, CUMBIA = "MamAfrica 2026", "MamaStock 2026", "Rockstore · Nuit cumbia"


def at(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp())


def live_invoices(db: Database, client: str) -> list[tuple[str, str, int]]:
    """The cooperative's invoices and credit notes to ``client``: reference, kind, total."""
    with db.session() as session:
        rows = session.execute(
            select(Invoice.reference, Invoice.kind, Invoice.total_excl_cents)
            .join(Organisation, Organisation.id == Invoice.client_id)
            .where(
                Organisation.short_name == client,
                Invoice.issuer_id
                == select(Organisation.id)
                .where(Organisation.short_name == "CCC")
                .scalar_subquery(),
            )
            .order_by(Invoice.id)
        ).all()
    return [(ref, kind, int(total)) for ref, kind, total in rows]


def test_a_corrected_statement_is_billed_once_its_first_invoice_credited(
    demo: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", demo.url]
    assert main(["settle", AFRICA, *db, "--turnover", "9000", "--record", "--invoice"]) == 0
    assert (
        main(
            [
                *("settle", AFRICA, *db, "--turnover", "9000", "--travel", "100", "--record"),
                *("--invoice",),
            ]
        )
        == 0
    )
    capsys.readouterr()
    # Version 1 excl. VAT: share 35 % × 9 000 = 3 150 €, cachet 3 days × 250 = 750 €, hosting
    # 50 €, wear 1 % × 6 510 € lent = 65.10 €, the cracked screen 45 €: 4 060.10 €.
    # Version 2 adds 100 € of travel: 4 160.10 €. The first invoice is cancelled by a credit
    # note of the same amount, so Mamasound owes 4 160.10 € once, not 8 220.20 €.
    bills = live_invoices(demo, "Mamasound")
    mamafrica = [bill for bill in bills if bill[0] != "F-2025-0001"]  # last season's apart
    assert [(kind, total) for _ref, kind, total in mamafrica] == [
        ("invoice", 406010),
        ("credit", 406010),
        ("invoice", 416010),
    ]
    owed = sum(total if kind == "invoice" else -total for _r, kind, total in mamafrica)
    assert owed == 416010


def test_a_venue_pays_its_own_soticket_fee_and_it_does_not_amortise_the_convention(
    demo: Database,
) -> None:
    with demo.session() as session:
        before = settle(session, CUMBIA)
        record(session, before)
        bill = cooperative_invoice(session, CUMBIA, issued_on=dt.date(2026, 10, 12))
        africa = settle(session, AFRICA)
    # 2.5 % × 6 200 € (the venue's ticketing invoice) = 155 €, billed to the Rockstore itself,
    # not to Mamasound; a venue's fee recovers nothing of the convention's equipment.
    assert (bill.client.short_name, bill.total_excl_cents) == ("Rockstore", 15500)
    assert bill.lines[0].label.startswith("Redevance SoTicket")
    assert before.recovery_cents == 0
    # MamAfrica 2026 still sees only last season's 1 120 € recovered before it.
    assert africa.recovered_before_cents == 112000


def test_nothing_is_billed_when_the_cooperative_owes_the_partner(demo: Database) -> None:
    with demo.session() as session:
        record(session, settle(session, STOCK))
        # MamaStock: 245.27 € of costs − 3 149 € of melting payback (see
        # test_season_statement_pdf.py) = −2 903.73 €: the cooperative owes, it bills nothing.
        with pytest.raises(UserError, match="elle doit 2\u202f903,73\xa0€ au partenaire"):
            cooperative_invoice(session, STOCK, issued_on=dt.date(2026, 7, 20))
    assert [bill for bill in live_invoices(demo, "Mamasound") if "2026" in bill[0]] == []


def test_an_events_report_counts_a_stripe_fee_once(demo: Database) -> None:
    with demo.session() as session:
        # A card-reader top-up at MamaStock (attributed to it by its day) and its Stripe fee,
        # charged on 15 June: inside both events' old date windows (MamAfrica's ran 45 days
        # after 31 May, MamaStock's 60 days before 10 July).
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
                    legs=(Leg("stripe:clearing", "wallet:04FEE0000001", "EUR", 10000),),
                    idem_key="test-fee-topup",
                    details="pi_fee_once",
                )
            ],
        )
        session.add(
            StripeBalanceTransaction(
                id="txn_fee_once",
                type="charge",
                reporting_category="charge",
                amount=10000,
                fee=175,
                net=9825,
                currency="eur",
                created=at(dt.date(2026, 6, 15)),
                available_on=at(dt.date(2026, 6, 15)),
                payment_intent="pi_fee_once",
                origin="api",
            )
        )
        session.flush()
        stock, africa = event_report(session, STOCK), event_report(session, AFRICA)
    # The fee belongs to the prestation of its top-up: 1.75 € in MamaStock's report only.
    assert (stock.stripe_fees_cents, africa.stripe_fees_cents) == (175, 0)

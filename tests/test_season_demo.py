"""The demo is a season: two 2026 festivals with their own journals and cards used at both, a
venue on SoTicket, the prior season melted 14 months later, a lost card reader priced at its
book value. Built once per database engine (SQLite, PostgreSQL) and read by every test."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from regie.db import Database
from regie.demo import fill_demo
from regie.inventory.amortisation import months_between
from regie.inventory.models import Asset, Incident, IncidentKind, Loan, LoanLine, Payer
from regie.ledger.demo import JOURNALS
from regie.ledger.models import Account, LedgerAsset, Source, Transfer
from regie.ledger.simulate import journal
from regie.models import Organisation, Prestation
from regie.settlement.models import Invoice, InvoiceLine

AFRICA_2025, AFRICA, STOCK = "MamAfrica 2025", "MamAfrica 2026", "MamaStock 2026"


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def season(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('season') / 'regie.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database()
    db = Database(url)
    db.upgrade()
    fill_demo(db)
    yield db
    db.dispose()


def event_ids(session: Session) -> dict[str, int]:
    return {name: id_ for name, id_ in session.execute(select(Prestation.name, Prestation.id))}


def lines_by_event(session: Session) -> dict[int | None, set[tuple[str, int]]]:
    """The (terminal, number) of every transfer, by the event it is attributed to."""
    found: dict[int | None, set[tuple[str, int]]] = defaultdict(set)
    for event_id, source, seq in session.execute(
        select(Transfer.event_id, Source.name, Transfer.seq)
        .join(Source, Transfer.source_id == Source.id)
        .where(Source.kind == "terminal")
    ):
        found[event_id].add((source, seq))
    return found


def test_each_event_holds_exactly_the_lines_of_its_own_journal(season: Database) -> None:
    # The journals regenerated from the demo's own definition, each terminal numbering on
    # from its previous journal (the same device serves the whole season).
    after: dict[str, int] = {}
    expected: dict[str, set[tuple[str, int]]] = {}
    for name, spec, _closed_at in JOURNALS:
        lines = list(journal(spec, after))
        expected[name] = {(line["terminal"], line["seq"]) for line in lines}
        for line in lines:
            after[line["terminal"]] = line["seq"]
    with season.session() as session:
        ids = event_ids(session)
        found = lines_by_event(session)
    for name in (AFRICA_2025, AFRICA, STOCK):
        assert found[ids[name]] == expected[name], name
    assert None not in found  # no terminal line falls « hors prestation »
    # the same devices served both 2026 festivals: CCC-V2S-001 wrote lines at each
    assert {t for t, _ in found[ids[AFRICA]]} & {t for t, _ in found[ids[STOCK]]} >= {
        "CCC-V2S-001",
        "CCC-V2S-004",
    }


def test_no_sale_of_one_festival_is_dated_in_the_other(season: Database) -> None:
    with season.session() as session:
        ids = event_ids(session)
        spans = dict(
            (event_id, (low, high))
            for event_id, low, high in session.execute(
                select(Transfer.event_id, func.min(Transfer.at), func.max(Transfer.at))
                .where(Transfer.event_id.is_not(None))
                .group_by(Transfer.event_id)
            )
        )
        returned = {
            name: session.scalar(
                select(func.max(LoanLine.returned_at))
                .join(Loan, LoanLine.loan_id == Loan.id)
                .where(Loan.prestation_id == ids[name])
            )
            for name in (AFRICA, STOCK)
        }
    africa, stock = spans[ids[AFRICA]], spans[ids[STOCK]]
    assert africa[1] < stock[0]  # MamAfrica's last sale comes before MamaStock's first
    for name, (_low, high) in ((AFRICA, africa), (STOCK, stock)):
        back = returned[name]
        assert back is not None
        back = back if back.tzinfo else back.replace(tzinfo=dt.UTC)
        assert high < back.timestamp(), f"{name}: a sale after the check-in"


def test_some_cards_paid_at_both_festivals(season: Database) -> None:
    with season.session() as session:
        ids = event_ids(session)
        wallet = aliased(Account)
        used: dict[int, set[str]] = defaultdict(set)
        for event_id, name in session.execute(
            select(Transfer.event_id, wallet.name)
            .join(wallet, Transfer.debit_id == wallet.id)
            .where(wallet.kind == "wallet", Transfer.op == "sale")
        ):
            used[event_id].add(name)
    both = used[ids[AFRICA]] & used[ids[STOCK]]
    # MamAfrica's cards are numbered 0–599, MamaStock's 0–899: most come back in July
    assert 100 < len(both) <= 600
    assert len(used[ids[STOCK]] - used[ids[AFRICA]]) > 100  # and new ones join


def test_mamafrica_is_served_for_its_association_and_mamastock_is_mamasounds_own(
    season: Database,
) -> None:
    with season.session() as session:
        rows = {
            name: (kind, scheme, client, siret)
            for name, kind, scheme, client, siret in session.execute(
                select(
                    Prestation.name,
                    Prestation.kind,
                    Prestation.scheme,
                    Organisation.short_name,
                    Organisation.siret,
                ).join(Organisation, Prestation.client_id == Organisation.id)
            )
        }
    assert rows[AFRICA][:3] == ("external", "convention", "Asso MamAfrica")
    assert rows[AFRICA_2025][:3] == ("external", "convention", "Asso MamAfrica")
    assert rows[STOCK][:3] == ("own", "convention", "Mamasound")
    assert all(len(siret) == 14 for *_rest, siret in rows.values())


def service_lines(session: Session, issuer: str) -> dict[str, list[tuple[str, int, int]]]:
    """Each invoice of ``issuer``: (kind, excl. VAT, VAT rate) of its lines, by prestation."""
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for prestation, kind, total, vat in session.execute(
        select(Prestation.name, InvoiceLine.kind, InvoiceLine.total_excl_cents, InvoiceLine.vat_bp)
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .join(Prestation, Invoice.prestation_id == Prestation.id)
        .join(Organisation, Invoice.issuer_id == Organisation.id)
        .where(Organisation.short_name == issuer)
        .order_by(InvoiceLine.id)
    ):
        found[prestation].append((kind, total, vat))
    return found


def test_mamasound_invoices_the_association_and_the_cachet_stays_out_of_the_base(
    season: Database,
) -> None:
    with season.session() as session:
        lines = service_lines(session, "Mamasound")
        numbers = [
            (year, number)
            for year, number in session.execute(
                select(Invoice.year, Invoice.number)
                .join(Organisation, Invoice.issuer_id == Organisation.id)
                .where(Organisation.short_name == "Mamasound")
                .order_by(Invoice.issued_on)
            )
        ]
    assert set(lines) == {AFRICA_2025, AFRICA}  # MamaStock is its own: nobody to invoice
    # 2026: 9,500 € of equipment and server + 3 days × 450 € of till staff = 10,850 € HT of
    # services; the TiBillet cachet (3 × 250 € = 750 €) is a line of its own kind
    base = sum(total for kind, total, _vat in lines[AFRICA] if kind == "service")
    assert base == 950000 + 3 * 45000 == 1085000
    assert [total for kind, total, _vat in lines[AFRICA] if kind == "cachet"] == [3 * 25000]
    assert numbers == [(2025, 1), (2026, 1)]  # one series per issuer and year


def test_the_venue_runs_three_autumn_concerts_on_soticket_with_its_ticketing_invoices(
    season: Database,
) -> None:
    with season.session() as session:
        concerts = session.execute(
            select(Prestation.name, Prestation.starts_on, Prestation.kind, Prestation.scheme)
            .join(Organisation, Prestation.client_id == Organisation.id)
            .where(Organisation.short_name == "Rockstore")
            .order_by(Prestation.starts_on)
        ).all()
        lines = service_lines(session, "Rockstore")
        numbers = list(
            session.scalars(
                select(Invoice.number)
                .join(Organisation, Invoice.issuer_id == Organisation.id)
                .where(Organisation.short_name == "Rockstore")
                .order_by(Invoice.issued_on)
            )
        )
    assert len(concerts) == 3
    assert all(9 <= day.month <= 12 and day.year == 2026 for _n, day, _k, _s in concerts)
    assert {(kind, scheme) for _n, _d, kind, scheme in concerts} == {("external", "soticket")}
    assert set(lines) == {name for name, *_rest in concerts}
    assert numbers == [1, 2, 3]  # the venue's own series, apart from Mamasound's
    # ticketing at 5.5 % VAT: 6,200 + 4,800 + 7,000 = 18,000 € HT; its 2.5 % (450 €) is below
    # the yearly floor of 575 €, which the year-end adjustment brings it up to
    assert sum(total for rows in lines.values() for _k, total, _v in rows) == 1800000
    assert {vat for rows in lines.values() for _k, _t, vat in rows} == {550}


def test_the_prior_season_melts_14_months_later_with_euros_and_gift_tokens(
    season: Database,
) -> None:
    with season.session() as session:
        ids = event_ids(session)
        prior = session.get_one(Prestation, ids[AFRICA_2025])
        melted_at = {
            at
            for (at,) in session.execute(
                select(Transfer.at).where(Transfer.op == "melt").distinct()
            )
        }
        melted = {
            code: int(total)
            for code, total in session.execute(
                select(LedgerAsset.code, func.sum(Transfer.amount))
                .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
                .where(Transfer.op == "melt")
                .group_by(LedgerAsset.code)
            )
        }
        # What the prior season left on its cards, per asset: what came in minus what went
        # out, over its own transfers only (none of those cards moved until the melt).
        left: dict[tuple[int, str], int] = defaultdict(int)
        for debit, credit, code, amount in session.execute(
            select(Transfer.debit_id, Transfer.credit_id, LedgerAsset.code, Transfer.amount)
            .join(LedgerAsset, Transfer.asset_id == LedgerAsset.id)
            .where(Transfer.event_id == ids[AFRICA_2025])
        ):
            left[(credit, code)] += amount
            left[(debit, code)] -= amount
        wallets = set(session.scalars(select(Account.id).where(Account.kind == "wallet")))
        melt_events = set(
            session.scalars(select(Transfer.event_id).where(Transfer.op == "melt").distinct())
        )
    [at] = melted_at
    day = dt.datetime.fromtimestamp(at, dt.UTC).date()
    assert months_between(prior.ends_on, day) == 14
    assert melt_events == {None}  # a season's operation: « hors prestation », on purpose
    for code in ("EUR", "GIFT"):
        kept = sum(v for (account, c), v in left.items() if c == code and account in wallets)
        assert melted[code] == kept > 0, code


def test_the_lost_card_reader_is_priced_at_its_book_value_and_the_borrower_pays(
    season: Database,
) -> None:
    with season.session() as session:
        ids = event_ids(session)
        incident = session.execute(
            select(Incident)
            .join(Asset, Incident.asset_id == Asset.id)
            .where(Asset.tag == "CCC-TPE-006")
        ).scalar_one()
        kind, cost, payer, prestation = (
            incident.kind,
            incident.cost_cents,
            incident.payer,
            incident.prestation_id,
        )
    # bought 300 € on 2024-09-01, amortised over 36 months, missing on 2026-07-13 after 22 full
    # months: 30,000 − 30,000 × 22 // 36 = 30,000 − 18,333 = 11,667 cents
    assert (kind, cost, payer) == (IncidentKind.LOSS, 11667, Payer.BORROWER)
    assert prestation == ids[STOCK]


def test_filling_the_demo_twice_adds_nothing(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'twice.sqlite3'}")
    db.upgrade()
    assert fill_demo(db).created

    def counts() -> tuple[int, ...]:
        with db.session() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(table)) or 0
                for table in (Transfer, Invoice, Organisation, Prestation, Incident, Loan)
            )

    before = counts()
    assert not fill_demo(db).created
    assert counts() == before
    db.dispose()


def test_the_guides_split_and_indicators_have_figures_on_the_demo(season: Database) -> None:
    """The guide's « Partage » and « Indicateurs » tabs are not empty on the demo: every
    prestation that pays a share has its organiser's invoice (the base), and 2026 has its
    events, cards, turnover and sales."""
    from regie.settlement.convention import settle
    from regie.settlement.indicators import indicators

    with season.session() as session:
        for prestation in session.scalars(select(Prestation)):
            statement = settle(session, prestation.name)
            if prestation.kind != "own":  # MamaStock, Mamasound's own, pays no share
                assert statement.base_cents > 0 and statement.turnover_source, prestation.name
        year = indicators(session, 2026)
    assert year.events == 5 and len(year.lines) == 5
    # Bases excl. VAT, cachet left out: MamAfrica 2026 9,500 + 3 × 450 = 10,850 €; the
    # Rockstore's concerts 6,200 + 4,800 + 7,000 = 18,000 €: 28,850 €.
    assert year.turnover_cents == 1_085_000 + 1_800_000
    assert year.cards_used > 0 and year.sales_cents > 0

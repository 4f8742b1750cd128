"""The convention's split, invoices (PDF, Factur-X) and the event report, on the demo festival,
read back with pdftotext and checked against the ledger."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import facturx
import pytest
from sqlalchemy import select

from regie.cli import main
from regie.db import Database
from regie.errors import Conflict, UserError
from regie.inventory.register import add_organisation
from regie.ledger.closures import event_scope, last_z
from regie.models import Organisation
from regie.settings.convention import set_setting
from regie.settlement.convention import settle
from regie.settlement.event_report import event_report
from regie.settlement.indicators import indicators
from regie.settlement.invoice_pdf import invoice_pdf
from regie.settlement.invoices import create_invoice, credit_invoice, parse_line
from regie.settlement.report_pdf import report_pdf
from regie.settlement.statement_pdf import statement_pdf
from regie.settlement.versions import record

STOCK, AFRICA = "MamaStock 2026", "MamAfrica 2026"
# The cooperative's equipment at cost, plus the associated costs the draft names: bank fees
# (2,500 €, setting invested_bank_fees_cents) and hosting (0 by default). The 13 days of
# presence are no longer invested: the draft's sentence on amortisation names « le matériel
# mutualisé et les frais associés (hébergement serveur, frais bancaires) » only.
INVESTED = 17 * 30000 + 2 * 30000 + 6 * 30000 + 2 * 18000 + 6000 * 35 + 50000 + 250000
CLIENT = "Ville de Sète"  # an outside client the organiser invoices


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def invoice_for(db: Database, prestation: str, euros: str, day: dt.date) -> str:
    with db.session() as session:
        return create_invoice(
            session,
            client="Mamasound",
            issuer="CCC",
            prestation=prestation,
            lines=[parse_line(f"Régie cashless;1;{euros};20")],
            issued_on=day,
        ).reference


def organiser_invoice(db: Database, prestation: str, euros: str, day: dt.date) -> str:
    """Mamasound (the organiser) invoices its client: the base of the share."""
    with db.session() as session:
        if not session.scalar(select(Organisation.id).where(Organisation.short_name == CLIENT)):
            add_organisation(session, CLIENT)
        return create_invoice(
            session,
            client=CLIENT,
            issuer="Mamasound",
            prestation=prestation,
            lines=[parse_line(f"Régie cashless;1;{euros};20")],
            issued_on=day,
        ).reference


def test_statement_shows_inputs_phase_formula_and_result(demo: Database, tmp_path: Path) -> None:
    # The base is the organiser's invoices to its client (the cooperative's own invoice to
    # Mamasound never counts). MamAfrica 2026, external: the demo's invoice of Mamasound to
    # the association, 9,500 + 3 × 450 = 10,850 € of services (its cachet line apart), and
    # 9,000 € more: 19,850 €.
    organiser_invoice(demo, AFRICA, "9000", dt.date(2026, 7, 15))
    with demo.session() as session:
        statement = settle(session, AFRICA, cachet_days=3, travel_cents=12000)
        statement_pdf(statement, tmp_path / "reglement.pdf")
    assert statement.phase == "amortissement" and statement.invested_cents == INVESTED
    assert statement.share_cents == 694750  # 35 % of 19,850 €, under the 11,840 € left
    assert statement.cachet_cents == 3 * 25000
    # lent to MamAfrica at cost: 14 V2s (10 and the 4 of case A), 3 card readers at 300 €,
    # 2 access points at 180 €, 3,000 cards at 0.35 €: 6,510 €; its wear is 1 %
    lent = 14 * 30000 + 3 * 30000 + 2 * 18000 + 3000 * 35
    # and the screen cracked at MamAfrica, repaired for 45 €, paid by the borrower
    assert [line.cents for line in statement.costs] == [0, 5000, 12000, lent // 100, 4500]
    text = text_of(tmp_path / "reglement.pdf")
    for shown in (
        "19 850,00 €",
        "12 960,00 €",
        "Phase : amortissement",
        "35 %",
        "Part : 19 850,00 € × 35 % 6 947,50 €",
        "3 jours × 250,00 €",
        f"Total dû à la coopérative {statement.total_cents / 100:,.2f} €".replace(",", " ").replace(
            ".", ","
        ),
    ):
        assert shown in text


def test_share_is_clamped_to_the_minimum_and_the_maximum(demo: Database) -> None:
    # MamAfrica 2026, an external prestation (MamaStock is Mamasound's own: no share):
    # 35 % of 1,000 € is 350 €, held to the 500 € minimum; 150,000 € crosses the line (the
    # 12,960 € less 2025's 1,120 € left) and its prorated share, 11,840 € + 12 % of the rest,
    # is above the 15,000 € maximum
    with demo.session() as session:
        small = settle(session, AFRICA, turnover_cents=100000)
        big = settle(session, AFRICA, turnover_cents=15000000)
    assert (small.share_cents, small.clamp) == (50000, "minimum")
    assert (big.share_cents, big.clamp) == (1500000, "maximum")


def test_recovered_investment_switches_the_next_prestation_to_post_amortisation(
    demo: Database,
) -> None:
    with demo.session() as session:
        set_setting(session, "invested_bank_fees_cents", "0", dt.date(2024, 1, 1))
        first = settle(session, AFRICA, turnover_cents=5000000)
        record(session, first)
    with demo.session() as session:
        second = settle(session, STOCK, turnover_cents=900000)
    # The demo's prior season, MamAfrica 2025, recovered 35 % of its 3,200 € invoice: 1,120 €;
    # 10,460 − 1,120 = 9,340 € are left. 35 % of 50,000 € is more: MamAfrica 2026 crosses the
    # line and is prorated: 9,340 € at 35 % covers 9,340 / 0.35 = 26,685.71 € of the base;
    # the rest, 23,314.29 €, at 12 % = 2,797.71 €.
    assert first.phase == "bascule" and first.recovery_cents == INVESTED - 250000 - 112000
    assert first.share_cents == 934000 + 279771
    # MamaStock comes after, with nothing left to amortise; Mamasound's own event: no share
    assert second.phase == "post-amortissement" and second.remaining_before_cents == 0
    assert second.share_cents == 0


def test_a_new_rate_applies_from_its_date_only(demo: Database) -> None:
    # two external prestations on both sides of the vote: MamAfrica 2025 and 2026
    with demo.session() as session:
        set_setting(session, "amortisation_rate_bp", "30 %", dt.date(2026, 1, 1), "vote d'hiver")
        before = settle(session, "MamAfrica 2025", turnover_cents=900000)
        after = settle(session, AFRICA, turnover_cents=900000)
    assert (before.rate_bp, after.rate_bp) == (3500, 3000)


def test_flat_and_soticket_schemes_with_the_yearly_cap_and_floor(demo: Database) -> None:
    with demo.session() as session:
        flat = settle(session, STOCK, scheme="flat", turnover_cents=900000)
        first = settle(session, AFRICA, scheme="soticket", turnover_cents=12000000)
        record(session, first)
        second = settle(session, STOCK, scheme="soticket", turnover_cents=4000000)
    assert flat.total_cents == 270000
    assert first.share_cents == 300000
    # SoTicket per structure per year: each event accrues 2.5 % of its base (40,000 € →
    # 1,000 €, not cut by another structure's year). In the season demo MamAfrica's client is
    # its association and MamaStock's is Mamasound: two structures, each within its bounds.
    assert (second.share_cents, second.clamp) == (100000, "")
    with demo.session() as session:
        record(session, second)
        year = indicators(session, 2026)
    # the season's five prestations of 2026: MamAfrica, MamaStock and the Rockstore's three
    # concerts; owed: 3,000 € (the association's year) + 1,000 € (Mamasound's) + 575 € (the
    # Rockstore's 2.5 % of 18,000 € = 450 €, brought up to the floor by +125 €) = 4,575 €
    assert year.events == 5 and year.owed_cents == 300000 + 100000 + 57500
    assert year.soticket_adjustment_cents == 12500
    assert year.cards_used == 899


def test_invoices_are_numbered_without_gaps_and_cancelled_by_credit_notes(
    demo: Database, tmp_path: Path
) -> None:
    first = invoice_for(demo, STOCK, "9000", dt.date(2026, 7, 15))
    second = invoice_for(demo, AFRICA, "4000", dt.date(2026, 7, 16))
    next_year = invoice_for(demo, STOCK, "100", dt.date(2027, 1, 2))
    assert (first, second, next_year) == ("F-2026-0001", "F-2026-0002", "F-2027-0001")
    # the demo's Mamasound and the Rockstore have their own F-2026-0001: named by the issuer
    with demo.session() as session:
        credit = credit_invoice(session, first, issuer="CCC", issued_on=dt.date(2026, 7, 20))
        with pytest.raises(Conflict, match="déjà annulée par l'avoir AV-2026-0001"):
            credit_invoice(session, first, issuer="CCC")
        invoice_pdf(credit, tmp_path / "avoir.pdf", facturx=True)
    assert credit.reference == "AV-2026-0001" and credit.total_incl_cents == 1080000
    assert invoice_for(demo, STOCK, "1", dt.date(2026, 8, 1)) == "F-2026-0003"
    text = text_of(tmp_path / "avoir.pdf")
    assert "Avoir n° AV-2026-0001" in text and "Annule la facture n° F-2026-0001" in text
    name, xml = facturx.get_xml_from_pdf((tmp_path / "avoir.pdf").read_bytes())
    assert name == "factur-x.xml" and b"<ram:TypeCode>381</ram:TypeCode>" in xml


def test_invoice_pdf_and_factur_x_carry_the_same_figures(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        view = create_invoice(
            session,
            client="Mamasound",
            issuer="CCC",
            prestation=STOCK,
            issued_on=dt.date(2026, 7, 15),
            lines=[
                parse_line("Part de la convention;1;3150;20"),
                parse_line("Cachet TiBillet;1,5;250;20;cachet"),
                parse_line("Hébergement;1;50;5,5;cost"),
            ],
        )
        invoice_pdf(view, tmp_path / "facture.pdf", facturx=True)
    assert view.vat == ((550, 5000, 275), (2000, 352500, 70500))
    text = text_of(tmp_path / "facture.pdf")
    for shown in (
        "Facture n° F-2026-0001",
        "Coopérative Code Commun",
        "Collectif Mamasound",
        "Échéance : 14/08/2026",
        "1,5 250,00 € 20 % 375,00 €",
        "Total HT 3 575,00 €",
        "Total TVA 707,75 €",
        "Total TTC 4 282,75 €",
        "Pénalités de retard",
        "Indemnité forfaitaire pour frais de recouvrement : 40 €",
    ):
        assert shown in text
    _name, xml = facturx.get_xml_from_pdf((tmp_path / "facture.pdf").read_bytes())
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    for figure in (
        b"<ram:GrandTotalAmount>4282.75</ram:GrandTotalAmount>",
        b'<ram:BilledQuantity unitCode="C62">1.500</ram:BilledQuantity>',
        b"<ram:CalculatedAmount>2.75</ram:CalculatedAmount>",
    ):
        assert figure in xml


def test_vat_exemption_mention_is_printed_and_taxed_lines_refused(
    demo: Database, tmp_path: Path
) -> None:
    mention = "TVA non applicable, art. 293 B du CGI"
    with demo.session() as session:
        set_setting(session, "vat_exemption", mention, dt.date(2026, 1, 1))
        with pytest.raises(UserError, match="lignes doivent être à 0 %"):
            create_invoice(
                session, client="Mamasound", issuer="CCC", lines=[parse_line("Part;1;100;20")]
            )
        view = create_invoice(
            session,
            client="Mamasound",
            issuer="CCC",
            issued_on=dt.date(2026, 7, 15),
            lines=[parse_line("Part;1;3150;0")],
        )
        invoice_pdf(view, tmp_path / "exo.pdf", facturx=True)
    assert mention in text_of(tmp_path / "exo.pdf")
    _name, xml = facturx.get_xml_from_pdf((tmp_path / "exo.pdf").read_bytes())
    assert b"<ram:CategoryCode>E</ram:CategoryCode>" in xml and mention.encode() in xml


def test_event_report_figures_match_the_ledger(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        report = event_report(session, STOCK)
        z = last_z(session, event_scope(STOCK))  # the demo closes each event's own Z
        report_pdf(report, tmp_path / "rapport.pdf")
    assert z is not None and report.sales_cents == z.grand_total
    assert sum(row.amount for row in report.sales_by_pos) == report.sales_cents
    assert sum(row.gross_cents for row in report.vat) == report.sales_cents
    text = text_of(tmp_path / "rapport.pdf")
    total = f"{report.sales_cents / 100:,.2f} €".replace(",", " ").replace(".", ",")
    assert f"Ventes (nettes des annulations) {total}" in text
    assert f"Cartes utilisées {report.cards_used}" in text and report.cards_used == 899
    assert "Ventes par heure" in text and "Recharges par moyen de paiement" in text
    for asset in {a for _m, a, _n, _c in report.topups}:  # one total per token, in its unit
        count = sum(n for _m, a, n, _c in report.topups if a == asset)
        cents = sum(c for _m, a, _n, c in report.topups if a == asset)
        unit = "€" if asset == "EUR" else asset
        assert (
            f"Total {asset} {count} {cents / 100:,.2f} {unit}".replace(",", " ").replace(
                ".", ",", 1
            )
            in text
        )
    pages = subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(tmp_path / "rapport.pdf"), str(tmp_path / "page")],
        check=True,
    )
    assert pages.returncode == 0 and len(list(tmp_path.glob("page-*.png"))) == 3


def test_cli_invoices_settles_and_reports_the_demo(
    demo: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", demo.url]
    with demo.session() as session:
        add_organisation(session, CLIENT)
    # The organiser's invoice to its client is the base (no longer the cooperative's).
    assert (
        main(
            [
                *("invoice", "create", *db, "--client", CLIENT, "--issuer", "Mamasound"),
                *("--prestation", STOCK, "--line", "Régie cashless;1;9000;20"),
                *("--date", "2026-07-15"),
            ]
        )
        == 0
    )
    assert main(["settle", STOCK, *db, "--out", str(tmp_path / "s.pdf"), "--record"]) == 0
    # Mamasound's second invoice of 2026: the demo holds its invoice to MamAfrica's association
    # (F-2026-0001, which the Rockstore's first ticketing invoice shares: hence --issuer)
    assert (
        main(
            [
                *("invoice", "pdf", "F-2026-0002", "--issuer", "Mamasound", *db),
                *("--out", str(tmp_path / "f.pdf"), "--facturx"),
            ]
        )
        == 0
    )
    assert main(["report", STOCK, *db, "--out", str(tmp_path / "r.pdf")]) == 0
    assert main(["indicators", "--year", "2026", *db]) == 0
    out = capsys.readouterr().out
    assert "Facture F-2026-0002 : 10 800,00 € TTC." in out.replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert "phase amortissement" in out and "899 cartes utilisées" in out
    assert main(["invoice", "credit", "F-2099-0001", *db]) == 2
    assert "facture inconnue : F-2099-0001" in capsys.readouterr().err
    assert main(["settle", "Inconnu 2030", *db, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "prestation inconnue" in capsys.readouterr().err

"""Invoices over a season: one gap-free chronological series per issuer and year, references
told apart by their issuer, the mandatory mentions (SIRET, VAT number, service dates, category
of operation) checked before numbering, and no negative line (a credit note takes back)."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import facturx
import pytest
from sqlalchemy import select

from regie.cli import main
from regie.db import Database
from regie.errors import UserError
from regie.inventory.register import add_organisation, add_prestation
from regie.models import Organisation
from regie.settings.convention import set_setting
from regie.settlement.invoice_checks import MissingMention
from regie.settlement.invoice_pdf import invoice_pdf
from regie.settlement.invoices import create_invoice, credit_invoice, parse_line, view
from regie.settlement.models import Invoice

ROCK = "Concerts Rockstore automne 2026"  # 2 to 4 October 2026


@pytest.fixture
def season(db_url: str) -> Iterator[Database]:
    """CCC and Mamasound (both with SIRET and VAT number), a venue client, two prestations."""
    db = Database(db_url)
    db.upgrade()
    with db.session() as session:
        add_organisation(
            session,
            "CCC",
            "Coopérative Code Commun",
            siret="91234567800011",
            vat_number="FR40912345678",
        )
        add_organisation(
            session,
            "Mamasound",
            "Collectif Mamasound",
            siret="79876543200015",
            vat_number="FR21798765432",
        )
        add_organisation(session, "Rockstore", "SARL Rockstore", siret="51234567800019")
        add_organisation(session, "Dunes", "Association Les Dunes")  # no SIRET
        add_prestation(session, ROCK, "Rockstore", dt.date(2026, 10, 2), dt.date(2026, 10, 4))
        add_prestation(
            session, "MamaStock 2026", "Mamasound", dt.date(2026, 7, 10), dt.date(2026, 7, 12)
        )
    yield db
    db.dispose()


def issue(
    db: Database,
    issuer: str,
    client: str,
    day: dt.date,
    line: str = "Régie;1;100;20",
) -> str:
    with db.session() as session:
        return create_invoice(
            session,
            issuer=issuer,
            client=client,
            issued_on=day,
            lines=[parse_line(line)],
        ).reference


def numbers(db: Database, issuer: str) -> list[int]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Invoice.number)
                .join(Organisation, Invoice.issuer_id == Organisation.id)
                .where(Organisation.short_name == issuer, Invoice.series == "F")
                .order_by(Invoice.issued_on, Invoice.number)
            )
        )


def text_of(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_each_issuers_numbers_are_1_2_3_with_two_issuers_interleaved(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = [
        issue(season, "CCC", "Mamasound", dt.date(2026, 7, 15)),
        issue(season, "Mamasound", "Rockstore", dt.date(2026, 7, 16)),
        issue(season, "CCC", "Mamasound", dt.date(2026, 7, 17)),
        issue(season, "Mamasound", "Rockstore", dt.date(2026, 10, 5)),
        issue(season, "CCC", "Mamasound", dt.date(2026, 10, 6)),
        issue(season, "Mamasound", "Rockstore", dt.date(2027, 1, 4)),  # a new year: 1 again
    ]
    assert issued == [
        "F-2026-0001",
        "F-2026-0001",
        "F-2026-0002",
        "F-2026-0002",
        "F-2026-0003",
        "F-2027-0001",
    ]
    assert numbers(season, "CCC") == [1, 2, 3]
    assert numbers(season, "Mamasound") == [1, 2, 1]
    assert main(["invoice", "list", "--db", season.url, "--issuer", "CCC", "--year", "2026"]) == 0
    listed = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
    assert listed == [["CCC", "F-2026-0001"], ["CCC", "F-2026-0002"], ["CCC", "F-2026-0003"]]


def test_an_invoice_dated_before_its_issuers_last_one_is_refused(season: Database) -> None:
    assert issue(season, "CCC", "Mamasound", dt.date(2026, 7, 15)) == "F-2026-0001"
    with pytest.raises(
        UserError,
        match=r"CCC a déjà émis F-2026-0001 le 15/07/2026 .* "
        r"datez-la du 15/07/2026 ou après",
    ):
        issue(season, "CCC", "Mamasound", dt.date(2026, 7, 10))
    # the other issuer's series is its own: Mamasound may still date an invoice 10 July
    assert issue(season, "Mamasound", "Rockstore", dt.date(2026, 7, 10)) == "F-2026-0001"
    # the refusal numbered nothing: CCC's next one is 2, and the same day is allowed
    assert issue(season, "CCC", "Mamasound", dt.date(2026, 7, 15)) == "F-2026-0002"
    assert numbers(season, "CCC") == [1, 2]


def test_a_reference_two_issuers_share_is_looked_up_with_the_issuer(
    season: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issue(season, "CCC", "Mamasound", dt.date(2026, 7, 15), "Part de la convention;1;3150;20")
    issue(season, "Mamasound", "Rockstore", dt.date(2026, 10, 5), "Régie cashless;1;900;20")
    with season.session() as session:
        shared = r"F-2026-0001 existe chez plusieurs émetteurs \(CCC, Mamasound\) : choisissez "
        with pytest.raises(UserError, match=shared) as twice:
            view(session, "F-2026-0001")
        assert twice.value.on_command_line().endswith("précisez l'émetteur (--issuer CCC)")
        # 900 € + 20 % = 1,080 € TTC for Mamasound's; 3,150 € + 20 % = 3,780 € for CCC's
        assert view(session, "F-2026-0001", "Mamasound").total_incl_cents == 108000
        assert view(session, "F-2026-0001", "CCC").total_incl_cents == 378000
    db = ["--db", season.url]
    assert main(["invoice", "credit", "F-2026-0001", *db, "--date", "2026-10-06"]) == 2
    assert "précisez l'émetteur (--issuer CCC)" in capsys.readouterr().err
    assert (
        main(
            [
                "invoice",
                "credit",
                "F-2026-0001",
                *db,
                "--issuer",
                "Mamasound",
                "--date",
                "2026-10-06",
            ]
        )
        == 0
    )
    with season.session() as session:
        credit = view(session, "AV-2026-0001", "Mamasound")
        assert credit.credited_reference == "F-2026-0001" and credit.total_incl_cents == 108000
        assert not view(session, "F-2026-0001", "CCC").credited_by  # CCC's stays valid
        with pytest.raises(UserError, match="déjà annulée"):
            credit_invoice(session, "F-2026-0001", issuer="Mamasound")
    out = tmp_path / "ccc.pdf"
    assert main(["invoice", "pdf", "F-2026-0001", *db, "--issuer", "CCC", "--out", str(out)]) == 0
    assert "Coopérative Code Commun" in text_of(out) and "3 150,00 €" in text_of(out)


def test_an_issuer_without_siret_or_vat_number_cannot_issue(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with season.session() as session, pytest.raises(MissingMention) as no_siret:
        create_invoice(
            session,
            issuer="Dunes",
            client="Rockstore",
            issued_on=dt.date(2026, 10, 5),
            lines=[parse_line("Bar;1;100;0")],
        )
    assert "Dunes n'a pas de SIRET, mention obligatoire" in str(no_siret.value)
    assert "Inventaire › Référentiel › Organisations (fiche « Dunes »)" in no_siret.value.window
    # the CLI names the command, which sets the organisation that invoices (the partner)
    assert "regie settings set organisation.siret ne règle que" in no_siret.value.on_command_line()
    with season.session() as session:  # the partner itself: the command is the way
        session.scalars(
            select(Organisation).where(Organisation.short_name == "Mamasound")
        ).one().siret = ""
    assert (
        main(
            [
                *("invoice", "create", "--db", season.url, "--issuer", "Mamasound"),
                *("--client", "Rockstore", "--line", "Régie;1;900;20"),
                *("--date", "2026-10-05"),
            ]
        )
        == 2
    )
    assert (
        "Mamasound n'a pas de SIRET, mention obligatoire de ses factures : renseignez-le (regie "
        "settings set organisation.siret …)"
    ) in capsys.readouterr().err
    with season.session() as session:
        session.scalars(
            select(Organisation).where(Organisation.short_name == "Mamasound")
        ).one().siret = "79876543200015"
    with season.session() as session:
        session.scalars(
            select(Organisation).where(Organisation.short_name == "Mamasound")
        ).one().vat_number = ""
    with season.session() as session, pytest.raises(MissingMention) as no_vat:
        create_invoice(
            session,
            issuer="Mamasound",
            client="Rockstore",
            issued_on=dt.date(2026, 10, 5),
            lines=[parse_line("Régie;1;900;20")],
        )
    assert no_vat.value.on_command_line() == (
        "Mamasound n'a pas de n° de TVA intracommunautaire, mention obligatoire de ses "
        "factures : renseignez-le (regie settings set organisation.vat_number …)"
    )
    assert "Inventaire › Référentiel › Organisations" in no_vat.value.window
    # under the convention's VAT exemption no VAT is charged: no VAT number needed
    with season.session() as session:
        set_setting(
            session, "vat_exemption", "TVA non applicable, art. 293 B du CGI", dt.date(2026, 1, 1)
        )
    # the refusals numbered nothing: the first invoice issued is number 1
    assert issue(season, "Mamasound", "Rockstore", dt.date(2026, 10, 5), "Régie;1;900;0") == (
        "F-2026-0001"
    )


def test_a_negative_line_is_refused_and_points_to_a_credit_note(season: Database) -> None:
    refused = r"ligne « Remise » : montant négatif .*émettez un avoir"
    with season.session() as session, pytest.raises(UserError, match=refused):
        create_invoice(
            session,
            issuer="CCC",
            client="Mamasound",
            issued_on=dt.date(2026, 7, 15),
            lines=[parse_line("Part;1;3150;20"), parse_line("Remise;1;-150;20")],
        )
    assert issue(season, "CCC", "Mamasound", dt.date(2026, 7, 15)) == "F-2026-0001"


def test_pdf_and_factur_x_carry_the_service_dates_and_the_category_of_operation(
    season: Database, tmp_path: Path
) -> None:
    with season.session() as session:
        by_prestation = create_invoice(
            session,
            issuer="Mamasound",
            client="Rockstore",
            prestation=ROCK,
            issued_on=dt.date(2026, 10, 5),
            lines=[parse_line("Régie cashless;3;300;20")],
        )
        given = create_invoice(
            session,
            issuer="CCC",
            client="Mamasound",
            issued_on=dt.date(2026, 10, 6),
            service_from=dt.date(2026, 9, 1),
            service_to=dt.date(2026, 9, 30),
            lines=[parse_line("Hébergement;1;50;20;cost")],
        )
        invoice_pdf(by_prestation, tmp_path / "rock.pdf", facturx=True)  # XSD-checked
        invoice_pdf(given, tmp_path / "given.pdf", facturx=True)
    text = text_of(tmp_path / "rock.pdf")
    assert "Catégorie d'opération : Prestation de services" in text
    assert "Prestation réalisée du 02/10/2026 au 04/10/2026" in text  # the prestation's days
    assert "Prestation réalisée du 01/09/2026 au 30/09/2026" in text_of(tmp_path / "given.pdf")
    _name, xml = facturx.get_xml_from_pdf((tmp_path / "rock.pdf").read_bytes())
    period = xml.split(b"<ram:BillingSpecifiedPeriod>")[1].split(b"</ram:BillingSpecifiedPeriod>")
    assert b'format="102">20261002<' in period[0] and b'format="102">20261004<' in period[0]
    assert b"Prestation de services" in xml
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")


def test_the_cli_takes_the_service_dates(
    season: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    def create(service_from: str, service_to: str) -> int:
        return main(
            [
                *("invoice", "create", "--db", season.url, "--issuer", "CCC"),
                *("--client", "Mamasound", "--line", "Régie;1;100;20", "--date", "2026-07-20"),
                *("--service-from", service_from, "--service-to", service_to),
            ]
        )

    assert create("2026-07-10", "2026-07-12") == 0
    with season.session() as session:
        shown = view(session, "F-2026-0001", "CCC")
    assert (shown.service_from, shown.service_to) == (dt.date(2026, 7, 10), dt.date(2026, 7, 12))
    assert create("2026-07-12", "2026-07-10") == 2
    assert "la fin (10/07/2026) précède le début (12/07/2026)" in capsys.readouterr().err

"""Invoices and credit notes: numbered per issuer, series and year without gaps and in
chronological order, never deleted; references are unique per issuer (``F-2026-0001`` exists
for each issuer), so a lookup by reference takes the issuer when two share it.

A cancelled invoice gets a credit note (its own series, ``AV`` by default) that names it;
an invoice can be credited once. Lines carry a quantity (thousandths: 1.5 days = 1500), a
unit price excl. VAT and a VAT rate in basis points; VAT is computed per rate on the sum of
its lines. When the convention's VAT exemption mention is set, lines carry no VAT and the
mention is printed instead. The mandatory mentions are checked before numbering
(:mod:`regie.settlement.invoice_checks`); the service dates default to the prestation's days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from regie import clock
from regie.errors import Conflict, NotFound, UserError
from regie.i18n import _
from regie.models import Organisation, Prestation
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settings.convention import settings_at
from regie.settlement.invoice_checks import check_chronology, check_mentions, check_positive
from regie.settlement.invoice_lines import LINE_KINDS as LINE_KINDS
from regie.settlement.invoice_lines import LineInput as LineInput
from regie.settlement.invoice_lines import parse_line as parse_line
from regie.settlement.invoice_lines import percent as percent
from regie.settlement.invoice_lines import vat_breakdown as vat_breakdown
from regie.settlement.models import Invoice, InvoiceCounter, InvoiceLine, SettlementRecord


@dataclass(frozen=True, kw_only=True)
class Party:
    short_name: str
    name: str
    legal_form: str
    address: str
    siret: str
    vat_number: str
    email: str

    @property
    def siren(self) -> str:
        return self.siret[:9]


@dataclass(frozen=True, kw_only=True)
class InvoiceView:
    """Everything printed on an invoice (plain values)."""

    reference: str
    kind: str
    issued_on: dt.date
    due_on: dt.date
    issuer: Party
    client: Party
    prestation: str
    credited_reference: str  # for a credit note: the invoice it cancels
    credited_by: str  # for an invoice: its credit note, if any
    currency: str
    lines: tuple[LineInput, ...]
    vat: tuple[tuple[int, int, int], ...]  # (rate bp, base, VAT)
    total_excl_cents: int
    total_vat_cents: int
    total_incl_cents: int
    vat_exemption: str
    payment_terms: str
    late_penalties: str
    notes: str
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    operation: str = "services"  # the category of operation (invoice_checks.OPERATIONS)


def party(session: Session, short_name: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.short_name == short_name))
    if found is None:
        raise NotFound(_("organisation inconnue : « {short_name} »").format(short_name=short_name))
    return found


def next_number(session: Session, issuer_id: int, series: str, year: int) -> int:
    """The next number of an issuer's series for a year; the counter row is locked until
    commit."""
    for _attempt in range(3):
        bumped = session.execute(
            update(InvoiceCounter)
            .where(
                InvoiceCounter.issuer_id == issuer_id,
                InvoiceCounter.series == series,
                InvoiceCounter.year == year,
            )
            .values(last_number=InvoiceCounter.last_number + 1)
            .returning(InvoiceCounter.last_number)
        ).scalar()
        if bumped is not None:
            return int(bumped)
        try:
            with session.begin_nested():
                session.add(
                    InvoiceCounter(issuer_id=issuer_id, series=series, year=year, last_number=1)
                )
            return 1
        except IntegrityError:  # another office laptop created it meanwhile
            continue
    raise Conflict(_("numérotation des factures indisponible : réessayez"))


def _store(
    session: Session,
    *,
    kind: str,
    series: str,
    issued_on: dt.date,
    issuer: Organisation,
    client_id: int,
    prestation_id: int | None,
    lines: tuple[LineInput, ...],
    credited_id: int | None,
    notes: str,
    service: tuple[dt.date, dt.date],
) -> Invoice:
    values = settings_at(session, issued_on)
    exemption = values.text("vat_exemption")
    if exemption and any(line.vat_bp for line in lines):
        raise UserError(
            _("TVA non applicable (« {exemption} ») : les lignes doivent être à 0 %").format(
                exemption=exemption
            )
        )
    check_positive(lines)
    check_mentions(
        issuer,
        [(line.label, line.vat_bp) for line in lines],
        exemption=exemption,
        partner=values.text("partner"),
    )
    check_chronology(
        session, issuer=issuer, series=series, year=issued_on.year, issued_on=issued_on
    )
    issuer_id = issuer.id
    breakdown = vat_breakdown(lines)
    total_excl = sum(base for _rate, base, _vat in breakdown)
    total_vat = sum(vat for _rate, _base, vat in breakdown)
    number = next_number(session, issuer_id, series, issued_on.year)
    # again, the counter row now locked: another laptop may have issued meanwhile
    check_chronology(
        session, issuer=issuer, series=series, year=issued_on.year, issued_on=issued_on
    )
    days = values.cents("payment_days")
    invoice = Invoice(
        reference=f"{series}-{issued_on.year}-{number:04d}",
        series=series,
        year=issued_on.year,
        number=number,
        kind=kind,
        issued_on=issued_on,
        due_on=issued_on + dt.timedelta(days=days),
        issuer_id=issuer_id,
        client_id=client_id,
        prestation_id=prestation_id,
        credited_id=credited_id,
        currency="EUR",
        total_excl_cents=total_excl,
        total_vat_cents=total_vat,
        total_incl_cents=total_excl + total_vat,
        vat_exemption=exemption,
        payment_terms=f"Paiement à {days} jours, par virement." if kind == "invoice" else "",
        late_penalties=values.text("late_penalties") if kind == "invoice" else "",
        notes=notes,
        service_from=service[0],
        service_to=service[1],
        operation="services",
    )
    session.add(invoice)
    session.flush()
    for position, line in enumerate(lines, 1):
        session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                position=position,
                label=line.label,
                kind=line.kind,
                quantity_milli=line.quantity_milli,
                unit_cents=line.unit_cents,
                vat_bp=line.vat_bp,
                total_excl_cents=line.total_cents,
            )
        )
    session.flush()
    return invoice


def create_invoice(
    session: Session,
    *,
    client: str,
    lines: list[LineInput],
    issuer: str = "",
    prestation: str = "",
    issued_on: dt.date | None = None,
    notes: str = "",
    service_from: dt.date | None = None,
    service_to: dt.date | None = None,
) -> InvoiceView:
    """Issue an invoice (numbered at once: an issued invoice is never deleted). The service
    dates default to the prestation's days, else to the day of issue."""
    require(session, Permission.SETTLE)
    if not lines:
        raise UserError(_("une facture a au moins une ligne"))
    issued_on = issued_on or clock.today()
    values = settings_at(session, issued_on)
    issuer_org = party(session, issuer or values.text("partner"))
    client_org = party(session, client)
    if issuer_org.id == client_org.id:
        raise UserError(_("l'émetteur et le client d'une facture sont deux organisations"))
    prestation_id = None
    first_day = last_day = issued_on
    if prestation:
        found = session.scalar(select(Prestation).where(Prestation.name == prestation))
        if found is None:
            raise NotFound(
                _("prestation inconnue : « {prestation} »").format(prestation=prestation)
            )
        prestation_id, first_day, last_day = found.id, found.starts_on, found.ends_on
    service = (service_from or first_day, service_to or service_from or last_day)
    if service[1] < service[0]:
        raise UserError(
            _("dates de la prestation facturée : la fin ({end}) précède le début ({start})").format(
                end=service[1].strftime("%d/%m/%Y"), start=service[0].strftime("%d/%m/%Y")
            )
        )
    invoice = _store(
        session,
        kind="invoice",
        series=values.text("invoice_series"),
        issued_on=issued_on,
        issuer=issuer_org,
        client_id=client_org.id,
        prestation_id=prestation_id,
        lines=tuple(lines),
        credited_id=None,
        notes=notes,
        service=service,
    )
    return _view_of(session, invoice)


def find_invoice(session: Session, reference: str, issuer: str = "") -> Invoice:
    """The invoice or credit note of that reference (of ``issuer`` when given); two issuers
    sharing the reference must be told apart by the issuer."""
    query = select(Invoice).where(Invoice.reference == reference)
    if issuer:
        query = query.where(Invoice.issuer_id == party(session, issuer).id)
    found = list(session.scalars(query))
    if not found:
        if issuer:
            raise NotFound(
                _("facture inconnue : {reference} de {issuer}").format(
                    reference=reference, issuer=issuer
                )
            )
        raise NotFound(_("facture inconnue : {reference}").format(reference=reference))
    if len(found) > 1:
        names = sorted(session.get_one(Organisation, i.issuer_id).short_name for i in found)
        raise UserError(
            _(
                "{reference} existe chez plusieurs émetteurs ({issuers}) : choisissez la "
                "facture de l'émetteur voulu"
            ).format(reference=reference, issuers=", ".join(names)),
            command=_(
                "{reference} existe chez plusieurs émetteurs ({issuers}) : précisez "
                "l'émetteur (--issuer {first})"
            ).format(reference=reference, issuers=", ".join(names), first=names[0]),
        )
    return found[0]


def credit_invoice(
    session: Session,
    reference: str,
    *,
    issuer: str = "",
    issued_on: dt.date | None = None,
    reason: str = "",
) -> InvoiceView:
    """Cancel an invoice with a credit note of the same amounts (and the same service)."""
    require(session, Permission.SETTLE)
    original = find_invoice(session, reference, issuer)
    if original.kind != "invoice":
        raise UserError(
            _("{reference} est un avoir : on n'annule pas un avoir").format(reference=reference)
        )
    taken = session.scalar(select(Invoice.reference).where(Invoice.credited_id == original.id))
    if taken:
        raise Conflict(
            _("{reference} est déjà annulée par l'avoir {taken}").format(
                reference=reference, taken=taken
            )
        )
    issued_on = issued_on or clock.today()
    if issued_on < original.issued_on:
        raise UserError(_("un avoir ne peut pas précéder la facture qu'il annule"))
    service = (
        original.service_from or original.issued_on,
        original.service_to or original.issued_on,
    )
    credit = _store(
        session,
        kind="credit",
        series=settings_at(session, issued_on).text("credit_series"),
        issued_on=issued_on,
        issuer=session.get_one(Organisation, original.issuer_id),
        client_id=original.client_id,
        prestation_id=original.prestation_id,
        lines=_view_of(session, original).lines,
        credited_id=original.id,
        notes=reason or f"Annule la facture {reference}.",
        service=service,
    )
    return _view_of(session, credit)


def _party(org: Organisation) -> Party:
    return Party(
        short_name=org.short_name,
        name=org.name,
        legal_form=org.legal_form,
        address=org.address,
        siret=org.siret,
        vat_number=org.vat_number,
        email=org.email,
    )


def view(session: Session, reference: str, issuer: str = "") -> InvoiceView:
    """Everything printed on the invoice ``reference`` (of ``issuer`` when two share it)."""
    return _view_of(session, find_invoice(session, reference, issuer))


def _view_of(session: Session, invoice: Invoice) -> InvoiceView:
    lines = tuple(
        LineInput(
            label=row.label,
            quantity_milli=row.quantity_milli,
            unit_cents=row.unit_cents,
            vat_bp=row.vat_bp,
            kind=row.kind,
        )
        for row in session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice.id)
            .order_by(InvoiceLine.position)
        )
    )
    credited = (
        session.scalar(select(Invoice.reference).where(Invoice.id == invoice.credited_id))
        if invoice.credited_id
        else ""
    )
    credited_by = session.scalar(select(Invoice.reference).where(Invoice.credited_id == invoice.id))
    prestation = (
        session.scalar(select(Prestation.name).where(Prestation.id == invoice.prestation_id))
        if invoice.prestation_id
        else ""
    )
    return InvoiceView(
        reference=invoice.reference,
        kind=invoice.kind,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        issuer=_party(session.get_one(Organisation, invoice.issuer_id)),
        client=_party(session.get_one(Organisation, invoice.client_id)),
        prestation=prestation or "",
        credited_reference=credited or "",
        credited_by=credited_by or "",
        currency=invoice.currency,
        lines=lines,
        vat=tuple(vat_breakdown(lines)),
        total_excl_cents=invoice.total_excl_cents,
        total_vat_cents=invoice.total_vat_cents,
        total_incl_cents=invoice.total_incl_cents,
        vat_exemption=invoice.vat_exemption,
        payment_terms=invoice.payment_terms,
        late_penalties=invoice.late_penalties,
        notes=invoice.notes,
        service_from=invoice.service_from,
        service_to=invoice.service_to,
        operation=invoice.operation,
    )


@dataclass(frozen=True, kw_only=True)
class InvoiceSummary:
    reference: str
    kind: str
    issued_on: dt.date
    client: str
    total_incl_cents: int
    cancelled_by: str
    issuer: str = ""


def list_invoices(
    session: Session, year: int | None = None, issuer: str = ""
) -> list[InvoiceSummary]:
    """The invoices and credit notes (of a year, of an issuer), by date."""
    credits: dict[int | None, str] = {
        credited: reference
        for credited, reference in session.execute(
            select(Invoice.credited_id, Invoice.reference).where(Invoice.credited_id.is_not(None))
        )
    }
    issuing = aliased(Organisation)
    query = (
        select(Invoice, Organisation.short_name, issuing.short_name)
        .join(Organisation, Invoice.client_id == Organisation.id)
        .join(issuing, Invoice.issuer_id == issuing.id)
        .order_by(Invoice.issued_on, issuing.short_name, Invoice.series, Invoice.number)
    )
    if year:
        query = query.where(Invoice.year == year)
    if issuer:
        query = query.where(Invoice.issuer_id == party(session, issuer).id)
    return [
        InvoiceSummary(
            reference=i.reference,
            kind=i.kind,
            issued_on=i.issued_on,
            client=client,
            total_incl_cents=i.total_incl_cents,
            cancelled_by=credits.get(i.id, ""),
            issuer=issuer_name,
        )
        for i, client, issuer_name in session.execute(query)
    ]


def turnover_of(session: Session, prestation_id: int) -> tuple[int, str]:
    """The base of a prestation's share: the turnover excl. VAT of the invoices the organiser
    (the convention's partner) issued to its client for it, excl. the cachet and the costs
    billed through, credit notes taken off; and the references it comes from ("" when none).
    Never the cooperative's invoices (its invoice to the partner drawn from a statement would
    otherwise raise the share it bills). On SoTicket's scheme the organiser is the venue
    itself (the prestation's client): its ticketing revenue is the base."""
    found = session.execute(
        select(Prestation.ends_on, Prestation.scheme, Prestation.client_id).where(
            Prestation.id == prestation_id
        )
    ).first()
    ends_on, scheme, client_id = found if found else (None, "", None)
    values = settings_at(session, ends_on or clock.today())
    names = dict(session.execute(select(Organisation.short_name, Organisation.id)).all())
    organiser, cooperative = (
        client_id if scheme == "soticket" else names.get(values.text("partner")),
        names.get(values.text("cooperative")),
    )
    drawn = select(SettlementRecord.invoice_id).where(SettlementRecord.invoice_id.is_not(None))
    credited = aliased(Invoice)
    rows = session.execute(
        select(
            Invoice.reference,
            Invoice.kind,
            func.coalesce(func.sum(InvoiceLine.total_excl_cents), 0),
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .outerjoin(credited, Invoice.credited_id == credited.id)
        .where(
            Invoice.prestation_id == prestation_id,
            InvoiceLine.kind == "service",
            Invoice.issuer_id == organiser,
            Invoice.client_id != (cooperative or 0),
            Invoice.id.not_in(drawn),
            func.coalesce(credited.id, 0).not_in(drawn),
        )
        .group_by(Invoice.reference, Invoice.kind)
        .order_by(Invoice.reference)
    ).all()
    total = sum(int(amount) * (1 if kind == "invoice" else -1) for _ref, kind, amount in rows)
    return total, ", ".join(reference for reference, _kind, _amount in rows)

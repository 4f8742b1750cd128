"""Recorded statements are immutable: recording adds a version, a correction adds the next one
(which shows the difference with the one before), and a recorded statement gives the
cooperative's invoice to the partner in one action.

Recording a prestation that comes, in time, before prestations already recorded changes what
those later ones had « déjà récupéré »: their statements are computed again and the result
names the recorded ones whose figures now differ (they stay as recorded until someone records
them again).

The invoice never carries a negative line: the melting currency the cooperative pays back is
written in the invoice's notes as an amount to deduct, with the net to pay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import Conflict, NotFound, UserError
from regie.i18n import _
from regie.models import Organisation, Prestation
from regie.money import format_money
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settings.convention import settings_at
from regie.settlement.convention import (
    TYPED,
    Statement,
    latest_records,
    statements,
)
from regie.settlement.invoices import InvoiceView, LineInput, create_invoice, credit_invoice, party
from regie.settlement.models import Invoice, SettlementRecord


@dataclass(frozen=True)
class Recorded:
    prestation: str
    version: int
    created: bool  # False: the figures were those of the newest version, nothing added
    now_differ: list[str]  # later prestations whose recorded statement now differs


def record(session: Session, statement: Statement) -> Recorded:
    """Add the statement as the prestation's next version, unless its figures are those of
    the newest version already recorded."""
    require(session, Permission.SETTLE)
    event = statement.event
    latest = latest_records(session).get(event.id)
    if statement.missing_turnover:
        raise UserError(
            _("« {name} » n'a pas de chiffre d'affaires : rien à enregistrer").format(
                name=event.name
            )
        )
    if latest is not None and statement.version == latest.version:
        return Recorded(prestation=event.name, version=latest.version, created=False, now_differ=[])
    version = latest.version + 1 if latest is not None else 1
    figures = statement.figures()
    session.add(
        SettlementRecord(
            prestation_id=event.id,
            version=version,
            scheme=statement.scheme,
            phase=statement.phase,
            base_cents=statement.base_cents,
            share_cents=statement.share_cents,
            recovery_cents=statement.recovery_cents,
            total_cents=statement.total_cents,
            inputs=orjson.dumps(
                {
                    "turnover_source": statement.turnover_source,
                    "typed_turnover_cents": statement.typed_turnover_cents,
                    "cachet_days": statement.cachet_days,
                    "travel_cents": statement.travel_cents,
                    "costs": [asdict(line) for line in statement.costs],
                    "rate_bp": statement.rate_bp,
                    "post_rate_bp": statement.post_rate_bp,
                    "kind": statement.kind,
                    "melting_payback_bp": statement.melting_payback_bp,
                    "settings_day": statement.settings.day.isoformat(),
                    "figures": figures,
                }
            ).decode(),
        )
    )
    session.flush()
    if latest is not None:
        statement.previous_version = latest.version
        statement.previous = orjson.loads(latest.inputs).get("figures", {})
    statement.version = version
    return Recorded(
        prestation=event.name,
        version=version,
        created=True,
        now_differ=changed_later(session, statement),
    )


def changed_later(session: Session, statement: Statement) -> list[str]:
    """Recorded prestations after this one (in time) whose statement now differs."""
    found: list[str] = []
    seen = False
    for later in statements(session):
        if later.event.id == statement.event.id:
            seen = True
        elif seen and later.previous_version and later.version == 0:
            found.append(later.event.name)
    return found


def cooperative_invoice(
    session: Session, name: str, *, issued_on: dt.date | None = None
) -> InvoiceView:
    """The cooperative's invoice to the partner for the newest recorded version of a
    prestation's statement (once per version)."""
    row = _record_of(session, name)
    if row.invoice_id is not None:
        reference = session.scalar(select(Invoice.reference).where(Invoice.id == row.invoice_id))
        raise Conflict(
            _("la version {version} du règlement de « {name} » est déjà facturée : {ref}").format(
                version=row.version, name=name, ref=reference
            )
        )
    data = orjson.loads(row.inputs)
    figures = data["figures"]
    day = dt.date.fromisoformat(data["settings_day"])
    values = settings_at(session, day)
    if row.total_cents <= 0:
        raise UserError(
            _(
                "« {name} » : la coopérative ne facture rien (la monnaie fondante reversée "
                "dépasse ce qui est dû) ; elle doit {amount} au partenaire"
            ).format(name=name, amount=format_money(-row.total_cents))
        )
    vat = 0 if values.text("vat_exemption") else values.cents("invoice_vat_bp")
    lines: list[LineInput] = []
    if row.share_cents:
        label = (
            f"Redevance SoTicket — {name}"
            if row.scheme == "soticket"
            else f"Part de la convention ({row.phase}) — {name}"
        )
        lines.append(
            LineInput(
                label=label,
                quantity_milli=1000,
                unit_cents=row.share_cents,
                vat_bp=vat,
                kind="service",
            )
        )
    days = int(data.get("cachet_days") or 0)
    if figures.get("cachet_cents"):
        lines.append(
            LineInput(
                label="Cachet TiBillet (jour)",
                quantity_milli=days * 1000,
                unit_cents=figures["cachet_cents"] // max(days, 1),
                vat_bp=vat,
                kind="cachet",
            )
        )
    for cost in data.get("costs", []):
        if cost["cents"]:
            label = f"Frais partagés : {cost['label']} {cost.get('detail', '')}".strip()
            lines.append(
                LineInput(
                    label=label,
                    quantity_milli=1000,
                    unit_cents=cost["cents"],
                    vat_bp=vat,
                    kind="cost",
                )
            )
    if not lines:
        raise UserError(
            _("le règlement de « {name} » ne porte aucun montant à facturer").format(name=name)
        )
    payback = int(figures.get("melting_payback_cents", 0))
    notes = f"Règlement de {name}, version {row.version}."
    if payback:
        notes += (
            f" Monnaie fondante reversée par la coopérative : {format_money(payback)} à "
            f"déduire ; net à payer : {format_money(row.total_cents)} (hors TVA)."
        )
    # A venue on SoTicket's scheme pays its own fee; the convention's prestations, the partner.
    client = (
        session.scalar(
            select(Organisation.short_name)
            .join(Prestation, Prestation.client_id == Organisation.id)
            .where(Prestation.id == row.prestation_id)
        )
        if row.scheme == "soticket"
        else None
    ) or values.text("partner")
    cancelled = _credit_earlier_versions(session, row, values.text("cooperative"), issued_on)
    if cancelled:
        notes += " Annule et remplace " + ", ".join(cancelled) + "."
    invoice = create_invoice(
        session,
        client=client,
        issuer=values.text("cooperative"),
        prestation=name,
        lines=lines,
        issued_on=issued_on,
        notes=notes,
    )
    issuer = party(session, values.text("cooperative")).id
    row.invoice_id = session.scalar(
        select(Invoice.id).where(
            Invoice.reference == invoice.reference, Invoice.issuer_id == issuer
        )
    )
    session.flush()
    return invoice


def _credit_earlier_versions(
    session: Session, row: SettlementRecord, issuer: str, issued_on: dt.date | None
) -> list[str]:
    """The invoices of the prestation's earlier versions not yet cancelled get their credit
    note now: a corrected statement is billed once, never on top of the one it corrects."""
    credited = select(Invoice.credited_id).where(Invoice.credited_id.is_not(None))
    earlier = session.scalars(
        select(Invoice.reference)
        .join(SettlementRecord, SettlementRecord.invoice_id == Invoice.id)
        .where(
            SettlementRecord.prestation_id == row.prestation_id,
            SettlementRecord.version < row.version,
            Invoice.id.not_in(credited),
        )
        .order_by(SettlementRecord.version)
    ).all()
    for reference in earlier:
        credit_invoice(
            session,
            reference,
            issuer=issuer,
            issued_on=issued_on,
            reason=f"version {row.version} du règlement",
        )
    return list(earlier)


def _record_of(session: Session, name: str) -> SettlementRecord:
    prestation_id = session.scalar(select(Prestation.id).where(Prestation.name == name))
    if prestation_id is None:
        raise NotFound(_("prestation inconnue : « {name} »").format(name=name))
    row = latest_records(session).get(prestation_id)
    if row is None:
        raise UserError(
            _(
                "« {name} » n'a pas de règlement enregistré : enregistrez-le d'abord "
                "(Règlement › Partage › « Enregistrer le règlement »)"
            ).format(name=name),
            command=_(
                "« {name} » n'a pas de règlement enregistré : enregistrez-le d'abord "
                "(regie settle … --record)"
            ).format(name=name),
        )
    return row


def as_json(statement: Statement) -> dict[str, Any]:
    """Every figure of a statement, amounts in cents, for ``regie settle --json``."""
    return {
        "prestation": statement.event.name,
        "kind": statement.kind,
        "scheme": statement.scheme,
        "phase": statement.phase,
        "version": statement.version,
        "previous_version": statement.previous_version,
        "settings_day": statement.settings.day.isoformat(),
        "inputs": {
            "base_cents": statement.base_cents,
            "turnover_source": "saisi"
            if statement.turnover_source == TYPED
            else statement.turnover_source,
            "cachet_days": statement.cachet_days,
            "travel_cents": statement.travel_cents,
            "invested_equipment_cents": statement.invested_equipment_cents,
            "invested_hosting_cents": statement.invested_hosting_cents,
            "invested_bank_fees_cents": statement.invested_bank_fees_cents,
            "melted_cents": statement.melted_cents,
        },
        "rate_bp": statement.rate_bp,
        "post_rate_bp": statement.post_rate_bp,
        "amortised_base_cents": statement.amortised_base_cents,
        "raw_share_cents": statement.raw_share_cents,
        "share_cents": statement.share_cents,
        "clamp": statement.clamp,
        "cachet_cents": statement.cachet_cents,
        "costs": [asdict(line) for line in statement.costs],
        "costs_cents": statement.costs_cents,
        "melting_payback_bp": statement.melting_payback_bp,
        "melting_payback_cents": statement.melting_payback_cents,
        "total_cents": statement.total_cents,
        "invested_cents": statement.invested_cents,
        "recovered_before_cents": statement.recovered_before_cents,
        "recovery_cents": statement.recovery_cents,
        "recovered_after_cents": statement.recovered_before_cents + statement.recovery_cents,
        "left_to_amortise_cents": statement.remaining_after_cents,
        "differences": {
            k: {"before": b, "now": n} for k, (b, n) in statement.differences().items()
        },
    }

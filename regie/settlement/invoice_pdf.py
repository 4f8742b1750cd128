"""An invoice or a credit note as a PDF (French), optionally Factur-X."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from regie.settlement import pdf_kit as kit
from regie.settlement.invoice_checks import OPERATIONS
from regie.settlement.invoices import InvoiceView, Party


def _party_lines(who: Party, role: str) -> list[Any]:
    lines = [kit.para(role, kit.SMALL), kit.para(who.name, kit.HEADING)]
    details = [who.legal_form, who.address]
    details.append(f"SIRET : {who.siret}" if who.siret else "SIRET : non renseigné")
    if who.siret:
        details.append(f"SIREN : {who.siren}")
    details.append(f"N° TVA intracommunautaire : {who.vat_number}" if who.vat_number else "")
    lines += [kit.para(text) for text in details if text]
    return lines


def _quantity(milli: int) -> str:
    whole, part = divmod(milli, 1000)
    return str(whole) if not part else f"{whole},{part:03d}".rstrip("0")


def _service(invoice: InvoiceView) -> list[str]:
    """The mandatory mentions of the service: its category and its dates."""
    shown = [f"Catégorie d'opération : {OPERATIONS.get(invoice.operation, invoice.operation)}"]
    start, end = invoice.service_from, invoice.service_to
    if start and end and start != end:
        shown.append(f"Prestation réalisée du {kit.day(start)} au {kit.day(end)}")
    elif start:
        shown.append(f"Prestation réalisée le {kit.day(start)}")
    return shown


def invoice_pdf(invoice: InvoiceView, path: Path, *, facturx: bool = False) -> Path:
    """Write the invoice; with ``facturx``, embed its CII XML (XSD-checked)."""
    credit = invoice.kind == "credit"
    title = f"{'Avoir' if credit else 'Facture'} n° {invoice.reference}"
    doc = kit.document(path, title, f"{invoice.issuer.name} — {title}")
    story: list[Any] = [kit.para(title, kit.TITLE)]
    dates = [f"Date d'émission : {kit.day(invoice.issued_on)}"]
    if not credit:
        dates.append(f"Échéance : {kit.day(invoice.due_on)}")
    if invoice.prestation:
        dates.append(f"Prestation : {invoice.prestation}")
    if invoice.credited_reference:
        dates.append(f"Annule la facture n° {invoice.credited_reference}")
    story.append(kit.para(" · ".join(dates)))
    story.append(kit.para(" · ".join(_service(invoice))))
    story.append(Spacer(1, 4 * mm))
    parties = Table(
        [[_party_lines(invoice.issuer, "ÉMETTEUR"), _party_lines(invoice.client, "CLIENT")]],
        colWidths=[kit.WIDTH / 2, kit.WIDTH / 2],
    )
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [parties, Spacer(1, 6 * mm)]
    rows: list[list[Any]] = [["Désignation", "Quantité", "Prix unitaire HT", "TVA", "Total HT"]]
    for line in invoice.lines:
        rows.append(
            [
                kit.para(line.label),
                _quantity(line.quantity_milli),
                kit.money(line.unit_cents),
                kit.rate(line.vat_bp),
                kit.money(line.total_cents),
            ]
        )
    widths = [kit.WIDTH * share for share in (0.44, 0.11, 0.17, 0.1, 0.18)]
    story += [kit.table(rows, widths), Spacer(1, 4 * mm)]
    totals: list[list[Any]] = [["Taux de TVA", "Base HT", "TVA"]]
    for rate_bp, base, vat in invoice.vat:
        totals.append([kit.rate(rate_bp), kit.money(base), kit.money(vat)])
    totals.append(["Total HT", "", kit.money(invoice.total_excl_cents)])
    totals.append(["Total TVA", "", kit.money(invoice.total_vat_cents)])
    totals.append(
        [f"Total TTC{' de l’avoir' if credit else ''}", "", kit.money(invoice.total_incl_cents)]
    )
    summary = kit.table(totals, [kit.WIDTH * 0.2, kit.WIDTH * 0.15, kit.WIDTH * 0.15], total=True)
    summary.hAlign = "RIGHT"
    story += [summary, Spacer(1, 6 * mm)]
    mentions = [invoice.vat_exemption, invoice.notes, invoice.payment_terms, invoice.late_penalties]
    if not credit:
        mentions.append("Pas d'escompte pour paiement anticipé.")
    story += [kit.para(text, kit.SMALL) for text in mentions if text]
    kit.build(doc, story)
    if facturx:
        from regie.settlement.facturx_xml import embed

        embed(path, invoice)
    return path

"""Factur-X: the invoice as Cross Industry Invoice XML (profile EN 16931), embedded in its PDF.

The XML is checked against the Factur-X XSD by the ``factur-x`` library (schematron off).
The service dates are the invoicing period (BG-14, ``BillingSpecifiedPeriod``); the category of
operation is a note and the French « cadre de facturation » (BT-23: ``S1``, services).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from regie.errors import UserError
from regie.money import cents_to_decimal_text
from regie.settlement.invoice_checks import OPERATIONS
from regie.settlement.invoices import InvoiceView, Party

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
LEVEL = "en16931"
FRAMEWORK = {"services": "S1"}  # BT-23, the French e-invoicing « cadre de facturation »


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _amount(cents: int) -> str:
    return cents_to_decimal_text(cents)


def _date(parent: etree._Element, tag: str, value: dt.date) -> None:
    holder = _el(parent, tag)
    _el(holder, "udt:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent: etree._Element, tag: str, who: Party) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", who.name)
    if who.siren:
        legal = _el(node, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", who.siren, schemeID="0002")
    address = _el(node, "ram:PostalTradeAddress")
    lines = [line.strip() for line in who.address.splitlines() if line.strip()]
    if lines:
        _el(address, "ram:LineOne", lines[0])
    if len(lines) > 1:
        _el(address, "ram:LineTwo", ", ".join(lines[1:]))
    _el(address, "ram:CountryID", "FR")
    if who.vat_number:
        tax = _el(node, "ram:SpecifiedTaxRegistration")
        _el(tax, "ram:ID", who.vat_number, schemeID="VA")


def _category(rate_bp: int, exemption: str) -> str:
    return "E" if exemption else ("S" if rate_bp else "Z")


def cii_xml(invoice: InvoiceView) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    business = _el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    _el(business, "ram:ID", FRAMEWORK.get(invoice.operation, "S1"))
    guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", "urn:cen.eu:en16931:2017")
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.reference)
    _el(document, "ram:TypeCode", "381" if invoice.kind == "credit" else "380")
    _date(document, "ram:IssueDateTime", invoice.issued_on)
    category = OPERATIONS.get(invoice.operation, invoice.operation)
    for note in (
        f"Catégorie d'opération : {category}",
        invoice.notes,
        invoice.vat_exemption,
        invoice.late_penalties,
    ):
        if note:
            _el(_el(document, "ram:IncludedNote"), "ram:Content", note)
    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    for position, line in enumerate(invoice.lines, 1):
        item = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(position))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.label)
        price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", _amount(line.unit_cents))
        delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
        whole, milli = divmod(line.quantity_milli, 1000)
        _el(delivery, "ram:BilledQuantity", f"{whole}.{milli:03d}", unitCode="C62")
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", _category(line.vat_bp, invoice.vat_exemption))
        _el(tax, "ram:RateApplicablePercent", _amount(line.vat_bp))
        summary = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summary, "ram:LineTotalAmount", _amount(line.total_cents))
    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", invoice.issuer)
    _party(agreement, "ram:BuyerTradeParty", invoice.client)
    _el(trade, "ram:ApplicableHeaderTradeDelivery")
    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    for rate_bp, base, vat in invoice.vat:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(vat))
        _el(tax, "ram:TypeCode", "VAT")
        if invoice.vat_exemption:
            _el(tax, "ram:ExemptionReason", invoice.vat_exemption)
        _el(tax, "ram:BasisAmount", _amount(base))
        _el(tax, "ram:CategoryCode", _category(rate_bp, invoice.vat_exemption))
        _el(tax, "ram:RateApplicablePercent", _amount(rate_bp))
    if invoice.service_from and invoice.service_to:
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", invoice.service_from)
        _date(period, "ram:EndDateTime", invoice.service_to)
    if invoice.kind == "invoice":
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        if invoice.payment_terms:
            _el(terms, "ram:Description", invoice.payment_terms)
        _date(terms, "ram:DueDateDateTime", invoice.due_on)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", _amount(invoice.total_excl_cents))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(invoice.total_excl_cents))
    _el(totals, "ram:TaxTotalAmount", _amount(invoice.total_vat_cents), currencyID=invoice.currency)
    _el(totals, "ram:GrandTotalAmount", _amount(invoice.total_incl_cents))
    _el(totals, "ram:DuePayableAmount", _amount(invoice.total_incl_cents))
    if invoice.credited_reference:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", invoice.credited_reference)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def embed(pdf: Path, invoice: InvoiceView) -> bytes:
    """Rewrite ``pdf`` as a Factur-X PDF (the XML checked against the XSD first)."""
    import facturx  # type: ignore[import-untyped]

    xml = cii_xml(invoice)
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level=LEVEL)
        data = facturx.generate_from_binary(
            pdf.read_bytes(),
            xml,
            flavor="factur-x",
            level=LEVEL,
            check_xsd=True,
            check_schematron=False,
            lang="fr-FR",
            pdf_metadata={
                "author": invoice.issuer.name,
                "keywords": "Factur-X",
                "title": f"{invoice.reference}",
                "subject": invoice.reference,
            },
        )
    except Exception as error:  # the library raises plain Exceptions on an invalid XML
        raise UserError(f"{invoice.reference} : Factur-X invalide ({error})") from error
    pdf.write_bytes(data)
    return xml

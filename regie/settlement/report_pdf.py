"""The event report as a PDF: tables of the figures and two charts (reportlab graphics)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from regie.i18n import format_moment
from regie.ledger import reports
from regie.settlement import pdf_kit as kit
from regie.settlement.event_report import EventReport

METHODS = {
    "cash": "espèces",
    "card": "carte (TPE)",
    "stripe_terminal": "Stripe (lecteur)",
    "offered": "offert",
    "stripe": "Stripe",
    "cashless": "cashless",
}


def _chart(title: str, labels: list[str], values: list[int], *, every: int = 1) -> Drawing:
    """A bar chart of euro amounts (values in cents)."""
    width, height = kit.WIDTH, 62 * mm
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, title, fontName=kit.BOLD, fontSize=9, fillColor=kit.ACCENT))
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 36
    chart.width, chart.height = int(width - 50), int(height - 62)
    chart.data = [[value / 100 for value in values] or [0]]
    chart.bars[0].fillColor = kit.ACCENT
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = kit.FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda value: f"{value:,.0f} €".replace(",", " ")
    chart.categoryAxis.categoryNames = [
        label if index % every == 0 else "" for index, label in enumerate(labels)
    ] or [""]
    chart.categoryAxis.labels.fontName = kit.FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45 if every > 1 or len(labels) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if chart.categoryAxis.labels.angle else "n"
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e4e7eb")
    chart.valueAxis.visibleGrid = True
    drawing.add(chart)
    return drawing


def per_token(label: str, amounts: dict[str, int]) -> list[list[Any]]:
    """One row per token (``Reste sur les cartes (GIFT)``), each in its unit; one row of
    zero euros when there is nothing."""
    if not amounts:
        return [[label, kit.amount(0)]]
    return [[f"{label} ({asset})", kit.amount(cents, asset)] for asset, cents in amounts.items()]


def _sales_table(title: str, rows: list[Any], key_label: str, total: int) -> list[Any]:
    data: list[list[Any]] = [[key_label, "Quantité", "Montant TTC", "Part"]]
    for row in rows:
        share = f"{row.amount * 100 / total:.1f} %".replace(".", ",") if total else ""
        data.append(
            [
                kit.para(row.key or "(sans catégorie)"),
                f"{row.quantity:,}".replace(",", " "),
                kit.money(row.amount),
                share,
            ]
        )
    data.append(["Total", "", kit.money(sum(row.amount for row in rows)), ""])
    widths = [kit.WIDTH * share for share in (0.46, 0.16, 0.22, 0.16)]
    return [kit.para(title, kit.HEADING), kit.table(data, widths, total=True)]


def report_pdf(report: EventReport, path: Path) -> Path:
    doc = kit.document(path, report.title, report.title)
    story: list[Any] = [kit.para(report.title, kit.TITLE)]
    if report.event:
        event = report.event
        story.append(
            kit.para(
                f"{event.client} · du {kit.day(event.starts_on)} au "
                f"{kit.day(event.ends_on)} · {event.place}"
            )
        )
    key_figures: list[list[Any]] = [
        ["Chiffre", "Valeur"],
        ["Ventes (nettes des annulations)", kit.money(report.sales_cents)],
        ["Nombre de ventes", f"{report.sales_count:,}".replace(",", " ")],
        ["Panier moyen", kit.money(report.average_basket_cents)],
        ["Cartes utilisées", f"{report.cards_used:,}".replace(",", " ")],
        ["Recharge médiane", kit.money(report.median_topup_cents)],
        *per_token("Reste sur les cartes", report.left_on_cards),
        ["Frais Stripe", kit.money(report.stripe_fees_cents)],
        ["Frais Stripe comptabilisés", kit.money(report.stripe_fees_booked_cents)],
        *per_token("Monnaie fondue", report.melted),
    ]
    story += [
        kit.para("Chiffres clés", kit.HEADING),
        kit.table(key_figures, [kit.WIDTH * 0.6, kit.WIDTH * 0.4]),
    ]
    hours = report.sales_by_hour
    story += [
        Spacer(1, 4 * mm),
        _chart(
            "Ventes par heure",
            [reports.short_hour(row.key) for row in hours],
            [row.amount for row in hours],
            every=max(len(hours) // 24, 1),
        ),
    ]
    methods: dict[str, int] = {}
    for method, asset, _count, amount in report.topups:
        if asset == "EUR":  # the chart's axis is in euros: the other tokens are in the table
            methods[METHODS.get(method, method)] = amount
    story += [
        Spacer(1, 6 * mm),
        _chart(
            "Recharges en euros (EUR) par moyen de paiement", list(methods), list(methods.values())
        ),
    ]
    story.append(PageBreak())
    total = report.sales_cents
    story += _sales_table("Ventes par point de vente", report.sales_by_pos, "Point de vente", total)
    story += _sales_table("Ventes par catégorie", report.sales_by_category, "Catégorie", total)
    story += _sales_table("Ventes par produit", report.sales_by_product, "Produit", total)
    vat: list[list[Any]] = [["Taux", "TTC", "HT", "TVA"]]
    for row in report.vat:
        vat.append(
            [
                kit.rate(row.rate_bp),
                kit.money(row.gross_cents),
                kit.money(row.excl_cents),
                kit.money(row.vat_cents),
            ]
        )
    vat.append(
        [
            "Total",
            kit.money(sum(r.gross_cents for r in report.vat)),
            kit.money(sum(r.excl_cents for r in report.vat)),
            kit.money(sum(r.vat_cents for r in report.vat)),
        ]
    )
    story.append(
        KeepTogether(
            [
                kit.para("Ventes par taux de TVA", kit.HEADING),
                kit.table(vat, [kit.WIDTH / 4] * 4, total=True),
            ]
        )
    )
    topups: list[list[Any]] = [["Moyen", "Actif", "Nombre", "Montant"]]
    for method, asset, count, amount in report.topups:
        topups.append([METHODS.get(method, method), asset, str(count), kit.amount(amount, asset)])
    assets = sorted({t[1] for t in report.topups})
    for asset in assets:  # one total per token, never mixed
        of_asset = [t for t in report.topups if t[1] == asset]
        topups.append(
            [
                "Total",
                asset,
                str(sum(t[2] for t in of_asset)),
                kit.amount(sum(t[3] for t in of_asset), asset),
            ]
        )
    story.append(
        KeepTogether(
            [
                kit.para("Recharges par moyen de paiement", kit.HEADING),
                kit.table(
                    topups,
                    [kit.WIDTH / 4] * 4,
                    numeric_from=2,
                    total=bool(report.topups),
                    total_rows=len(assets),
                ),
            ]
        )
    )
    refunds: list[list[Any]] = [["Moyen", "Nombre", "Montant"]]
    for method, count, amount in report.refunds:
        refunds.append([METHODS.get(method, method), str(count), kit.money(amount)])
    refunds.append(
        [
            "Total",
            str(sum(r[1] for r in report.refunds)),
            kit.money(sum(r[2] for r in report.refunds)),
        ]
    )
    story.append(
        KeepTogether(
            [
                kit.para("Remboursements", kit.HEADING),
                kit.table(refunds, [kit.WIDTH / 3] * 3, total=True),
            ]
        )
    )
    left_rows: list[list[Any]] = [["Actif", "Reste sur les cartes", "Fondu"]]
    for asset in sorted(set(report.left_on_cards) | set(report.melted)):
        left_rows.append(
            [
                asset,
                kit.amount(report.left_on_cards.get(asset, 0), asset),
                kit.amount(report.melted.get(asset, 0), asset),
            ]
        )
    story.append(
        KeepTogether(
            [kit.para("Soldes des cartes", kit.HEADING), kit.table(left_rows, [kit.WIDTH / 3] * 3)]
        )
    )
    closures: list[list[Any]] = [["Z n°", "Portée", "Clôturé le", "Ventes", "Grand total"]]
    for z in report.closures:
        scope = (
            "événement"
            if z.scope == "event" or z.scope.startswith("event:")
            else z.scope.removeprefix("pos:")
        )
        closures.append(
            [
                str(z.number),
                scope,
                format_moment(z.closed_at),
                kit.money(z.sales_cents),
                kit.money(z.grand_total_cents),
            ]
        )
    widths = [kit.WIDTH * share for share in (0.1, 0.3, 0.2, 0.2, 0.2)]
    story += [kit.para("Clôtures (Z)", kit.HEADING), kit.table(closures, widths, numeric_from=3)]
    kit.build(doc, story)
    return path

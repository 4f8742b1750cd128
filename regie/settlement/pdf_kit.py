"""What every settlement PDF shares: embedded fonts (€, accents), styles, money, tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from regie.ledger import labels

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path(__file__).parents[2] / "resources")
FONT, BOLD = "Helvetica", "Helvetica-Bold"


def _register() -> tuple[str, str]:
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("Regie", str(regular)))
            pdfmetrics.registerFont(TTFont("Regie-Bold", str(bold)))
            return "Regie", "Regie-Bold"
    return FONT, BOLD  # the standard fonts still print € and accents (WinAnsi)


FONT, BOLD = _register()
INK = colors.HexColor("#1f2933")
ACCENT = colors.HexColor("#2d6a4f")
LIGHT = colors.HexColor("#e9f5ee")

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5)
TITLE = ParagraphStyle(
    "title", parent=BODY, fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceAfter=4
)
HEADING = ParagraphStyle(
    "heading",
    parent=BODY,
    fontName=BOLD,
    fontSize=11,
    leading=14,
    textColor=ACCENT,
    spaceBefore=8,
    spaceAfter=4,
)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=TA_RIGHT)


def plain(text: str) -> str:
    """Ordinary spaces: Helvetica has no narrow no-break space, and pdftotext reads them."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def amount(cents: int, asset: str = "EUR") -> str:
    """An amount of a token with its unit: ``1 234,56 €`` for the euro, ``10,70 GIFT`` for
    any other (a gift token or a federated euro is not a euro of the festival)."""
    return plain(labels.amount(cents, asset))


def money(cents: int) -> str:
    """``1 234,56 €`` with ordinary spaces (pdftotext and every font show them)."""
    return amount(cents)


def rate(bp: int) -> str:
    whole, part = divmod(bp, 100)
    return f"{whole},{part:02d} %".replace(",00 %", " %")


def day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style)


def table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header: bool = True,
    numeric_from: int = 1,
    total: bool = False,
    total_rows: int = 1,
) -> Table:
    """A table with a coloured header row, numbers right-aligned, optional total rows at the
    bottom (``total_rows``: one per token when the amounts are in several)."""
    built = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style: list[Any] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd2d9")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [("FONT", (0, 0), (-1, 0), BOLD, 8.5), ("BACKGROUND", (0, 0), (-1, 0), LIGHT)]
    if total:
        style += [
            ("FONT", (0, -total_rows), (-1, -1), BOLD, 8.5),
            ("LINEABOVE", (0, -total_rows), (-1, -total_rows), 0.8, INK),
        ]
    built.setStyle(TableStyle(style))
    return built


def document(path: Path, title: str, footer: str) -> SimpleDocTemplate:
    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Régie",
        lang="fr-FR",
    )
    doc.on_page = on_page  # type: ignore[attr-defined]
    return doc


def build(doc: SimpleDocTemplate, story: list[Any]) -> None:
    page = doc.on_page  # type: ignore[attr-defined]
    try:
        doc.build(story, onFirstPage=page, onLaterPages=page)
    except OSError as error:
        from regie.errors import UserError

        raise UserError(f"{doc.filename} : écriture impossible ({error.strerror})") from error


WIDTH = A4[0] - 36 * mm

"""Asset-tag labels: a PDF for a common A4 sheet of 21 labels (3 × 7, 63.5 × 38.1 mm).

Each label carries a QR code of the tag (what the audit scanner reads), the tag in large
type, the model and the owner. The QR is drawn as vector squares: sharp at any printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import NotFound
from regie.i18n import _
from regie.inventory.catalogue import normalise_tag
from regie.inventory.models import Asset, AssetModel
from regie.models import Organisation


@dataclass(frozen=True, kw_only=True)
class LabelSheet:
    """The geometry of an A4 label sheet (defaults: the common 21-up, L7160 type)."""

    columns: int = 3
    rows: int = 7
    width: float = 63.5 * mm
    height: float = 38.1 * mm
    left: float = 7.2 * mm
    top: float = 15.15 * mm
    pitch_x: float = 66.0 * mm
    pitch_y: float = 38.1 * mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class Label:
    tag: str
    model: str
    owner: str


def labels_for(session: Session, tags: list[str] | None = None) -> list[Label]:
    """Labels for these tags (all assets when None), in tag order; unknown tags refused."""
    query = (
        select(Asset.tag, AssetModel.name, Organisation.short_name)
        .join(AssetModel, Asset.model_id == AssetModel.id)
        .join(Organisation, Asset.owner_id == Organisation.id)
        .order_by(Asset.tag)
    )
    if tags:
        wanted = [normalise_tag(tag) for tag in tags]
        query = query.where(Asset.tag.in_(wanted))
        found = [Label(*row) for row in session.execute(query)]
        unknown = sorted(set(wanted) - {label.tag for label in found})
        if unknown:
            raise NotFound(_("étiquettes inconnues : ") + ", ".join(unknown))
        return found
    return [Label(*row) for row in session.execute(query)]


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR as one rectangle per run of dark modules (no seams between squares)."""
    qr = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    border = 4  # the quiet zone the QR standard asks for
    module = size / (len(matrix) + 2 * border)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + border + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            left = x + (start + border) * module
            canvas.rect(left, top, (column - start) * module, module * 1.02, stroke=0, fill=1)


def write_labels(labels: list[Label], path: Path, sheet: LabelSheet | None = None) -> int:
    """Write the PDF; returns the number of pages."""
    sheet = sheet or LabelSheet()
    _page_width, page_height = A4
    temporary = path.with_name(path.name + ".partiel")
    canvas = Canvas(str(temporary), pagesize=A4)
    canvas.setTitle(_("Étiquettes de matériel — Régie"))
    pages = 0
    for index, label in enumerate(labels):
        slot = index % sheet.per_page
        if slot == 0:
            if index:
                canvas.showPage()
            pages += 1
        column, row = slot % sheet.columns, slot // sheet.columns
        x = sheet.left + column * sheet.pitch_x
        y = page_height - sheet.top - (row + 1) * sheet.pitch_y
        qr_size = sheet.height - 2 * mm
        _draw_qr(canvas, label.tag, x, y + 1 * mm, qr_size)
        text_x = x + qr_size + 1 * mm
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(text_x, y + sheet.height - 12 * mm, label.tag)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(text_x, y + sheet.height - 18 * mm, label.model[:22])
        canvas.drawString(
            text_x,
            y + sheet.height - 23 * mm,
            _("Propriété {owner}").format(owner=label.owner)[:24],
        )
    if not labels:
        raise NotFound(_("aucun matériel à étiqueter"))
    canvas.save()
    temporary.replace(path)
    return pages

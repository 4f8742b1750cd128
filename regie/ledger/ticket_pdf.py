"""X and Z tickets as PDFs: a roll of an 80 mm thermal printer (72 mm printed, as long as the
ticket) or an A4 sheet for the binder. The same lines on both, drawn with reportlab's canvas.

The lines are words first (:func:`ticket_lines`), then drawn (:func:`write_ticket`): a label
on the left, its amount on the right, headings and rules between the sections. The standard
Helvetica prints € and French accents on every printer driver; no font file is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from regie.errors import UserError
from regie.i18n import _, format_datetime
from regie.ledger.labels import amount, method_label, op_label, period_label, scope_label, vat_rate
from regie.ledger.tickets import BAD_SIGNATURE, SIGNED, Ticket

FONT, BOLD = "Helvetica", "Helvetica-Bold"
PAPERS = ("80mm", "a4")


@dataclass(frozen=True, kw_only=True)
class Line:
    kind: str  # title, centre, heading, token (a token's name), row, small, gap
    text: str = ""
    value: str = ""


@dataclass(frozen=True, kw_only=True)
class Paper:
    width: float
    margin: float
    size: float  # the body's font size, in points
    page_height: float | None = None  # None: a roll, as long as the ticket


ROLL = Paper(width=80 * mm, margin=4 * mm, size=8)  # 72 mm printed
SHEET = Paper(width=A4[0], margin=20 * mm, size=10, page_height=A4[1])


def plain(text: str) -> str:
    """Ordinary spaces: Helvetica has no narrow no-break space, and pdftotext reads them."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def short_head(head: str) -> str:
    """``1a2b 3c4d 5e6f 7a8b``: the chain head's first 16 digits, to compare by eye."""
    return " ".join(head[i : i + 4] for i in range(0, 16, 4))


def ticket_lines(ticket: Ticket) -> list[Line]:
    """Every line of the ticket, in the current language."""
    if ticket.kind == "Z":
        title = _("TICKET Z n°{number}").format(number=ticket.number)
        when = _("Clôturé le {moment}").format(moment=format_datetime(ticket.moment))
    else:
        title, when = (
            _("LECTURE X"),
            _("Lu le {moment}").format(moment=format_datetime(ticket.moment)),
        )
    figures = ticket.figures
    span = (
        _("Transferts n°{first} à n°{last}").format(
            first=figures.first_transfer_id, last=figures.last_transfer_id
        )
        if figures.last_transfer_id >= figures.first_transfer_id
        else _("Aucun transfert depuis le dernier Z")
    )
    lines = [Line(kind="title", text=title)]
    if ticket.organisation:
        lines.append(Line(kind="centre", text=ticket.organisation))
    lines.append(Line(kind="centre", text=scope_label(ticket.scope)))
    if ticket.period:
        lines.append(Line(kind="centre", text=period_label(ticket.period)))
    lines += [Line(kind="centre", text=when), Line(kind="centre", text=span)]
    lines += _per_token(ticket) + _per_pos(ticket) + _per_payment(ticket) + _vat(ticket)
    lines += _cash(ticket)
    if ticket.kind == "Z":
        lines += _seal(ticket)
    else:
        lines += [Line(kind="gap"), Line(kind="centre", text=_("Lecture X : rien n'est clos."))]
    return [Line(kind=line.kind, text=plain(line.text), value=plain(line.value)) for line in lines]


def _per_token(ticket: Ticket) -> list[Line]:
    lines = [Line(kind="heading", text=_("Totaux par jeton"))]
    net = ticket.net_sales()
    for asset, ops in ticket.per_token().items():
        name = ticket.tokens.get(asset, asset)
        lines.append(Line(kind="token", text=f"{name} ({asset})"))
        for op, cents in ops.items():
            lines.append(Line(kind="row", text=op_label(op), value=amount(cents, asset)))
        if asset in net:
            lines.append(Line(kind="row", text=_("Ventes nettes"), value=amount(net[asset], asset)))
    if len(lines) == 1:
        lines.append(Line(kind="row", text=_("Aucune opération")))
    return lines


def _per_pos(ticket: Ticket) -> list[Line]:
    if not ticket.by_pos:
        return []
    lines = [Line(kind="heading", text=_("Ventes nettes par point de vente"))]
    for row in ticket.by_pos:
        name = row.pos or _("(sans point de vente)")
        lines.append(Line(kind="row", text=name, value=amount(row.cents, row.asset)))
    return lines


def _per_payment(ticket: Ticket) -> list[Line]:
    payments = ticket.payments()
    if not payments:
        return []
    lines = [Line(kind="heading", text=_("Par moyen de paiement"))]
    for row in payments:
        label = _("{op} · {method} ({count} op.)").format(
            op=op_label(row.op), method=method_label(row.method), count=row.count
        )
        lines.append(Line(kind="row", text=label, value=amount(row.cents, row.asset)))
    return lines


def _vat(ticket: Ticket) -> list[Line]:
    rates = sorted(ticket.figures.vat.items(), key=lambda item: int(item[0]))
    if not rates:
        return []
    lines = [Line(kind="heading", text=_("Ventes TTC par taux de TVA"))]
    for rate, cents in rates:
        lines.append(
            Line(
                kind="row",
                text=_("TVA {rate}").format(rate=vat_rate(int(rate))),
                value=amount(cents),
            )
        )
    return lines


def _cash(ticket: Ticket) -> list[Line]:
    if not ticket.counts_cash:
        return []
    figures = ticket.figures
    rows = [
        (_("Fond de caisse"), amount(ticket.cash_float)),
        (_("Espèces entrées"), amount(figures.cash_in)),
        (_("Espèces sorties"), amount(figures.cash_out)),
        (_("Attendu dans le tiroir"), amount(ticket.cash_expected)),
    ]
    if ticket.cash_counted is not None:
        rows.append((_("Compté"), amount(ticket.cash_counted)))
        rows.append((_("Écart"), amount(ticket.cash_difference or 0)))
    elif ticket.kind == "Z":
        rows.append((_("Compté"), _("non compté")))
    return [Line(kind="heading", text=_("Caisse"))] + [
        Line(kind="row", text=label, value=value) for label, value in rows
    ]


def _seal(ticket: Ticket) -> list[Line]:
    if ticket.signature == SIGNED:
        signed = _("valide (clé {key})").format(key=ticket.key)
    elif ticket.signature == BAD_SIGNATURE:
        signed = _("NON VALIDE : ce Z a été modifié (clé {key})").format(key=ticket.key)
    else:
        signed = _("aucune (Z fait avant la signature des Z)")
    head = ticket.chain_head
    return [
        Line(kind="heading", text=_("Total cumulé et scellement")),
        *(
            Line(
                kind="row",
                text=_("Ventes cumulées ({token})").format(token=token),
                value=amount(cents, token),
            )
            for token, cents in ticket.running.items()
        ),
        Line(kind="row", text=_("Empreinte du journal"), value=short_head(head)),
        Line(kind="small", text=_("Tête de chaîne complète :")),
        Line(kind="small", text=head[:32]),
        Line(kind="small", text=head[32:]),
        Line(kind="row", text=_("Signature : {state}").format(state=signed)),
    ]


@dataclass(frozen=True, kw_only=True)
class Block:
    """A line laid out: its font, its wrapped texts, its height on the paper."""

    line: Line
    font: str
    size: float
    texts: list[str]
    height: float


def _layout(line: Line, paper: Paper) -> Block:
    size, width = paper.size, paper.width - 2 * paper.margin
    font = BOLD if line.kind in ("title", "heading", "token") else FONT
    size = {"title": size * 1.4, "heading": size * 1.05, "small": size * 0.75}.get(line.kind, size)
    leading = size * 1.3
    if line.kind == "gap":
        return Block(line=line, font=font, size=size, texts=[], height=leading * 0.6)
    room = width
    if line.value:
        room = max(width - stringWidth(line.value, font, size) - 4, width * 0.4)
    texts = simpleSplit(line.text, font, size, room) or [""]
    extra = size * 0.8 if line.kind == "heading" else 0.0  # room for the rule above
    return Block(line=line, font=font, size=size, texts=texts, height=len(texts) * leading + extra)


def _draw(canvas: Canvas, block: Block, paper: Paper, top: float) -> None:
    left, right = paper.margin, paper.width - paper.margin
    leading = block.size * 1.3
    y = top - block.size
    if block.line.kind == "heading":
        y -= block.size * 0.8
        canvas.setLineWidth(0.5)
        canvas.line(left, top - block.size * 0.4, right, top - block.size * 0.4)
    canvas.setFont(block.font, block.size)
    for index, text in enumerate(block.texts):
        if block.line.kind in ("title", "centre"):
            canvas.drawCentredString(paper.width / 2, y, text)
        else:
            canvas.drawString(left, y, text)
        if index == 0 and block.line.value:
            canvas.drawRightString(right, y, block.line.value)
        y -= leading


def write_ticket(ticket: Ticket, path: Path, paper: str = "80mm") -> Path:
    """The ticket as a PDF at ``path``: ``80mm`` (a thermal roll) or ``a4``."""
    if paper not in PAPERS:
        raise UserError(
            _("papier inconnu « {paper} » ({known})").format(paper=paper, known=", ".join(PAPERS))
        )
    chosen = ROLL if paper == "80mm" else SHEET
    blocks = [_layout(line, chosen) for line in ticket_lines(ticket)]
    height = chosen.page_height or sum(b.height for b in blocks) + 2 * chosen.margin
    title = blocks[0].texts[0]
    try:
        canvas = Canvas(str(path), pagesize=(chosen.width, height))
        canvas.setTitle(title)
        canvas.setAuthor("Régie")
        top = height - chosen.margin
        for block in blocks:
            if top - block.height < chosen.margin:  # a sheet is full (a roll never is)
                canvas.showPage()
                top = height - chosen.margin
            _draw(canvas, block, chosen, top)
            top -= block.height
        canvas.save()
    except OSError as error:
        raise UserError(
            _("{file} : écriture impossible ({reason})").format(file=path, reason=error.strerror)
        ) from error
    return path

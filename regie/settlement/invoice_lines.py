"""An invoice's lines as typed: ``"Régie cashless;1;9000;20"`` (label; quantity; unit price
excl. VAT; VAT %[; kind]), their totals and the VAT per rate (computed on the sum of its lines).
"""

from __future__ import annotations

from dataclasses import dataclass

from regie.errors import UserError
from regie.i18n import _
from regie.money import MoneyFormatError, parse_cents

LINE_KINDS = ("service", "cachet", "cost")


def percent(base: int, bp: int) -> int:
    return (base * bp + 5000) // 10000


@dataclass(frozen=True)
class LineInput:
    label: str
    quantity_milli: int
    unit_cents: int  # excl. VAT
    vat_bp: int
    kind: str = "service"

    @property
    def total_cents(self) -> int:
        return (self.quantity_milli * self.unit_cents + 500) // 1000


def parse_line(text: str) -> LineInput:
    """``"Régie cashless;1;9000;20"`` (label; quantity; unit price excl. VAT; VAT %[; kind])."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (4, 5) or not parts[0]:
        raise UserError(
            _("ligne « {text} » : attendu « libellé;quantité;prix HT;TVA %[;nature] »").format(
                text=text
            )
        )
    label, quantity, unit, vat = parts[:4]
    kind = parts[4] if len(parts) == 5 else "service"
    if kind not in LINE_KINDS:
        raise UserError(
            _("ligne « {label} », champ nature : « {kind} » ({LINE_KINDS})").format(
                label=label, kind=kind, LINE_KINDS=", ".join(LINE_KINDS)
            )
        )
    values = []
    for field, raw in (("quantité", quantity), ("prix HT", unit), ("TVA", vat.removesuffix("%"))):
        try:
            values.append(parse_cents(raw))
        except MoneyFormatError as error:
            raise UserError(
                _("ligne « {label} », champ {field} : {error}").format(
                    label=label, field=field, error=error
                )
            ) from None
    if values[0] <= 0:
        raise UserError(_("ligne « {label} », champ quantité : doit être > 0").format(label=label))
    return LineInput(
        label=label,
        quantity_milli=values[0] * 10,
        unit_cents=values[1],
        vat_bp=values[2],
        kind=kind,
    )


def vat_breakdown(lines: tuple[LineInput, ...] | list[LineInput]) -> list[tuple[int, int, int]]:
    bases: dict[int, int] = {}
    for line in lines:
        bases[line.vat_bp] = bases.get(line.vat_bp, 0) + line.total_cents
    return [(rate, base, percent(base, rate)) for rate, base in sorted(bases.items())]

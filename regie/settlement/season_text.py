"""The season in words, shared by ``regie season`` and the « Saison » screen: the totals of the
year, the status and scheme of a prestation as the office reads them, and the command's three
outputs (a French table, a CSV with a header, JSON with every figure in cents)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from regie.i18n import N_, _, format_date, format_money
from regie.money import cents_to_decimal_text
from regie.settlement.season import Season, SeasonLine
from regie.settlement.soticket import SoticketStructure

STATUS_LABELS = {
    "draft": N_("brouillon"),
    "recorded": N_("retenu v{version}"),
    "changed": N_("modifié depuis v{version}"),
}
KIND_LABELS = {"external": N_("externe"), "own": N_("propre")}
SCHEME_WORDS = {"convention": N_("convention"), "flat": N_("forfait"), "soticket": N_("SoTicket")}
CSV_HEADER = (
    "prestation",
    "type",
    "regime",
    "debut",
    "fin",
    "base",
    "part",
    "cachet",
    "frais",
    "monnaie_fondante_reversee",
    "total",
    "recupere",
    "reste_a_amortir",
    "phase",
    "statut",
    "version",
)


@dataclass(frozen=True, kw_only=True)
class SeasonTotals:
    base_cents: int
    share_cents: int
    cachet_cents: int
    costs_cents: int
    melting_payback_cents: int
    total_cents: int
    recovered_cents: int | None  # after the year's last prestation; None: no prestation
    left_cents: int | None


def totals(season: Season) -> SeasonTotals:
    """The year's sums; where amortisation stands is the last prestation's."""
    lines, last = season.lines, (season.lines[-1] if season.lines else None)
    return SeasonTotals(
        base_cents=sum(line.base_cents for line in lines),
        share_cents=sum(line.share_cents for line in lines),
        cachet_cents=sum(line.cachet_cents for line in lines),
        costs_cents=sum(line.costs_cents for line in lines),
        melting_payback_cents=sum(line.melting_payback_cents for line in lines),
        total_cents=sum(line.total_cents for line in lines),
        recovered_cents=last.recovered_to_date_cents if last else None,
        left_cents=last.left_to_amortise_cents if last else None,
    )


def status_text(line: SeasonLine) -> str:
    """``brouillon``, ``retenu v2``, ``modifié depuis v1`` (recorded, then an earlier one
    changed its figures: a correction is due)."""
    return _(STATUS_LABELS.get(line.status, line.status)).format(version=line.version)


def scheme_text(line: SeasonLine) -> str:
    """``convention, externe``: the scheme and the kind of prestation."""
    scheme = _(SCHEME_WORDS.get(line.scheme, line.scheme))
    return _("{scheme}, {kind}").format(scheme=scheme, kind=_(KIND_LABELS.get(line.kind, "")))


def payback_text(cents: int) -> str:
    """What the cooperative pays back, shown as the deduction it is (``−12,00 €``)."""
    return format_money(-cents) if cents else format_money(0)


def adjustment_text(structure: SoticketStructure) -> str:
    """``+125,00 € (plancher)``, ``−300,00 € (plafond)`` or ``—``."""
    cents = structure.adjustment_cents
    if cents > 0:
        return _("+{amount} (plancher)").format(amount=format_money(cents))
    if cents < 0:
        return _("{amount} (plafond)").format(amount=format_money(cents))
    return "—"


def maybe_money(cents: int | None) -> str:
    return "—" if cents is None else format_money(cents)


# -- regie season: the table -------------------------------------------------------------------
def _aligned(rows: Sequence[Sequence[str]], left: set[int]) -> list[str]:
    """Columns padded to their widest cell: words (``left``) to the left, figures right."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(widths[n]) if n in left else cell.rjust(widths[n])
            for n, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _line_cells(line: SeasonLine) -> list[str]:
    return [
        format_date(line.ends_on, "short"),
        line.name,
        scheme_text(line),
        format_money(line.base_cents),
        format_money(line.share_cents),
        format_money(line.cachet_cents),
        format_money(line.costs_cents),
        payback_text(line.melting_payback_cents),
        format_money(line.total_cents),
        format_money(line.recovered_to_date_cents),
        format_money(line.left_to_amortise_cents),
        _(line.phase),
        status_text(line),
    ]


def _totals_cells(season: Season) -> list[str]:
    found = totals(season)
    return [
        "",
        _("Total {year}").format(year=season.year),
        "",
        format_money(found.base_cents),
        format_money(found.share_cents),
        format_money(found.cachet_cents),
        format_money(found.costs_cents),
        payback_text(found.melting_payback_cents),
        format_money(found.total_cents),
        maybe_money(found.recovered_cents),
        maybe_money(found.left_cents),
        "",
        "",
    ]


def season_table(season: Season, structures: Sequence[SoticketStructure]) -> str:
    """The year as the office reads it: prestations in order, the total, SoTicket's fees."""
    out = [
        _("Saison {year} : à amortir {invested} (matériel et frais associés)").format(
            year=season.year, invested=format_money(season.invested_cents)
        )
    ]
    if season.lines:
        header = [
            _("Fin"),
            _("Prestation"),
            _("Régime"),
            _("Base"),
            _("Part"),
            _("Cachet"),
            _("Frais"),
            _("Fondante reversée"),
            _("Total dû"),
            _("Récupéré"),
            _("Reste à amortir"),
            _("Phase"),
            _("Statut"),
        ]
        cells = [header, *(_line_cells(line) for line in season.lines), _totals_cells(season)]
        out += _aligned(cells, left={0, 1, 2, 11, 12})
    else:
        out.append(_("Aucune prestation cette année."))
    if structures:
        out += ["", _("SoTicket, redevance par structure :")]
        header = [
            _("Structure"),
            _("Prestations"),
            _("Cumul"),
            _("Ajustement"),
            _("Redevance"),
            _("Plancher"),
            _("Plafond"),
        ]
        out += _aligned([header, *(_structure_cells(s) for s in structures)], left={0})
    return "\n".join(out)


def _structure_cells(structure: SoticketStructure) -> list[str]:
    return [
        structure.structure,
        str(len(structure.events)),
        format_money(structure.accrued_cents),
        adjustment_text(structure),
        format_money(structure.fee_cents),
        format_money(structure.floor_cents),
        format_money(structure.cap_cents),
    ]


# -- regie season --csv / --json -----------------------------------------------------------------
def season_csv(season: Season) -> str:
    """One row per prestation, amounts in euros with a dot (``1234.56``), codes not words."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    money = cents_to_decimal_text
    for line in season.lines:
        writer.writerow(
            [
                line.name,
                line.kind,
                line.scheme,
                line.starts_on.isoformat(),
                line.ends_on.isoformat(),
                money(line.base_cents),
                money(line.share_cents),
                money(line.cachet_cents),
                money(line.costs_cents),
                money(line.melting_payback_cents),
                money(line.total_cents),
                money(line.recovered_to_date_cents),
                money(line.left_to_amortise_cents),
                line.phase,
                line.status,
                line.version,
            ]
        )
    return buffer.getvalue()


def season_figures(season: Season, structures: Sequence[SoticketStructure]) -> dict[str, Any]:
    """Every figure in cents, dates ISO: what other tools and tests read."""
    return {
        "year": season.year,
        "invested_cents": season.invested_cents,
        "lines": [
            {
                **asdict(line),
                "starts_on": line.starts_on.isoformat(),
                "ends_on": line.ends_on.isoformat(),
            }
            for line in season.lines
        ],
        "totals": asdict(totals(season)),
        "curve": [
            {"date": day.isoformat(), "recovered_cents": cents} for day, cents in season.curve
        ],
        "structures": [
            {
                **asdict(s),
                "events": [
                    {"prestation": name, "base_cents": base, "accrual_cents": accrual}
                    for name, base, accrual in s.events
                ],
            }
            for s in structures
        ],
    }


def season_json(season: Season, structures: Sequence[SoticketStructure]) -> str:
    return json.dumps(season_figures(season, structures), ensure_ascii=False, indent=2)

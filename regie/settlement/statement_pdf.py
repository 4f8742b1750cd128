"""The settlement statement of a prestation: every input, the formula, the phase, the result,
its version and, for a correction, the difference with the version before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from regie.settings.convention import BY_NAME, Settings
from regie.settlement import pdf_kit as kit
from regie.settlement.convention import Statement
from regie.settlement.counts import french_count
from regie.settlement.statement import FIGURE_LABELS, Term

# How the PDF writes each kind of value of the formula: amounts with their thousands grouped.
PRINTED: dict[str, Callable[[int], str]] = {
    "bp": kit.rate,
    "cents": kit.money,
    "n": str,
    "word": str,
}

SCHEME_NAMES = {
    "convention": "convention CCC / Mamasound",
    "flat": "forfait simple",
    "soticket": "barème SoTicket",
}
KIND_NAMES = {"external": "prestation extérieure", "own": "événement propre du partenaire"}


def version_text(statement: Statement) -> str:
    if statement.version:
        replaced = (
            f" (remplace la version {statement.previous_version})"
            if statement.previous_version
            else ""
        )
        return f"Version {statement.version} enregistrée{replaced}"
    if statement.previous_version:
        return (
            f"Projet : diffère de la version {statement.previous_version} enregistrée, "
            "à enregistrer à nouveau"
        )
    return "Projet : pas encore enregistré"


def shown(name: str, cents: int) -> str:
    return kit.rate(cents) if name.endswith("_bp") else kit.money(cents)


def term_line(term: Term) -> str:
    """A line of the formula in French, as recorded, its amounts as the PDF prints them."""
    return term.text(show=PRINTED, translate=str)


def settings_rows(values: Settings) -> list[list[Any]]:
    """The rates and amounts applied, named as the Réglages screen names them."""
    rows: list[list[Any]] = [["Réglage", "Valeur"]]
    for option in BY_NAME.values():
        if option.kind in ("bp", "cents") and option.name in values.values:
            value = int(values.values[option.name])
            label = option.label[:1].upper() + option.label[1:]
            rows.append([kit.para(label, kit.SMALL), PRINTED[option.kind](value)])
    return rows


def statement_pdf(statement: Statement, path: Path) -> Path:
    event = statement.event
    title = f"Règlement — {event.name}"
    doc = kit.document(path, title, f"{title} ({SCHEME_NAMES[statement.scheme]})")
    values = statement.settings
    story: list[Any] = [
        kit.para(title, kit.TITLE),
        kit.para(
            f"Client : {event.client} · du {kit.day(event.starts_on)} au "
            f"{kit.day(event.ends_on)} ({french_count(event.days, 'jour', 'jours')}) · "
            f"{event.place} · {KIND_NAMES.get(statement.kind, statement.kind)}"
        ),
        kit.para(
            f"Schéma : {SCHEME_NAMES[statement.scheme]} · réglages en vigueur le "
            f"{kit.day(values.day)}"
        ),
        kit.para(version_text(statement)),
    ]
    changes = statement.differences()
    if changes and statement.previous_version:
        story.append(
            kit.para(f"Différences avec la version {statement.previous_version}", kit.HEADING)
        )
        compared: list[list[Any]] = [
            ["Chiffre", f"Version {statement.previous_version}", "Maintenant"]
        ]
        for name, (before, now) in changes.items():
            label = FIGURE_LABELS.get(name, name)
            compared.append([label[:1].upper() + label[1:], shown(name, before), shown(name, now)])
        story.append(kit.table(compared, [kit.WIDTH * 0.5, kit.WIDTH * 0.25, kit.WIDTH * 0.25]))
    story.append(kit.para("Entrées", kit.HEADING))
    inputs: list[list[Any]] = [
        ["Entrée", "Valeur"],
        [
            kit.para(
                "Chiffre d'affaires HT hors cachet "
                f"({statement.turnover_source or 'aucune facture'})"
            ),
            kit.money(statement.base_cents),
        ],
        [
            "Matériel de la coopérative (inventaire, au coût)",
            kit.money(statement.invested_equipment_cents),
        ],
        ["Hébergement du serveur à amortir", kit.money(statement.invested_hosting_cents)],
        ["Frais bancaires à amortir", kit.money(statement.invested_bank_fees_cents)],
        ["Montant à amortir", kit.money(statement.invested_cents)],
        [
            "Déjà récupéré par les prestations précédentes",
            kit.money(statement.recovered_before_cents),
        ],
        ["Reste à amortir avant cette prestation", kit.money(statement.remaining_before_cents)],
        [
            "Amortissement comptable du matériel (information)",
            kit.money(statement.book_amortised_cents),
        ],
    ]
    if statement.scheme == "convention":
        inputs += [
            ["Jours de cachet", str(statement.cachet_days)],
            ["Euros fondus pendant la période de la prestation", kit.money(statement.melted_cents)],
        ]
    story.append(kit.table(inputs, [kit.WIDTH * 0.72, kit.WIDTH * 0.28]))
    story += [kit.para("Formule", kit.HEADING), kit.para(f"Phase : {statement.phase}")]
    story += [kit.para(f"• {term_line(term)}") for term in statement.formula]
    story.append(kit.para("Résultat", kit.HEADING))
    share_label = f"Part : {kit.money(statement.base_cents)} × {kit.rate(statement.rate_bp)}"
    if statement.post_rate_bp:
        share_label = (
            f"Part : {kit.money(statement.amortised_base_cents)} × {kit.rate(statement.rate_bp)}"
            f" + le reste × {kit.rate(statement.post_rate_bp)}"
        )
    rows: list[list[Any]] = [
        ["Poste", "Montant"],
        [share_label, kit.money(statement.raw_share_cents)],
    ]
    if statement.clamp:
        rows.append(
            [f"Part retenue (bornée au {statement.clamp})", kit.money(statement.share_cents)]
        )
    if statement.scheme == "convention":
        if statement.kind != "own":
            rows.append(
                [
                    f"Cachet : {french_count(statement.cachet_days, 'jour', 'jours')} × "
                    f"{kit.money(int(values.values['cachet_day_rate_cents']))}",
                    kit.money(statement.cachet_cents),
                ]
            )
        rows += [
            [
                kit.para(f"Frais partagés : {line.label} {line.detail}".strip()),
                kit.money(line.cents),
            ]
            for line in statement.costs
        ]
        payback = kit.rate(statement.melting_payback_bp)
        rows.append(
            [
                f"Monnaie fondante reversée par la coopérative ({payback} de "
                f"{kit.money(statement.melted_cents)}), à déduire",
                "− " + kit.money(statement.melting_payback_cents),
            ]
        )
    if statement.total_cents >= 0:
        rows.append(["Total dû à la coopérative", kit.money(statement.total_cents)])
    else:  # the melting payback is larger than what the prestation owes
        partner = statement.settings.text("partner")
        rows.append([f"Total dû par la coopérative à {partner}", kit.money(-statement.total_cents)])
    story.append(kit.table(rows, [kit.WIDTH * 0.72, kit.WIDTH * 0.28], total=True))
    story.append(Spacer(1, 4 * mm))
    after = statement.recovered_before_cents + statement.recovery_cents
    story.append(
        kit.para(
            f"Compté dans l'amortissement : {kit.money(statement.recovery_cents)} · récupéré après "
            f"cette prestation : {kit.money(after)} · reste à amortir : "
            f"{kit.money(statement.remaining_after_cents)}"
        )
    )
    if statement.redistribution_cents:
        story.append(
            kit.para(f"Dont redistribution locale : {kit.money(statement.redistribution_cents)}")
        )
    story.append(Spacer(1, 4 * mm))
    settings = kit.table(settings_rows(values), [kit.WIDTH * 0.78, kit.WIDTH * 0.22])
    story.append(KeepTogether([kit.para("Réglages appliqués", kit.HEADING), settings]))
    kit.build(doc, story)
    return path

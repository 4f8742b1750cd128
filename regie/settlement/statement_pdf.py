"""The settlement statement of a prestation: every input, the formula, the phase, the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from regie.settlement import pdf_kit as kit
from regie.settlement.convention import Statement
from regie.settlement.counts import french_count

SCHEME_NAMES = {
    "convention": "convention CCC / Mamasound",
    "flat": "forfait simple",
    "soticket": "barème SoTicket",
}


def statement_pdf(statement: Statement, path: Path) -> Path:
    event = statement.event
    title = f"Règlement — {event.name}"
    doc = kit.document(path, title, f"{title} ({SCHEME_NAMES[statement.scheme]})")
    values = statement.settings
    story: list[Any] = [
        kit.para(title, kit.TITLE),
        kit.para(f"Client : {event.client} · du {kit.day(event.starts_on)} au "
                 f"{kit.day(event.ends_on)} ({french_count(event.days, 'jour', 'jours')}) · "
                 f"{event.place}"),
        kit.para(f"Schéma : {SCHEME_NAMES[statement.scheme]} · réglages en vigueur le "
                 f"{kit.day(values.day)}"),
        kit.para("Entrées", kit.HEADING),
    ]  # fmt: skip
    inputs: list[list[Any]] = [
        ["Entrée", "Valeur"],
        [kit.para(f"Chiffre d'affaires HT hors cachet ({statement.turnover_source})"),
         kit.money(statement.base_cents)],
        ["Investissement de la coopérative", kit.money(statement.invested_cents)],
        ["Déjà récupéré par les règlements précédents",
         kit.money(statement.recovered_before_cents)],
        ["Reste à amortir avant cette prestation", kit.money(statement.remaining_before_cents)],
        ["Amortissement comptable du matériel (information)",
         kit.money(statement.book_amortised_cents)],
    ]  # fmt: skip
    if statement.scheme == "convention":
        inputs += [
            ["Jours de cachet", str(statement.cachet_days)],
            ["Monnaie fondante (soldes fondus)", kit.money(statement.melted_cents)],
        ]
    story.append(kit.table(inputs, [kit.WIDTH * 0.72, kit.WIDTH * 0.28]))
    story += [kit.para("Formule", kit.HEADING), kit.para(f"Phase : {statement.phase}")]
    story += [kit.para(f"• {line}") for line in statement.formula]
    story.append(kit.para("Résultat", kit.HEADING))
    share_label = f"Part : {kit.money(statement.base_cents)} × {kit.rate(statement.rate_bp)}"
    rows: list[list[Any]] = [
        ["Poste", "Montant"],
        [share_label, kit.money(statement.raw_share_cents)],
    ]
    if statement.clamp:
        rows.append([f"Part retenue (bornée au {statement.clamp})",
                     kit.money(statement.share_cents)])  # fmt: skip
    if statement.scheme == "convention":
        rows.append([f"Cachet : {french_count(statement.cachet_days, 'jour', 'jours')} × "
                     f"{values.describe('cachet_day_rate_cents')}",
                     kit.money(statement.cachet_cents)])  # fmt: skip
        rows += [[f"Frais partagés : {line.label}", kit.money(line.cents)]
                 for line in statement.costs]  # fmt: skip
        rows.append(["Part de la monnaie fondante", kit.money(statement.melting_share_cents)])
    rows.append(["Total dû à la coopérative", kit.money(statement.total_cents)])
    story.append(kit.table(rows, [kit.WIDTH * 0.72, kit.WIDTH * 0.28], total=True))
    story.append(Spacer(1, 4 * mm))
    story.append(kit.para(
        f"Compté dans l'amortissement : {kit.money(statement.recovery_cents)} · reste à amortir "
        f"après cette prestation : {kit.money(statement.remaining_after_cents)}"
    ))  # fmt: skip
    if statement.redistribution_cents:
        story.append(kit.para(f"Dont redistribution locale : "
                              f"{kit.money(statement.redistribution_cents)}"))  # fmt: skip
    story.append(Spacer(1, 4 * mm))
    story.append(kit.para("Réglages appliqués", kit.HEADING))
    story.append(kit.para(" · ".join(
        f"{name} = {values.describe(name)}" for name in sorted(values.values)
        if name.endswith(("_bp", "_cents"))
    ), kit.SMALL))  # fmt: skip
    kit.build(doc, story)
    return path

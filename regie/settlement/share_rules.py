"""The convention's rules for one prestation: its share (prorated when it crosses the
amortisation line, clamped after), its cachet (external prestations only), its shared costs
and incidents, and the melting currency the cooperative pays back.

Rounding: every percentage is in cents, half up (:func:`percent`). At the crossing, the part
of the base taken at the amortisation rate is ``remaining × 10 000 / rate`` in cents, half up
(:func:`base_at_rate`); the rest of the base goes at the post-amortisation rate; the
per-prestation minimum and maximum apply to the sum, after.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from regie.i18n import N_
from regie.settings.convention import Settings
from regie.settlement.shared_costs import (
    INCIDENT_LABEL,
    Period,
    equipment_lent,
    incidents_charged,
    melted_money,
)
from regie.settlement.statement import (
    AMORTISATION,
    MAXIMUM,
    MINIMUM,
    Inputs,
    Line,
    Statement,
    Term,
    base_at_rate,
    percent,
)


def share(statement: Statement, values: Settings, amortising: bool, shares: bool) -> None:
    """The convention's share, prorated when the prestation crosses the amortisation line."""
    if not shares:
        statement.formula.append(
            Term(N_("événement propre du partenaire : pas de part (réglage own_event_share)"))
        )
        return
    base, remaining = statement.base_cents, statement.remaining_before_cents
    rate, post = values.cents("amortisation_rate_bp"), values.cents("post_amortisation_rate_bp")
    if not amortising:
        rate = post
    statement.rate_bp = rate
    statement.raw_share_cents = percent(base, rate)
    if amortising and rate and statement.raw_share_cents > remaining:
        statement.post_rate_bp = post
        statement.amortised_base_cents = min(base_at_rate(remaining, rate), base)
        rest = base - statement.amortised_base_cents
        statement.raw_share_cents = remaining + percent(rest, post)
        statement.formula.append(
            Term(
                N_(
                    "bascule : {remaining} restant à {rate} (sur {part} de la base), puis le "
                    "reste de la base, {rest}, à {post}"
                ),
                (
                    ("remaining", "cents", remaining),
                    ("rate", "bp", rate),
                    ("part", "cents", statement.amortised_base_cents),
                    ("rest", "cents", rest),
                    ("post", "bp", post),
                ),
            )
        )
    low, high = values.cents("share_minimum_cents"), values.cents("share_maximum_cents")
    statement.share_cents = min(max(statement.raw_share_cents, low), high)
    if statement.raw_share_cents < low:
        statement.clamp = MINIMUM
    elif statement.raw_share_cents > high:
        statement.clamp = MAXIMUM
    statement.formula.append(
        Term(
            N_("part = base × {rate} (phase {phase}), bornée entre {low} et {high}"),
            (
                ("rate", "bp", rate),
                ("phase", "word", statement.phase),
                ("low", "cents", low),
                ("high", "cents", high),
            ),
        )
    )
    statement.redistribution_cents = percent(
        statement.share_cents, values.cents("local_redistribution_bp")
    )


def costs(
    session: Session,
    statement: Statement,
    values: Settings,
    period: Period,
    fees: dict[int, int],
    inputs: Inputs,
) -> None:
    """Cachet (external prestations), shared costs, incidents, and the melting payback."""
    event = statement.event
    day_rate = values.cents("cachet_day_rate_cents")
    if statement.kind == "own":
        statement.formula.append(Term(N_("événement propre du partenaire : pas de cachet")))
    else:
        days = event.days if inputs.cachet_days is None else inputs.cachet_days
        statement.cachet_days, statement.cachet_cents = days, days * day_rate
        statement.formula.append(
            Term(
                N_("cachet = {n} jour × {rate}")
                if days == 1
                else N_("cachet = {n} jours × {rate}"),
                (("n", "n", days), ("rate", "cents", day_rate)),
            )
        )
    statement.travel_cents = inputs.travel_cents or 0
    cooperative = values.text("cooperative")
    wear = percent(equipment_lent(session, event.id, cooperative), values.cents("wear_rate_bp"))
    statement.costs = [
        Line(N_("Frais Stripe"), fees.get(event.id, 0)),
        Line(N_("Hébergement"), values.cents("hosting_cents")),
        Line(N_("Déplacements"), statement.travel_cents),
        Line(N_("Usure du matériel"), wear),
    ] + [
        Line(INCIDENT_LABEL, c.cents, c.detail)
        for c in incidents_charged(session, event.id, cooperative)
    ]
    statement.melted_cents = melted_money(session, period)
    pre = statement.phase == AMORTISATION
    statement.melting_payback_bp = values.cents(
        "melting_payback_bp" if pre else "melting_payback_post_bp"
    )
    statement.melting_payback_cents = percent(statement.melted_cents, statement.melting_payback_bp)
    statement.formula += [
        Term(
            N_(
                "frais partagés : Stripe (les frais de ses recharges), hébergement, "
                "déplacements, usure ({rate} du matériel prêté), casse et pertes à la charge "
                "de l'emprunteur"
            ),
            (("rate", "bp", values.cents("wear_rate_bp")),),
        ),
        Term(
            N_(
                "monnaie fondante reversée par la coopérative : {rate} des euros fondus "
                "pendant la période de la prestation ({melted})"
            ),
            (
                ("rate", "bp", statement.melting_payback_bp),
                ("melted", "cents", statement.melted_cents),
            ),
        ),
        Term(N_("total = part + cachet + frais partagés − monnaie fondante reversée")),
    ]

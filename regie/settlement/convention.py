"""The convention's split for a prestation: what the cooperative is owed, and why.

Schemes (every number a setting in force on the prestation's last day, see ``settings``):

- ``convention``: base = the turnover excl. VAT the organiser invoiced its client, excl. the
  human cachet; the rate is the amortisation rate while the cooperative has not recovered what
  it invested, the post-amortisation rate after; the prestation that crosses the line is
  prorated; the share is clamped to a minimum and a maximum; plus the cachet (external
  prestations only: days × day rate) and the shared costs; minus the melting currency the
  cooperative pays back.
- ``flat``: one flat rate of the base; costs are in the price agreed with the client.
- ``soticket``: SoTicket's 2.5 %, within a yearly floor and cap.

The season is a ledger: the statements are computed in the prestations' chronological order
(end date, start date, id) whatever the order they are recorded in, each one's « déjà
récupéré » being what the statements before it recovered (:func:`statements`). Invested = the
cooperative's equipment in the inventory + the associated costs (hosting, bank fees:
settings). A recorded prestation is recomputed from the inputs it was recorded with.
"""

from __future__ import annotations

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import N_, _
from regie.inventory.amortisation import by_owner
from regie.models import Organisation, Prestation
from regie.settings.convention import Settings, settings_at
from regie.settlement.events import Event, find_event
from regie.settlement.invoices import turnover_of
from regie.settlement.models import SettlementRecord
from regie.settlement.share_rules import costs, share
from regie.settlement.shared_costs import Period, chronological, periods, stripe_fees_by_event
from regie.settlement.statement import (
    AMORTISATION,
    CROSSING,
    KINDS,
    MAXIMUM,
    MINIMUM,
    POST,
    SCHEME_LABELS,
    SCHEMES,
    TYPED,
    YEARLY_CAP,
    Inputs,
    Line,
    Statement,
    Term,
    base_at_rate,
    percent,
)

__all__ = [
    "AMORTISATION",
    "CROSSING",
    "KINDS",
    "MAXIMUM",
    "MINIMUM",
    "POST",
    "SCHEMES",
    "SCHEME_LABELS",
    "TYPED",
    "YEARLY_CAP",
    "Inputs",
    "Line",
    "Statement",
    "Term",
    "base_at_rate",
    "percent",
    "settle",
    "statements",
]


def latest_records(session: Session) -> dict[int, SettlementRecord]:
    """The newest recorded version of each prestation's statement."""
    found: dict[int, SettlementRecord] = {}
    for row in session.scalars(select(SettlementRecord).order_by(SettlementRecord.version)):
        found[row.prestation_id] = row
    return found


def recorded_inputs(row: SettlementRecord | None) -> Inputs:
    if row is None:
        return Inputs()
    data = orjson.loads(row.inputs)
    typed = data.get("typed_turnover_cents")
    if typed is None and "figures" not in data and data.get("turnover_source") == TYPED:
        typed = row.base_cents  # recorded before versions: the typed base is its base
    return Inputs(
        scheme=row.scheme,
        turnover_cents=typed,
        cachet_days=data.get("cachet_days"),
        travel_cents=data.get("travel_cents", 0),
    )


def recorded_figures(row: SettlementRecord) -> dict[str, int]:
    """The figures a version was recorded with; a statement recorded before versions kept
    only its base, share, recovery and total (the others are not compared)."""
    figures: dict[str, int] | None = orjson.loads(row.inputs).get("figures")
    if figures is None:
        return {
            "base_cents": row.base_cents,
            "share_cents": row.share_cents,
            "recovery_cents": row.recovery_cents,
            "total_cents": row.total_cents,
        }
    return figures


def statements(
    session: Session, *, until: int | None = None, given: Inputs | None = None
) -> list[Statement]:
    """The season's statements in chronological order, each one's « déjà récupéré » being
    what the ones before it recovered; stops after prestation ``until`` (computed with
    ``given`` and refused without a turnover). A recorded prestation is computed from the
    inputs of its newest version and compared with it."""
    prestations = chronological(session)
    clients = dict(session.execute(select(Organisation.id, Organisation.short_name)).all())
    fees = stripe_fees_by_event(session)
    versions_of: dict[int, dict[int, SettlementRecord]] = {}
    for kept in session.scalars(select(SettlementRecord)):
        versions_of.setdefault(kept.prestation_id, {})[kept.version] = kept
    records = {key: rows[max(rows)] for key, rows in versions_of.items()}
    recovered = 0
    found: list[Statement] = []
    for prestation, period in zip(prestations, periods(prestations), strict=True):
        target = prestation.id == until
        row = records.get(prestation.id)
        inputs = given if target and given is not None else recorded_inputs(row)
        event = Event(
            id=prestation.id,
            name=prestation.name,
            client=clients[prestation.client_id],
            starts_on=prestation.starts_on,
            ends_on=prestation.ends_on,
            place=prestation.place,
        )
        statement = _statement(
            session, prestation, event, period, fees, inputs, recovered, strict=target
        )
        if row is not None:
            statement.previous_version, statement.previous = row.version, recorded_figures(row)
            if not statement.differences() and row.scheme == statement.scheme:
                statement.version = row.version  # as recorded: compared with the one before
                before = versions_of.get(prestation.id, {}).get(row.version - 1)
                statement.previous_version = before.version if before else 0
                statement.previous = recorded_figures(before) if before else None
        found.append(statement)
        recovered += statement.recovery_cents
        if target:
            break
    return found


def settle(
    session: Session,
    name: str,
    *,
    scheme: str | None = None,
    turnover_cents: int | None = None,
    cachet_days: int | None = None,
    travel_cents: int | None = None,
) -> Statement:
    """The statement of a prestation under a scheme; changes nothing (see :func:`record`).
    Inputs left out come from its newest recorded version, else the invoices and the dates."""
    event = find_event(session, name)
    given = Inputs(
        scheme=scheme,
        turnover_cents=turnover_cents,
        cachet_days=cachet_days,
        travel_cents=travel_cents,
    )
    row = latest_records(session).get(event.id)
    kept = recorded_inputs(row)
    given = Inputs(
        scheme=scheme or kept.scheme,
        turnover_cents=turnover_cents if turnover_cents is not None else kept.turnover_cents,
        cachet_days=cachet_days if cachet_days is not None else kept.cachet_days,
        travel_cents=travel_cents if travel_cents is not None else kept.travel_cents,
    )
    return statements(session, until=event.id, given=given)[-1]


def _statement(
    session: Session,
    prestation: Prestation,
    event: Event,
    period: Period,
    fees: dict[int, int],
    inputs: Inputs,
    recovered: int,
    *,
    strict: bool,
) -> Statement:
    scheme = inputs.scheme or prestation.scheme
    if scheme not in SCHEMES:
        raise UserError(
            _("schéma inconnu « {scheme} » ({SCHEMES})").format(
                scheme=scheme, SCHEMES=", ".join(SCHEMES)
            )
        )
    values = settings_at(session, event.ends_on)
    shares = prestation.kind != "own" or values.cents("own_event_share") == 1
    if inputs.turnover_cents is None:
        base, source = turnover_of(session, event.id)
        if not source and strict and shares:
            raise UserError(
                _(
                    "aucun chiffre d'affaires pour « {name} » : facturez le client de la "
                    "prestation (Factures › « Nouvelle facture… ») ou tapez-le (« Chiffre "
                    "d'affaires HT hors cachet »)"
                ).format(name=event.name),
                command=_(
                    "aucun chiffre d'affaires pour « {name} » : facturez le client de la "
                    "prestation (regie invoice create --prestation) ou donnez-le (--turnover)"
                ).format(name=event.name),
            )
    else:
        base, source = inputs.turnover_cents, TYPED
    statement = Statement(
        event=event,
        scheme=scheme,
        settings=values,
        turnover_source=source,
        base_cents=base,
        kind=prestation.kind,
        typed_turnover_cents=inputs.turnover_cents,
    )
    statement.missing_turnover = not source and shares
    cooperative = values.text("cooperative")
    owned = by_owner(session, at=event.ends_on, owner=cooperative)
    statement.invested_equipment_cents = owned[0].invested_cents if owned else 0
    statement.invested_hosting_cents = values.cents("invested_hosting_cents")
    statement.invested_bank_fees_cents = values.cents("invested_bank_fees_cents")
    statement.book_amortised_cents = owned[0].amortised_cents if owned else 0
    statement.recovered_before_cents = recovered
    amortising = statement.remaining_before_cents > 0
    statement.phase = AMORTISATION if amortising else POST
    if statement.missing_turnover:
        statement.formula.append(Term(N_("chiffre d'affaires pas encore connu : aucune part")))
    elif scheme == "convention":
        share(statement, values, amortising, shares)
    elif scheme == "flat":
        statement.rate_bp = values.cents("flat_rate_bp")
        statement.raw_share_cents = statement.share_cents = percent(base, statement.rate_bp)
        statement.formula.append(
            Term(
                N_("part = base × {rate} (frais compris dans le prix)"),
                (("rate", "bp", statement.rate_bp),),
            )
        )
    else:
        _soticket(session, statement, values)
    if scheme == "convention":
        costs(session, statement, values, period, fees, inputs)
    # A venue's SoTicket fee is not the partner's share under the convention: it does not
    # amortise the equipment the convention's partners share (docs/settlement.md).
    if amortising and scheme != "soticket":
        statement.recovery_cents = min(statement.share_cents, statement.remaining_before_cents)
        if (
            statement.recovery_cents
            and statement.recovery_cents == statement.remaining_before_cents
        ):
            statement.phase = CROSSING
    return statement


def _soticket(session: Session, statement: Statement, values: Settings) -> None:
    """This prestation's accrual (base × rate) and its structure's year so far; the floor and
    the cap apply to the structure's year (:mod:`regie.settlement.soticket`)."""
    from regie.settlement.soticket import structure_of

    statement.rate_bp = values.cents("soticket_rate_bp")
    statement.raw_share_cents = percent(statement.base_cents, statement.rate_bp)
    statement.share_cents = statement.raw_share_cents
    event = statement.event
    year = structure_of(session, event.id, event.starts_on.year, statement.base_cents)
    statement.formula += [
        Term(
            N_("part = base × {rate} (cumul SoTicket de la structure, sans plancher ni plafond)"),
            (("rate", "bp", statement.rate_bp),),
        ),
        Term(
            N_(
                "{structure}, année {year} : cumul à ce jour {so_far}, cumul de l'année "
                "{accrued} ; ajustement de fin d'année {adjustment} (plancher {floor}, plafond "
                "{cap}), redevance de l'année {fee}"
            ),
            (
                ("structure", "word", year.structure),
                ("year", "word", str(event.starts_on.year)),
                ("so_far", "cents", year.accrued_through(event.name)),
                ("accrued", "cents", year.accrued_cents),
                ("adjustment", "cents", year.adjustment_cents),
                ("floor", "cents", year.floor_cents),
                ("cap", "cents", year.cap_cents),
                ("fee", "cents", year.fee_cents),
            ),
        ),
    ]

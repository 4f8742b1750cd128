"""The convention's split for a prestation: what the cooperative is owed, and why.

Schemes (every number a setting in force on the prestation's last day, see ``settings``):

- ``convention``: base = turnover excl. VAT and excl. the human cachet; the rate is the
  amortisation rate while the cooperative has not recovered what it invested, the post-
  amortisation rate after; the share is clamped to a minimum and a maximum; plus the cachet
  (days × day rate), the shared costs billed through, and the melting-currency share.
- ``flat``: one flat rate of the base; costs are in the price agreed with the client.
- ``soticket``: SoTicket's 2.5 %, within a yearly floor and cap.

Invested = the cooperative's equipment in the inventory (cost) + its other investment (a
setting). Recovered = the amortisation-phase shares of the statements recorded for earlier
prestations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import N_, _
from regie.inventory.amortisation import by_owner
from regie.inventory.models import Asset, Loan, LoanLine, StockLot
from regie.ledger.models import Transfer
from regie.models import Prestation
from regie.settlement.events import Event, find_event
from regie.settlement.invoices import turnover_of
from regie.settlement.models import SettlementRecord, StripeBalanceTransaction
from regie.settlement.settings import Settings, figure, settings_at

SCHEMES = ("convention", "flat", "soticket")
SCHEME_LABELS = {
    "convention": N_("Convention CCC / Mamasound"),
    "flat": N_("Forfait simple"),
    "soticket": N_("Barème SoTicket"),
}
# Words kept in French in a recorded statement and its PDF, translated with _() on screen.
AMORTISATION, POST = N_("amortissement"), N_("post-amortissement")
TYPED = N_("saisi")  # the turnover's source when it was typed rather than invoiced
MINIMUM, MAXIMUM, YEARLY_CAP = N_("minimum"), N_("maximum"), N_("plafond annuel")


def percent(base: int, bp: int) -> int:
    """``base × bp / 10 000`` rounded half up, in cents."""
    return (base * bp + 5000) // 10000


@dataclass(frozen=True)
class Line:
    label: str
    cents: int


@dataclass(frozen=True)
class Term:
    """A line of the formula: a French template marked N_() and its values, each with its kind:
    ``bp`` (a rate), ``cents`` (an amount), ``n`` (a number) or ``word`` (a text marked N_())."""

    template: str
    values: tuple[tuple[str, str, int | str], ...] = ()

    def text(self, show: dict[str, Any] | None = None, translate: Any = None) -> str:
        """In French as recorded and printed; or with ``translate`` and ``show[kind]``."""
        if translate is None or show is None:
            return self.template.format(**{k: figure(kind, v) for k, kind, v in self.values})
        shown = {k: show[kind](v) for k, kind, v in self.values}
        return str(translate(self.template)).format(**shown)

    def __str__(self) -> str:
        return self.text()


@dataclass
class Statement:
    event: Event
    scheme: str
    settings: Settings
    turnover_source: str
    base_cents: int
    rate_bp: int = 0
    raw_share_cents: int = 0
    share_cents: int = 0
    clamp: str = ""  # "", MINIMUM, MAXIMUM, YEARLY_CAP
    phase: str = ""
    invested_cents: int = 0
    recovered_before_cents: int = 0
    recovery_cents: int = 0  # what this statement adds to the recovery
    book_amortised_cents: int = 0  # the inventory's depreciation to date, for information
    cachet_days: int = 0
    cachet_cents: int = 0
    costs: list[Line] = field(default_factory=list)
    melted_cents: int = 0
    melting_share_cents: int = 0
    redistribution_cents: int = 0
    formula: list[Term] = field(default_factory=list)

    @property
    def remaining_before_cents(self) -> int:
        return max(self.invested_cents - self.recovered_before_cents, 0)

    @property
    def remaining_after_cents(self) -> int:
        return max(self.remaining_before_cents - self.recovery_cents, 0)

    @property
    def costs_cents(self) -> int:
        return sum(line.cents for line in self.costs)

    @property
    def total_cents(self) -> int:
        return self.share_cents + self.cachet_cents + self.costs_cents + self.melting_share_cents


def stripe_fees(session: Session, event: Event) -> int:
    start, end = event.window()
    return int(session.scalar(
        select(func.coalesce(func.sum(StripeBalanceTransaction.fee), 0))
        .where(StripeBalanceTransaction.created.between(start, end))
    ) or 0)  # fmt: skip


def equipment_lent(session: Session, event: Event) -> int:
    """Purchase value of what was lent for the prestation (assets and lots)."""
    assets = session.scalar(
        select(func.coalesce(func.sum(Asset.purchase_cost_cents), 0))
        .join(LoanLine, LoanLine.asset_id == Asset.id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == event.id)
    )
    lots = session.scalar(
        select(func.coalesce(func.sum(StockLot.unit_cost_cents * LoanLine.quantity_out), 0))
        .join(LoanLine, LoanLine.stock_lot_id == StockLot.id)
        .join(Loan, LoanLine.loan_id == Loan.id)
        .where(Loan.prestation_id == event.id)
    )
    return int(assets or 0) + int(lots or 0)


def melted(session: Session) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(Transfer.amount), 0)).where(Transfer.op == "melt")
    ) or 0)  # fmt: skip


def recovered_before(session: Session, event: Event) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(SettlementRecord.recovery_cents), 0))
        .join(Prestation, SettlementRecord.prestation_id == Prestation.id)
        .where(Prestation.starts_on < event.starts_on, Prestation.id != event.id)
    ) or 0)  # fmt: skip


def settle(
    session: Session, name: str, *, scheme: str = "convention", turnover_cents: int | None = None,
    cachet_days: int | None = None, travel_cents: int = 0,
) -> Statement:  # fmt: skip
    """The statement of a prestation under a scheme; changes nothing (see :func:`record`)."""
    if scheme not in SCHEMES:
        raise UserError(
            _("schéma inconnu « {scheme} » ({SCHEMES})").format(
                scheme=scheme, SCHEMES=", ".join(SCHEMES)
            )
        )
    event = find_event(session, name)
    values = settings_at(session, event.ends_on)
    if turnover_cents is None:
        turnover_cents, source = turnover_of(session, event.id)
        if not source:
            raise UserError(
                _(
                    "aucun chiffre d'affaires pour « {name} » : facturez la "
                    "prestation (regie invoice create) ou donnez-le (--turnover)"
                ).format(name=name)
            )
    else:
        source = TYPED
    statement = Statement(event, scheme, values, source, turnover_cents)
    cooperative = values.text("cooperative")
    owned = by_owner(session, at=event.ends_on, owner=cooperative)
    statement.invested_cents = (owned[0].invested_cents if owned else 0) + values.cents(
        "other_investment_cents"
    )
    statement.book_amortised_cents = owned[0].amortised_cents if owned else 0
    statement.recovered_before_cents = recovered_before(session, event)
    amortising = statement.remaining_before_cents > 0
    statement.phase = AMORTISATION if amortising else POST
    base = statement.base_cents
    if scheme == "convention":
        _convention(session, statement, values, amortising, cachet_days, travel_cents)
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
    if amortising:
        statement.recovery_cents = min(statement.share_cents, statement.remaining_before_cents)
    return statement


def _convention(session: Session, statement: Statement, values: Settings, amortising: bool,
                cachet_days: int | None, travel_cents: int) -> None:  # fmt: skip
    rate_name = "amortisation_rate_bp" if amortising else "post_amortisation_rate_bp"
    statement.rate_bp = values.cents(rate_name)
    statement.raw_share_cents = percent(statement.base_cents, statement.rate_bp)
    low, high = values.cents("share_minimum_cents"), values.cents("share_maximum_cents")
    statement.share_cents = min(max(statement.raw_share_cents, low), high)
    if statement.raw_share_cents < low:
        statement.clamp = MINIMUM
    elif statement.raw_share_cents > high:
        statement.clamp = MAXIMUM
    days = statement.event.days if cachet_days is None else cachet_days
    statement.cachet_days = days
    statement.cachet_cents = days * values.cents("cachet_day_rate_cents")
    wear = percent(equipment_lent(session, statement.event), values.cents("wear_rate_bp"))
    statement.costs = [
        Line(N_("Frais Stripe"), stripe_fees(session, statement.event)),
        Line(N_("Hébergement"), values.cents("hosting_cents")),
        Line(N_("Déplacements"), travel_cents),
        Line(N_("Usure du matériel"), wear),
    ]
    statement.melted_cents = melted(session)
    statement.melting_share_cents = percent(
        statement.melted_cents, values.cents("melting_share_bp")
    )
    statement.redistribution_cents = percent(
        statement.share_cents, values.cents("local_redistribution_bp")
    )
    statement.formula += [
        Term(
            N_("part = base × {rate} (phase {phase}), bornée entre {low} et {high}"),
            (
                ("rate", "bp", statement.rate_bp),
                ("phase", "word", statement.phase),
                ("low", "cents", low),
                ("high", "cents", high),
            ),
        ),
        Term(
            N_("cachet = {n} jour × {rate}") if days == 1 else N_("cachet = {n} jours × {rate}"),
            (("n", "n", days), ("rate", "cents", values.cents("cachet_day_rate_cents"))),
        ),
        Term(
            N_(
                "frais partagés : Stripe, hébergement, déplacements, usure ({rate} du matériel "
                "prêté)"
            ),
            (("rate", "bp", values.cents("wear_rate_bp")),),
        ),
        Term(
            N_("monnaie fondante : {rate} des soldes fondus"),
            (("rate", "bp", values.cents("melting_share_bp")),),
        ),
        Term(N_("total = part + cachet + frais partagés + monnaie fondante")),
    ]


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


def record(session: Session, statement: Statement) -> None:
    """Retain this statement for its prestation (replacing an earlier one)."""
    row = session.scalar(
        select(SettlementRecord).where(SettlementRecord.prestation_id == statement.event.id)
    )
    if row is None:
        row = SettlementRecord(prestation_id=statement.event.id)
        session.add(row)
    row.scheme, row.phase = statement.scheme, statement.phase
    row.base_cents, row.share_cents = statement.base_cents, statement.share_cents
    row.recovery_cents, row.total_cents = statement.recovery_cents, statement.total_cents
    row.inputs = orjson.dumps({
        "turnover_source": statement.turnover_source, "cachet_days": statement.cachet_days,
        "costs": [asdict(line) for line in statement.costs], "rate_bp": statement.rate_bp,
        "settings_day": statement.settings.day.isoformat(),
    }).decode()  # fmt: skip
    session.flush()

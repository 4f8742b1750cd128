"""The convention's numbers: each declared once with its kind and default, each versioned
in the database with the date it applies from (a change never rewrites the past).

``settings_at(session, day)`` gives the values in force on a day: the newest version whose
``valid_from`` is on or before it, else the declared default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import NotFound, UserError
from regie.i18n import N_, _
from regie.money import MoneyFormatError, cents_to_decimal_text, parse_cents
from regie.people.actor import require
from regie.people.roles import Permission
from regie.settings.models import ConventionSetting


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # cents, bp (basis points), int, text
    default: int | str
    label: str


OPTIONS = (
    Option(
        name="cooperative",
        kind="text",
        default="CCC",
        label=N_("organisation qui amortit le matériel (sigle)"),
    ),
    Option(
        name="partner",
        kind="text",
        default="Mamasound",
        label=N_("organisation partenaire qui facture le client"),
    ),
    Option(
        name="invested_hosting_cents",
        kind="cents",
        default=0,
        label=N_(
            "à amortir en plus du matériel : hébergement du serveur avancé par la coopérative"
        ),
    ),
    Option(
        name="invested_bank_fees_cents",
        kind="cents",
        default=250000,
        label=N_("à amortir en plus du matériel : frais bancaires avancés par la coopérative"),
    ),
    Option(
        name="amortisation_rate_bp",
        kind="bp",
        default=3500,
        label=N_("taux en phase d'amortissement"),
    ),
    Option(
        name="post_amortisation_rate_bp",
        kind="bp",
        default=1200,
        label=N_("taux après amortissement"),
    ),
    Option(
        name="share_minimum_cents",
        kind="cents",
        default=50000,
        label=N_("part minimale par prestation"),
    ),
    Option(
        name="share_maximum_cents",
        kind="cents",
        default=1500000,
        label=N_("part maximale par prestation"),
    ),
    Option(
        name="cachet_day_rate_cents",
        kind="cents",
        default=25000,
        label=N_("cachet TiBillet par jour"),
    ),
    Option(
        name="hosting_cents",
        kind="cents",
        default=5000,
        label=N_("hébergement refacturé par prestation"),
    ),
    Option(
        name="wear_rate_bp",
        kind="bp",
        default=100,
        label=N_("usure du matériel : part de la valeur prêtée"),
    ),
    Option(
        name="melting_payback_bp",
        kind="bp",
        default=5000,
        label=N_("monnaie fondante reversée par la coopérative, pendant l'amortissement"),
    ),
    Option(
        name="melting_payback_post_bp",
        kind="bp",
        default=5000,
        label=N_("monnaie fondante reversée par la coopérative, après l'amortissement"),
    ),
    Option(
        name="own_event_share",
        kind="int",
        default=0,
        label=N_("événements propres du partenaire : 1 = part de la convention, 0 = aucune part"),
    ),
    Option(
        name="invoice_vat_bp",
        kind="bp",
        default=2000,
        label=N_("TVA de la facture de la coopérative au partenaire (si pas d'exonération)"),
    ),
    Option(
        name="melting_months",
        kind="int",
        default=14,
        label=N_("mois sans mouvement avant la fonte"),
    ),
    Option(
        name="local_redistribution_bp",
        kind="bp",
        default=0,
        label=N_("part reversée aux associations locales"),
    ),
    Option(name="flat_rate_bp", kind="bp", default=3000, label=N_("forfait simple")),
    Option(name="soticket_rate_bp", kind="bp", default=250, label=N_("SoTicket : taux")),
    Option(
        name="soticket_floor_cents",
        kind="cents",
        default=57500,
        label=N_("SoTicket : plancher annuel"),
    ),
    Option(
        name="soticket_cap_cents",
        kind="cents",
        default=350000,
        label=N_("SoTicket : plafond annuel"),
    ),
    Option(
        name="refund_fee_cents",
        kind="cents",
        default=0,
        label=N_("frais par remboursement de solde"),
    ),
    Option(
        name="refund_minimum_cents", kind="cents", default=100, label=N_("solde minimal remboursé")
    ),
    Option(
        name="journal_line_ceiling_cents",
        kind="cents",
        default=1_000_000,
        label=N_("plafond d'une ligne de journal de terminal (au-delà, l'import la refuse)"),
    ),
    Option(
        name="refund_window_days",
        kind="int",
        default=30,
        label=N_("jours après la fin de l'événement pour rembourser"),
    ),
    Option(name="invoice_series", kind="text", default="F", label=N_("série des factures")),
    Option(name="credit_series", kind="text", default="AV", label=N_("série des avoirs")),
    Option(name="payment_days", kind="int", default=30, label=N_("délai de paiement (jours)")),
    Option(
        name="vat_exemption",
        kind="text",
        default="",
        label=N_("mention d'exonération de TVA (vide : TVA due)"),
    ),
    Option(
        name="late_penalties",
        kind="text",
        default="Pénalités de retard : trois fois le taux d'intérêt légal. Indemnité forfaitaire "
        "pour frais de recouvrement : 40 €.",
        label=N_("mentions de retard de paiement"),
    ),
)
BY_NAME = {option.name: option for option in OPTIONS}


@dataclass(frozen=True)
class Version:
    name: str
    valid_from: dt.date
    value: int | str
    note: str


class Settings:
    """The values in force on ``day`` (read like attributes or with ``[]``)."""

    def __init__(self, day: dt.date, values: dict[str, int | str], since: dict[str, dt.date]):
        self.day = day
        self.values = values
        self.since = since  # when each value took effect (absent: the default)

    def cents(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def text(self, name: str) -> str:
        return str(self.values[name])

    def describe(self, name: str) -> str:
        return format_value(BY_NAME[name], self.values[name])


def option(name: str) -> Option:
    found = BY_NAME.get(name)
    if found is None:
        raise NotFound(
            _("réglage inconnu : {name}").format(name=name),
            command=_("réglage inconnu : {name} (voir regie convention show)").format(name=name),
        )
    return found


def parse_value(opt: Option, text: str) -> int | str:
    """A value as a person types it: ``"35 %"`` for a rate, ``"500"`` or ``"500,00"`` euros."""
    text = text.strip()
    if opt.kind == "text":
        return text
    try:
        if opt.kind == "bp":
            cleaned = text.removesuffix("%").strip()
            return parse_cents(cleaned)  # hundredths of a percent are basis points
        if opt.kind == "cents":
            return parse_cents(text)
        return int(text)
    except (MoneyFormatError, ValueError):
        raise UserError(
            _("{name} : valeur illisible « {text} »").format(name=opt.name, text=text)
        ) from None


def format_value(opt: Option, value: int | str) -> str:
    return figure(opt.kind, value)


def figure(kind: str, value: int | str) -> str:
    """A value as the convention writes it, in French: ``35 %``, ``500,00 €``."""
    if kind == "bp" and isinstance(value, int):
        return cents_to_decimal_text(value).rstrip("0").rstrip(".").replace(".", ",") + " %"
    if kind == "cents" and isinstance(value, int):
        return cents_to_decimal_text(value).replace(".", ",") + " €"
    return str(value)


def _stored(opt: Option, raw: str) -> int | str:
    return raw if opt.kind == "text" else int(raw)


def set_setting(
    session: Session, name: str, value: str, valid_from: dt.date, note: str = ""
) -> Version:
    """Record a new version of a setting from ``valid_from`` (replaces one of the same day)."""
    require(session, Permission.CHANGE_CONVENTION)
    opt = option(name)
    parsed = parse_value(opt, value)
    if opt.kind != "text" and isinstance(parsed, int) and parsed < 0:
        raise UserError(_("{name} : une valeur négative n'a pas de sens").format(name=name))
    row = session.scalar(
        select(ConventionSetting).where(
            ConventionSetting.name == name, ConventionSetting.valid_from == valid_from
        )
    )
    if row is None:
        row = ConventionSetting(name=name, valid_from=valid_from, value="", note=note)
        session.add(row)
    row.value = str(parsed)
    row.note = note
    session.flush()
    return Version(name=name, valid_from=valid_from, value=parsed, note=note)


def settings_at(session: Session, day: dt.date) -> Settings:
    values: dict[str, int | str] = {opt.name: opt.default for opt in OPTIONS}
    since: dict[str, dt.date] = {}
    for name, valid_from, raw in session.execute(
        select(ConventionSetting.name, ConventionSetting.valid_from, ConventionSetting.value)
        .where(ConventionSetting.valid_from <= day)
        .order_by(ConventionSetting.valid_from)
    ):
        if name in BY_NAME:
            values[name] = _stored(BY_NAME[name], raw)
            since[name] = valid_from
    return Settings(day, values, since)


def history(session: Session, name: str = "") -> list[Version]:
    """Every recorded version (of one setting, or all), oldest first."""
    query = select(ConventionSetting).order_by(ConventionSetting.name, ConventionSetting.valid_from)
    if name:
        option(name)
        query = query.where(ConventionSetting.name == name)
    return [
        Version(
            name=row.name,
            valid_from=row.valid_from,
            value=_stored(BY_NAME[row.name], row.value),
            note=row.note,
        )
        for row in session.scalars(query)
        if row.name in BY_NAME
    ]

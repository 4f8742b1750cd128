"""What must hold before an invoice is numbered (French invoicing rules).

- the issuer's SIRET is printed on every invoice; its VAT number whenever VAT is charged
  (unless the convention's VAT exemption mention is set): a missing one is refused with the
  place to fill it, in the window (« Inventaire › Référentiel › Organisations ») and on the
  command line (``regie settings set organisation.…`` for the organisation that invoices);
- one chronological series per issuer, series and year: an invoice dated before the last
  one of its series is refused;
- a line is never negative: an amount is taken back with a credit note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import N_, _, format_money
from regie.models import Organisation
from regie.settlement.models import Invoice

# The category of operation printed on each invoice (a mandatory mention since 2026).
OPERATIONS = {"services": N_("Prestation de services")}
WINDOW_PLACE = N_("Inventaire › Référentiel › Organisations")


class Priced(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def unit_cents(self) -> int: ...
    @property
    def total_cents(self) -> int: ...


class MissingMention(UserError):
    """A mandatory mention is missing; ``str()`` names the screen, ``command`` the command."""

    @property
    def window(self) -> str:
        return str(self)


def _missing(issuer: Organisation, field: str, what: str, partner: str) -> MissingMention:
    head = _("{issuer} n'a pas de {what}, mention obligatoire de ses factures").format(
        issuer=issuer.short_name, what=what
    )
    return MissingMention(
        _("{head} : renseignez-le dans {place} (fiche « {issuer} »)").format(
            head=head, place=_(WINDOW_PLACE), issuer=issuer.short_name
        ),
        command=(
            _("{head} : renseignez-le (regie settings set organisation.{field} …)").format(
                head=head, field=field
            )
            if issuer.short_name == partner
            else _(
                "{head} : renseignez-le dans la fenêtre, {place} (regie settings set "
                "organisation.{field} ne règle que l'organisation qui facture, « {partner} »)"
            ).format(head=head, place=_(WINDOW_PLACE), field=field, partner=partner)
        ),
    )


def check_mentions(
    issuer: Organisation, lines: Iterable[tuple[str, int]], *, exemption: str, partner: str
) -> None:
    """``lines``: (label, VAT rate in bp). Refuses an issuer without SIRET, or charging VAT
    without a VAT number."""
    if not issuer.siret.strip():
        raise _missing(issuer, "siret", _("SIRET"), partner)
    charged = any(vat_bp for _label, vat_bp in lines)
    if charged and not exemption and not issuer.vat_number.strip():
        raise _missing(issuer, "vat_number", _("n° de TVA intracommunautaire"), partner)


def check_positive(lines: Iterable[Priced]) -> None:
    """A negative line is refused: only a credit note takes an amount back."""
    for line in lines:
        if line.unit_cents < 0 or line.total_cents < 0:
            raise UserError(
                _(
                    "ligne « {label} » : montant négatif ({amount}) refusé ; pour déduire un "
                    "montant, émettez un avoir sur la facture concernée"
                ).format(
                    label=line.label, amount=format_money(min(line.unit_cents, line.total_cents))
                )
            )


def check_chronology(
    session: Session, *, issuer: Organisation, series: str, year: int, issued_on: dt.date
) -> None:
    """Refuses an invoice dated before the last one of its issuer's series for the year (call
    it once the counter row is locked)."""
    last = session.execute(
        select(Invoice.reference, Invoice.issued_on)
        .where(Invoice.issuer_id == issuer.id, Invoice.series == series, Invoice.year == year)
        .order_by(Invoice.number.desc())
        .limit(1)
    ).first()
    if last is not None and issued_on < last.issued_on:
        raise UserError(
            _(
                "{issuer} a déjà émis {reference} le {last} : une facture de la série {series} "
                "ne peut pas être datée d'avant (date demandée : {day}) ; datez-la du {last} ou "
                "après"
            ).format(
                issuer=issuer.short_name,
                reference=last.reference,
                last=last.issued_on.strftime("%d/%m/%Y"),
                series=series,
                day=issued_on.strftime("%d/%m/%Y"),
            )
        )

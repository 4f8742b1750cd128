"""Reading the audit trail: filters, pages of lines, and each line in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from regie.i18n import N_, _, format_date, format_datetime, format_money, format_number
from regie.ledger.labels import account_label, op_label, period_label, scope_label
from regie.people.lockout import PLACES
from regie.people.models import AuditEntry
from regie.people.roles import role_label
from regie.settlement.convention import SCHEME_LABELS

ACTION_LABELS = {
    "asset.add": N_("Matériel ajouté"),
    "asset.change": N_("Matériel modifié"),
    "asset.remove": N_("Matériel supprimé"),
    "stock.add": N_("Lot ajouté"),
    "stock.change": N_("Lot modifié"),
    "stock.remove": N_("Lot supprimé"),
    "loan.out": N_("Prêt"),
    "loan.items": N_("Matériel prêté"),
    "loan.return": N_("Retour de prêt"),
    "loan.close": N_("Prêt clos"),
    "incident.open": N_("Incident ouvert"),
    "incident.change": N_("Incident suivi"),
    "incident.write_off": N_("Sortie d'inventaire"),
    "closure.z": N_("Clôture Z"),
    "ledger.post": N_("Écriture au grand livre"),
    "ledger.refund": N_("Remboursement"),
    "ledger.melt": N_("Monnaie fondante"),
    "ledger.import": N_("Import de journal"),
    "ledger.unsigned": N_("Import non signé"),
    "refund.plan": N_("Remboursements préparés"),
    "refund.run": N_("Remboursements envoyés"),
    "convention.change": N_("Convention modifiée"),
    "settlement.record": N_("Règlement retenu"),
    "invoice.issue": N_("Facture émise"),
    "person.add": N_("Utilisateur ajouté"),
    "person.change": N_("Utilisateur modifié"),
    "signin.failed": N_("Connexion refusée"),
    "signin.locked": N_("Connexion verrouillée"),
    "backup.restore": N_("Sauvegarde restaurée"),
    "backup.rescue": N_("Sauvegarde restaurée (secours)"),
    "backup.restore_forced": N_("Restauration forcée"),
}


# What a line's values are, read in the reader's words (the trail keeps codes and French).
CONDITIONS = {"ok": N_("bon état"), "damaged": N_("abîmé"), "missing": N_("manquant")}
CONDITION = re.compile(r"\((ok|damaged|missing)\)")
RUN_STATES = {
    "planned": N_("préparée"),
    "running": N_("en cours"),
    "stopped": N_("arrêtée"),
    "done": N_("terminée"),
}
FIELDS = {
    "tag": N_("étiquette"),
    "serial_number": N_("numéro de série"),
    "model_id": N_("modèle"),
    "owner_id": N_("propriétaire"),
    "purchase_date": N_("date d'achat"),
    "purchase_cost_cents": N_("prix d'achat"),
    "unit_cost_cents": N_("prix unitaire"),
    "currency": N_("devise"),
    "amortisation_months": N_("durée d'amortissement"),
    "salvage_value_cents": N_("valeur résiduelle"),
    "notes": N_("notes"),
    "nfc_uid": N_("puce NFC"),
    "name": N_("nom"),
    "location_id": N_("emplacement"),
    "quantity": N_("quantité"),
}


def _words(text: str, word: Callable[[str], str]) -> str:
    return ", ".join(word(part) for part in text.split(", ")) if text else text


def _op_count(part: str) -> str:
    op, _sep, times = part.partition(" ×")
    return f"{op_label(op)} ×{times}" if times else op_label(op)


def _setting(name: str) -> str:
    from regie.settings.convention import BY_NAME

    option = BY_NAME.get(name)
    return _(option.label) if option is not None else name


def subject_label(action: str, subject: str) -> str:
    """The line's object in the reader's words (an operation, a setting…)."""
    if action.startswith("ledger."):
        return _words(subject, op_label)
    if action == "convention.change":
        return _setting(subject)
    return subject


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


@dataclass(frozen=True)
class TrailFilter:
    actor: str = ""
    action: str = ""  # an action key, or its area ("ledger", "loan"…)
    since: dt.date | None = None
    until: dt.date | None = None  # included


@dataclass(frozen=True)
class TrailLine:
    number: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    subject: str
    text: str

    @property
    def who(self) -> str:
        if not self.role:
            return _("{name} (sans identification)").format(name=self.actor)
        return f"{self.actor} ({role_label(self.role)})"


def _shown(name: str, value: Any, action: str = "") -> Any:
    if name in ("quantity", "count", "before", "after") and isinstance(value, int):
        return format_number(value)
    if name.endswith("_cents") and isinstance(value, int):
        return format_money(value)
    if name.endswith("_day") and isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if name.endswith("role") and isinstance(value, str):
        return role_label(value)
    if isinstance(value, str):
        return _word(name, value, action)
    return value


def _conditions(items: str) -> str:
    return CONDITION.sub(lambda found: f"({_(CONDITIONS[found.group(1)])})", items)


VALUES: dict[str, Callable[[str], str]] = {
    "scope": scope_label,
    "period": period_label,
    "ops": lambda value: _words(value, _op_count),
    "accounts": lambda value: _words(value, account_label),
    "items": _conditions,
    "scheme": lambda value: _(SCHEME_LABELS.get(value, value)),
    "fields": lambda value: _words(value, lambda field: _(FIELDS.get(field, field))),
    "place": lambda value: _(PLACES.get(value, value)),
}


def _word(name: str, value: str, action: str) -> str:
    """A text value: a code or a French label as recorded, read in the reader's words."""
    if action.startswith("incident.") and name in ("kind", "payer", "before", "after"):
        return _(value)  # recorded as the French label
    if action == "refund.run" and name in ("before", "after"):
        return _(RUN_STATES.get(value, value))
    if action == "convention.change" and name == "name":
        return _setting(value)
    shown = VALUES.get(name)
    return shown(value) if shown is not None else value


def render(template: str, params: str, action: str = "") -> str:
    values = orjson.loads(params)
    try:
        shown = {name: _shown(name, v, action) for name, v in values.items()}
        return _(template).format(**shown)
    except (KeyError, IndexError, ValueError):  # a template changed since: show what is known
        return f"{template} {params}"


def _filtered(query: Select[Any], where: TrailFilter) -> Select[Any]:
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor)
    if where.action:
        if "." in where.action:
            query = query.where(AuditEntry.action == where.action)
        else:
            query = query.where(AuditEntry.action.startswith(where.action + "."))
    if where.since:
        start = dt.datetime.combine(where.since, dt.time()).astimezone()  # the reader's day
        query = query.where(AuditEntry.at >= start)
    if where.until:
        end = dt.datetime.combine(where.until + dt.timedelta(days=1), dt.time()).astimezone()
        query = query.where(AuditEntry.at < end)
    return query


def count(session: Session, where: TrailFilter = TrailFilter()) -> int:
    return int(session.scalar(_filtered(select(func.count(AuditEntry.id)), where)) or 0)


def page(
    session: Session, where: TrailFilter = TrailFilter(), offset: int = 0, limit: int = 200
) -> list[TrailLine]:
    """Newest first, ``limit`` lines from ``offset``."""
    query = _filtered(select(AuditEntry), where).order_by(AuditEntry.id.desc())
    return [
        TrailLine(
            row.id,
            row.at,
            row.actor,
            row.role,
            row.action,
            subject_label(row.action, row.subject),
            render(row.template, row.params, row.action),
        )
        for row in session.scalars(query.offset(offset).limit(limit))
    ]


def actors(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def when(line: TrailLine) -> str:
    at = line.at if line.at.tzinfo else line.at.replace(tzinfo=dt.UTC)
    return format_datetime(at.astimezone())

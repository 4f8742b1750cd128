"""Reading the audit trail: filters, pages of lines, and each line in the reader's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from regie.i18n import N_, _, format_date, format_datetime, format_money
from regie.people.models import AuditEntry
from regie.people.roles import role_label

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
    "refund.plan": N_("Remboursements préparés"),
    "refund.run": N_("Remboursements envoyés"),
    "convention.change": N_("Convention modifiée"),
    "settlement.record": N_("Règlement retenu"),
    "invoice.issue": N_("Facture émise"),
    "person.add": N_("Utilisateur ajouté"),
    "person.change": N_("Utilisateur modifié"),
}


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


def _shown(name: str, value: Any) -> Any:
    if name.endswith("_cents") and isinstance(value, int):
        return format_money(value)
    if name.endswith("_day") and isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if name.endswith("role") and isinstance(value, str):
        return role_label(value)
    return value


def render(template: str, params: str) -> str:
    values = orjson.loads(params)
    try:
        return _(template).format(**{name: _shown(name, v) for name, v in values.items()})
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
            row.subject,
            render(row.template, row.params),
        )
        for row in session.scalars(query.offset(offset).limit(limit))
    ]


def actors(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def when(line: TrailLine) -> str:
    at = line.at if line.at.tzinfo else line.at.replace(tzinfo=dt.UTC)
    return format_datetime(at.astimezone())

"""The audit screen's guard: scans go into the audit that is open, and only that one.

An audit is opened, resumed, closed or abandoned from any workstation sharing the
database. A screen that still shows an audit someone else closed must not count into it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from regie.errors import Conflict
from regie.i18n import _, local_time
from regie.inventory.audits import AuditState, Verdict, open_audit, scan, scan_uid


def _still_open(session: Session, state: AuditState) -> None:
    current = open_audit(session)
    if current is None:
        raise Conflict(
            _(
                "l'audit n°{audit_id} a été terminé ou abandonné sur un "
                "autre poste : le scan n'a pas été compté"
            ).format(audit_id=state.audit_id)
        )
    if current.id != state.audit_id:
        raise Conflict(
            _(
                "un autre audit (n°{id}) est ouvert depuis "
                "{started_at:%d/%m/%Y %H:%M} : le scan n'a pas été compté"
            ).format(id=current.id, started_at=local_time(current.started_at))
        )


def scan_into(session: Session, state: AuditState, tag: str) -> tuple[Verdict, str]:
    """``audits.scan``, refused when the audit was closed or replaced meanwhile."""
    _still_open(session, state)
    return scan(session, state, tag)


def scan_uid_into(session: Session, state: AuditState, uid: bytes) -> tuple[Verdict, str]:
    """``audits.scan_uid``, refused when the audit was closed or replaced meanwhile."""
    _still_open(session, state)
    return scan_uid(session, state, uid)

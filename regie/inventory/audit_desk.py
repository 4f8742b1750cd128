"""The audit screen's guard: scans go into the audit that is open, and only that one.

An audit is opened, resumed, closed or abandoned from any workstation sharing the
database. A screen that still shows an audit someone else closed must not count into it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from regie.errors import Conflict
from regie.inventory.audits import AuditState, Verdict, open_audit, scan, scan_uid


def _still_open(session: Session, state: AuditState) -> None:
    current = open_audit(session)
    if current is None:
        raise Conflict(
            f"l'audit n°{state.audit_id} a été terminé ou abandonné sur un autre poste : "
            "le scan n'a pas été compté"
        )
    if current.id != state.audit_id:
        raise Conflict(
            f"un autre audit (n°{current.id}) est ouvert depuis "
            f"{current.started_at:%d/%m/%Y %H:%M} : le scan n'a pas été compté"
        )


def scan_into(session: Session, state: AuditState, tag: str) -> tuple[Verdict, str]:
    """``audits.scan``, refused when the audit was closed or replaced meanwhile."""
    _still_open(session, state)
    return scan(session, state, tag)


def scan_uid_into(session: Session, state: AuditState, uid: bytes) -> tuple[Verdict, str]:
    """``audits.scan_uid``, refused when the audit was closed or replaced meanwhile."""
    _still_open(session, state)
    return scan_uid(session, state, uid)

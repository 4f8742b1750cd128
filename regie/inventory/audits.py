"""Audits with a scanner: what is present, missing, unknown or misplaced, live.

An audit covers a prestation (what is out for it) or a location (what should be there).
One audit is open at a time, so two people never count into each other's audit.
A scan is a keystroke-speed operation: one indexed lookup and one row written.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import Conflict, UserError
from regie.i18n import N_, _, local_time
from regie.inventory import catalogue
from regie.inventory.history import EventKind, record
from regie.inventory.models import (
    Asset,
    AssetStatus,
    Audit,
    AuditScan,
    Loan,
    LoanLine,
    Location,
)
from regie.models import Prestation


class Verdict(enum.StrEnum):
    PRESENT = "present"
    UNKNOWN = "unknown"
    MISPLACED = "misplaced"
    REPEATED = "repeated"


VERDICT_LABELS = {
    Verdict.PRESENT: N_("présent"),
    Verdict.UNKNOWN: N_("inconnu"),
    Verdict.MISPLACED: N_("mal placé"),
    Verdict.REPEATED: N_("déjà scanné"),
}


@dataclass(kw_only=True)
class AuditState:
    """The live lists of an audit, kept in memory while scanning."""

    audit_id: int
    scope: str
    expected: dict[str, str]  # tag -> model
    present: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    misplaced: list[tuple[str, str]] = field(default_factory=list)  # tag, where it should be

    @property
    def missing(self) -> list[str]:
        seen = set(self.present)
        return sorted(tag for tag in self.expected if tag not in seen)

    def counts(self) -> dict[str, int]:
        return {
            "expected": len(self.expected),
            "present": len(self.present),
            "missing": len(self.missing),
            "unknown": len(self.unknown),
            "misplaced": len(self.misplaced),
        }


def _expected(session: Session, audit: Audit) -> dict[str, str]:
    from regie.inventory.models import AssetModel

    query = select(Asset.tag, AssetModel.name).join(AssetModel, Asset.model_id == AssetModel.id)
    if audit.prestation_id is not None:
        query = (
            query.join(LoanLine, LoanLine.asset_id == Asset.id)
            .join(Loan, LoanLine.loan_id == Loan.id)
            .where(Loan.prestation_id == audit.prestation_id, LoanLine.returned_at.is_(None))
        )
    else:
        query = query.where(
            Asset.location_id == audit.location_id,
            Asset.status.in_((AssetStatus.AVAILABLE, AssetStatus.BOOKED)),
        )
    return dict(session.execute(query).all())


def open_audit(session: Session) -> Audit | None:
    return session.scalar(select(Audit).where(Audit.closed_at.is_(None)))


def start_audit(
    session: Session, *, prestation_name: str = "", location_name: str = ""
) -> AuditState:
    """Open an audit of a prestation or a location (exactly one of them)."""
    if bool(prestation_name) == bool(location_name):
        raise UserError(_("choisissez une prestation ou un lieu à inventorier"))
    current = open_audit(session)
    if current is not None:
        raise Conflict(
            _(
                "l'audit n°{id} est encore ouvert depuis "
                "{started_at:%d/%m/%Y %H:%M} : terminez-le ou abandonnez-le "
                "d'abord"
            ).format(id=current.id, started_at=local_time(current.started_at))
        )
    audit = Audit(started_at=clock.now())
    if prestation_name:
        prestation = catalogue.prestation(session, prestation_name)
        audit.prestation_id, scope = prestation.id, prestation.name
    else:
        location = catalogue.location(session, location_name)
        audit.location_id, scope = location.id, location.name
    session.add(audit)
    session.flush()
    state = AuditState(audit_id=audit.id, scope=scope, expected=_expected(session, audit))
    audit.expected = len(state.expected)
    return state


def resume_audit(session: Session) -> AuditState | None:
    """The open audit with the scans already made (after a crash or a restart)."""
    audit = open_audit(session)
    if audit is None:
        return None
    scope = (
        session.get_one(Prestation, audit.prestation_id).name
        if audit.prestation_id is not None
        else session.get_one(Location, audit.location_id).name
    )
    state = AuditState(audit_id=audit.id, scope=scope, expected=_expected(session, audit))
    for scan in session.scalars(
        select(AuditScan).where(AuditScan.audit_id == audit.id).order_by(AuditScan.id)
    ):
        place = ""
        if scan.verdict == Verdict.MISPLACED and scan.asset_id is not None:
            place = _place_of(session, session.get_one(Asset, scan.asset_id))
        _apply(state, scan.tag, Verdict(scan.verdict), scan_place=place)
    return state


def _apply(state: AuditState, tag: str, verdict: Verdict, scan_place: str) -> None:
    if verdict is Verdict.PRESENT:
        state.present.append(tag)
    elif verdict is Verdict.UNKNOWN:
        state.unknown.append(tag)
    elif verdict is Verdict.MISPLACED:
        state.misplaced.append((tag, scan_place))


def _place_of(session: Session, asset: Asset) -> str:
    """Where an asset is expected to be, in words."""
    out_for = session.scalar(
        select(Prestation.name)
        .join(Loan, Loan.prestation_id == Prestation.id)
        .join(LoanLine, LoanLine.loan_id == Loan.id)
        .where(LoanLine.asset_id == asset.id, LoanLine.returned_at.is_(None))
    )
    if out_for:
        return _("sorti pour {out_for}").format(out_for=out_for)
    if asset.location_id is not None:
        return f"au lieu {session.get_one(Location, asset.location_id).name}"
    return "sans lieu attendu"


def scan(session: Session, state: AuditState, raw_tag: str) -> tuple[Verdict, str]:
    """Record one scanned tag; returns its verdict and a French line for the screen."""
    tag = catalogue.normalise_tag(raw_tag)
    if not tag:
        raise UserError("lecture vide")
    now = clock.now()
    asset = session.scalar(select(Asset).where(Asset.tag == tag))
    place = ""
    if asset is None:
        verdict = Verdict.UNKNOWN
        if tag in state.unknown:
            verdict = Verdict.REPEATED
    elif tag in state.present or any(t == tag for t, _ in state.misplaced):
        verdict = Verdict.REPEATED
    elif tag in state.expected:
        verdict = Verdict.PRESENT
    else:
        verdict = Verdict.MISPLACED
        place = _place_of(session, asset)
    session.add(
        AuditScan(
            audit_id=state.audit_id,
            tag=tag,
            asset_id=asset.id if asset else None,
            verdict=verdict.value,
            scanned_at=now,
        )
    )
    if verdict is not Verdict.REPEATED:
        _apply(state, tag, verdict, place)
        if asset is not None:
            record(
                session,
                asset,
                EventKind.AUDITED,
                now,
                _("audit n°{audit_id}").format(audit_id=state.audit_id),
            )
    message = f"{tag} : {VERDICT_LABELS[verdict]}" + (f" ({place})" if place else "")
    return verdict, message


def scan_uid(session: Session, state: AuditState, uid: bytes) -> tuple[Verdict, str]:
    """A tagged asset laid on the NFC reader counts as a scan of its tag."""
    tag = session.scalar(select(Asset.tag).where(Asset.nfc_uid == uid.hex().upper()))
    if tag is None:
        return scan(session, state, f"NFC-{uid.hex().upper()}")
    return scan(session, state, tag)


def attach_nfc(session: Session, tag: str, uid: bytes) -> None:
    """Record the UID of the NFC sticker put on an asset."""
    asset = catalogue.asset(session, tag)
    other = session.scalar(select(Asset.tag).where(Asset.nfc_uid == uid.hex().upper()))
    if other is not None and other != asset.tag:
        raise Conflict(_("cette puce NFC est déjà attachée à {other}").format(other=other))
    asset.nfc_uid = uid.hex().upper()


@dataclass(frozen=True, kw_only=True)
class AuditResult:
    audit_id: int
    scope: str
    started_at: dt.datetime
    closed_at: dt.datetime
    present: list[str]
    missing: list[str]
    unknown: list[str]
    misplaced: list[tuple[str, str]]


def close_audit(session: Session, state: AuditState) -> AuditResult:
    """Save the audit's result; the lists stay readable afterwards."""
    audit = session.get_one(Audit, state.audit_id)
    if audit.closed_at is not None:
        raise Conflict(_("l'audit n°{id} est déjà terminé").format(id=audit.id))
    counts = state.counts()
    audit.closed_at = clock.now()
    audit.present, audit.missing = counts["present"], counts["missing"]
    audit.unknown, audit.misplaced = counts["unknown"], counts["misplaced"]
    return AuditResult(
        audit_id=audit.id,
        scope=state.scope,
        started_at=audit.started_at,
        closed_at=audit.closed_at,
        present=sorted(state.present),
        missing=state.missing,
        unknown=sorted(state.unknown),
        misplaced=sorted(state.misplaced),
    )


def abandon_audit(session: Session, audit_id: int) -> None:
    audit = session.get(Audit, audit_id)
    if audit is None or audit.closed_at is not None:
        raise UserError(_("aucun audit ouvert n°{audit_id}").format(audit_id=audit_id))
    audit.closed_at = clock.now()

"""``regie verify``: the whole base against its seal, the first broken record named.

In order: the journal and its Z (:func:`regie.ledger.verify.verify`: the chain by content,
signatures, figures, balances, sales summary), the seal register (its own chain, then every
audit line, person and invoice against its last sealed digest), the Z the audit trail
recorded, and the Z this laptop archived outside the base (``z-archive.jsonl``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from regie.audit.seal_content import GONE, READERS, SEAL_GENESIS
from regie.audit.seal_models import SealHead, SealRecord
from regie.audit.seal_register import chain
from regie.audit.seal_words import broken
from regie.db import Database
from regie.i18n import _
from regie.ledger.labels import z_label
from regie.ledger.models import Closure, LedgerHead
from regie.ledger.verify import VerifyReport, verify
from regie.ledger.z_signing import archived, signatures
from regie.people.models import AuditEntry


@dataclass
class BaseReport:
    ledger: VerifyReport
    sealed: int = 0  # lines of the seal register read
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_base(
    session: Session,
    *,
    archive: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> BaseReport:
    """Everything that must not change, checked; ``archive``: against this laptop's Z archive
    too (not for a backup being restored: an older copy lacks later Z by nature)."""
    ledger = verify(session, progress)
    report = BaseReport(ledger=ledger, problems=list(ledger.problems))
    report.problems += _check_register(session, report)
    report.problems += _check_audited_z(session)
    if archive:
        report.problems += _check_archive(session)
    return report


def _check_register(session: Session, report: BaseReport) -> list[str]:
    problems: list[str] = []
    latest: dict[tuple[str, str], tuple[bytes, str]] = {}
    previous, cut = SEAL_GENESIS, False
    for number, kind, subject, label, digest, stored in session.execute(
        select(
            SealRecord.id,
            SealRecord.kind,
            SealRecord.subject,
            SealRecord.label,
            SealRecord.digest,
            SealRecord.hash,
        ).order_by(SealRecord.id)
    ):
        report.sealed += 1
        if not cut and chain(previous, kind, subject, label, digest) != stored:
            problems.append(
                _(
                    "le registre des sceaux a été modifié ou amputé avant sa ligne n°{number}"
                ).format(number=number)
            )
            cut = True
        previous = stored
        latest[(kind, subject)] = (digest, label)
    head = session.get_one(SealHead, 1)
    if not cut and (head.count != report.sealed or head.last_hash != previous):
        problems.append(_("le registre des sceaux a perdu ses dernières lignes"))
    connection = session.connection()
    for kind, read in READERS.items():
        current = read(connection, None)
        sealed = {subject: value for (k, subject), value in latest.items() if k == kind}
        for subject in sorted(set(current) | set(sealed), key=int):
            now, then = current.get(subject), sealed.get(subject)
            if now is None:
                if then is not None and then[0] != GONE:
                    problems.append(broken(kind, "removed", subject, then[1]))
            elif then is None or then[0] == GONE:
                problems.append(broken(kind, "added", subject, now[1]))
            elif now[0] != then[0]:
                problems.append(broken(kind, "changed", subject, now[1]))
    return problems


def _check_audited_z(session: Session) -> list[str]:
    """Every Z the audit trail saw closed must still be in the base."""
    numbers = set(session.scalars(select(Closure.number)))
    problems = []
    for params in session.scalars(
        select(AuditEntry.params).where(AuditEntry.action == "closure.z").order_by(AuditEntry.id)
    ):
        values = orjson.loads(params)
        number = values.get("number")
        if isinstance(number, int) and number not in numbers:
            problems.append(
                _("{label} est dans le journal d'audit mais plus dans la base : supprimée").format(
                    label=z_label(number, str(values.get("scope", "")))
                )
            )
    return problems


def _check_archive(session: Session) -> list[str]:
    head = session.get_one(LedgerHead, 1)
    closures = {z.number: z for z in session.scalars(select(Closure))}
    signed = signatures(session)
    problems = []
    for number, kept in sorted(archived(head.base_id).items()):
        label = z_label(number, kept.scope)
        closure = closures.get(number)
        if closure is None:
            problems.append(
                _(
                    "{label}, archivée sur cet ordinateur, n'est plus dans la base : supprimée"
                ).format(label=label)
            )
        elif closure.hash.hex() != kept.hash or closure.chain_head.hex() != kept.chain_head:
            problems.append(
                _("{label} ne correspond plus à l'archive de cet ordinateur").format(label=label)
            )
        elif number in signed and signed[number][2] != kept.key:
            problems.append(
                _("{label} : signée par une autre clé que celle archivée").format(label=label)
            )
    return problems


def organisation(session: Session) -> str:
    """Whose base this is: the organisation that issues its invoices (its short name)."""
    from regie import clock
    from regie.settings.convention import settings_at

    return str(settings_at(session, clock.today()).text("partner"))


def other_organisation(session: Session, current: Path) -> list[str]:
    """A backup (``session``) of another organisation than the base at ``current`` says so;
    nothing when there is no base there yet, or one too broken to tell."""
    if not current.exists():
        return []
    base = Database(f"sqlite:///{current}")
    try:
        with base.session() as theirs:
            ours = organisation(theirs)
    except SQLAlchemyError:
        return []
    finally:
        base.dispose()
    backup = organisation(session)
    if backup == ours:
        return []
    return [
        _("la sauvegarde appartient à l'organisation {backup}, la base à {ours}").format(
            backup=backup, ours=ours
        )
    ]


def record_forced_restore(url: str, source: Path, problems: tuple[str, ...]) -> None:
    """A restore forced past the verification, written in the restored base's audit trail."""
    from regie.audit.changes import Line
    from regie.audit.recorder import record
    from regie.i18n import N_

    base = Database(url)
    try:
        with base.session() as session:
            record(
                session,
                Line(
                    action="backup.restore_forced",
                    subject=source.name,
                    template=N_("Sauvegarde {file} restaurée malgré : {problems}"),
                    params={"file": source.name, "problems": " ; ".join(problems)},
                ),
            )
    finally:
        base.dispose()

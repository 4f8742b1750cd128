"""Who may replace the base with a backup, and the trace a restore leaves.

A restore replaces everything, people included: it needs an administrator of the base being
replaced. When that base cannot be read at all (a broken disk, a file that is no longer a
database), nobody can be asked there: the rescue path then needs an administrator *of the
backup*, signed in with that backup's PIN, and it is written to the log file and, once the
backup is in place, to its audit trail. With no base at all there is nothing to protect.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
from pathlib import Path

import orjson

from regie import clock
from regie.backups.copies import database_file
from regie.backups.restore import RestorePlan, RestoreRefused, refuse_a_server
from regie.db import Database
from regie.i18n import N_, _
from regie.people.actor import Actor, require, sign_in
from regie.people.models import AuditEntry
from regie.people.roles import Permission, Role

log = logging.getLogger(__name__)
RESTORED = "backup.restore"
RESCUED = "backup.rescue"


class Replaced(enum.Enum):
    """The base a restore would replace."""

    NONE = "none"  # no file yet: nothing to protect
    READABLE = "readable"  # its people are asked
    BROKEN = "broken"  # cannot be read: the rescue path


def replaced_base(url: str) -> Replaced:
    """What stands where the backup would go (a server's base: refused, pg_restore's job)."""
    refuse_a_server(url)
    path = database_file(url)
    if not path.exists() or path.stat().st_size == 0:
        return Replaced.NONE
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "person" in tables:  # an older base has nobody to ask: readable all the same
                connection.execute("SELECT name, role, active FROM person").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return Replaced.BROKEN
    return Replaced.READABLE


def require_restore(db: Database) -> None:
    """The person acting must be an administrator of ``db`` (anyone while it has nobody)."""
    with db.session() as session:
        require(session, Permission.RESTORE)


def rescue_admin(plan: RestorePlan, name: str | None, pin: str) -> Actor:
    """The backup's own administrator, for a base that cannot be read; refuse anyone else."""
    if not name:
        raise RestoreRefused(
            _(
                "la base {path} ne peut pas être lue : pour la remplacer, identifiez-vous comme "
                "administrateur de la sauvegarde (son nom et son code PIN). Sans administrateur "
                "dans la sauvegarde, mettez d'abord le fichier abîmé de côté : il n'y aura alors "
                "plus de base à remplacer"
            ).format(path=plan.target),
            command=_(
                "la base {path} ne peut pas être lue : pour la remplacer, identifiez-vous comme "
                "administrateur de la sauvegarde (--user NOM, son code PIN dans REGIE_PIN). "
                "Sans administrateur dans la sauvegarde, mettez d'abord le fichier abîmé de "
                "côté : il n'y aura alors plus de base à remplacer"
            ).format(path=plan.target),
        )
    copy = Database(f"sqlite:///{plan.staging}")
    try:
        actor = sign_in(copy, name, pin, place="cli")
    finally:
        copy.dispose()
    if actor.role != Role.ADMIN.value:
        raise RestoreRefused(
            _(
                "{name} n'est pas administrateur dans cette sauvegarde : seul un administrateur "
                "de la sauvegarde peut remplacer une base illisible"
            ).format(name=actor.name)
        )
    log.warning(
        "rescue restore: %s cannot be read; %s, administrator of the backup %s, replaces it",
        plan.target,
        actor.name,
        plan.contents.source,
    )
    return actor


def record_restore(url: str, plan: RestorePlan, actor: Actor, *, rescue: bool) -> None:
    """The restore, in the restored base's own audit trail and in the log file."""
    template = (
        N_("Base illisible remplacée par la sauvegarde {file} (secours)")
        if rescue
        else N_("Base remplacée par la sauvegarde {file}")
    )
    log.warning(
        "restore of %s from %s by %s (rescue: %s)", url, plan.contents.source, actor.name, rescue
    )
    db = Database(url)
    try:
        with db.session() as session:
            session.add(
                AuditEntry(
                    at=clock.now(),
                    actor=actor.name[:80],
                    role=actor.role,
                    action=RESCUED if rescue else RESTORED,
                    subject=Path(plan.contents.source).name[:200],
                    template=template,
                    params=orjson.dumps({"file": Path(plan.contents.source).name}).decode(),
                )
            )
    finally:
        db.dispose()

"""Restore a backup: check it first (integrity, schema, ledger chain), then swap it in.

``prepare_restore`` copies the backup next to the database and checks the copy, so the
backup file itself is never changed; ``apply_restore`` backs up the current database (the
restore can be undone) and renames the checked copy over it while nothing has it open.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from regie import clock
from regie.backups.copies import (
    DEFAULT_KEEP,
    NAME,
    PARTIAL_SUFFIX,
    Backup,
    BackupRefused,
    back_up,
    database_file,
)
from regie.db import Database, alembic_config, is_sqlite, normalise_url
from regie.errors import UserError, unreadable
from regie.faults import crash_point
from regie.i18n import _, format_datetime, format_number, ngettext

SQLITE_MAGIC = b"SQLite format 3\x00"


class RestoreRefused(UserError):
    """The backup is not restored; the message says why. Nothing was changed."""


@dataclass(frozen=True, kw_only=True)
class BackupContents:
    """What a checked backup holds, shown before the user confirms."""

    source: Path
    taken_at: dt.datetime
    schema: str
    transfers: int
    closures: int
    cards: int
    assets: int
    loans: int

    def lines(self, *, short: bool = False) -> list[str]:
        """What the checked backup holds, for the terminal and (``short``: the file's name
        only) the confirmation dialog."""
        return [
            _("Sauvegarde du {moment} : {path}").format(
                moment=format_datetime(self.taken_at),
                path=self.source.name if short else self.source,
            ),
            _("Intégrité vérifiée, grand livre vérifié ({transfers}, {closures}).").format(
                transfers=ngettext("{n} transfert", "{n} transferts", self.transfers).format(
                    n=format_number(self.transfers)
                ),
                closures=ngettext("{n} Z", "{n} Z", self.closures).format(
                    n=format_number(self.closures)
                ),
            ),
            _("{cards}, {assets}, {loans}.").format(
                cards=ngettext("{n} carte", "{n} cartes", self.cards).format(
                    n=format_number(self.cards)
                ),
                assets=ngettext("{n} matériel", "{n} matériels", self.assets).format(
                    n=format_number(self.assets)
                ),
                loans=ngettext("{n} prêt", "{n} prêts", self.loans).format(
                    n=format_number(self.loans)
                ),
            ),
        ]


@dataclass(frozen=True)
class RestorePlan:
    contents: BackupContents
    staging: Path  # the checked copy, next to the database
    target: Path
    # What the verification found and ``force`` overrode (the caller records it): empty when
    # the backup verified whole and belongs to this base's organisation.
    forced: tuple[str, ...] = ()

    def discard(self) -> None:
        self.staging.unlink(missing_ok=True)


def prepare_restore(url: str, source: Path, *, force: bool = False) -> RestorePlan:
    """Copy ``source`` beside the database at ``url`` and check the copy; refuse with why.

    A backup that fails ``regie verify`` or belongs to another organisation is refused unless
    ``force`` (an admin's choice, recorded by the caller from ``plan.forced``)."""
    refuse_a_server(url)
    target = database_file(url)
    _check_is_sqlite(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".regie-", suffix=PARTIAL_SUFFIX, dir=target.parent)
    os.close(handle)
    staging = Path(name)
    try:
        contents, forced = _check_copy(source, staging, target, force=force)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return RestorePlan(contents=contents, staging=staging, target=target, forced=forced)


def refuse_a_server(url: str) -> None:
    """A base on a PostgreSQL server is restored by the server's tools, not by Régie."""
    if not is_sqlite(normalise_url(url)):
        raise RestoreRefused(
            _(
                "la base est sur un serveur PostgreSQL : restaurez-la sur le serveur "
                "(pg_restore), pas avec Régie"
            )
        )


def apply_restore(
    plan: RestorePlan,
    url: str,
    folder: Path | None = None,
    *,
    keep: int = DEFAULT_KEEP,
    broken: bool = False,
) -> Backup | None:
    """Replace the database with the checked copy; returns the backup of the replaced one.

    Every connection to the database must be closed first (the GUI disposes its engine). A
    ``broken`` base cannot be backed up: it is set aside, renamed, beside the new one.
    """
    safety: Backup | None = None
    if broken and plan.target.exists():
        set_aside(plan.target)
    elif plan.target.exists():
        safety = back_up(url, folder, keep=keep)
        _leave_wal(plan.target)
    crash_point("restore:before-replace")  # fault tests: the old database must still be whole
    os.replace(plan.staging, plan.target)
    return safety


def set_aside(path: Path) -> Path:
    """Rename a base that cannot be read (and its sidecars) out of the way; where it went."""
    moment = clock.now().strftime("%Y-%m-%dT%H-%M-%S")
    aside = path.with_name(f"{path.name}.illisible-{moment}")
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    os.replace(path, aside)
    return aside


def _check_is_sqlite(source: Path) -> None:
    try:
        with source.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise RestoreRefused(str(unreadable(source, error))) from None
    if header != SQLITE_MAGIC:
        raise RestoreRefused(
            _("{path} n'est pas une sauvegarde de Régie (ce n'est pas une base SQLite)").format(
                path=source
            )
        )


def _check_copy(
    source: Path, staging: Path, target: Path, *, force: bool
) -> tuple[BackupContents, tuple[str, ...]]:
    damaged = _("la sauvegarde {path} est endommagée ({reason}) : choisissez-en une autre")
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        writer = sqlite3.connect(staging)
        try:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")
            verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
            schema = _schema(writer, source)
        finally:
            writer.close()
            reader.close()
    except sqlite3.Error as error:
        raise RestoreRefused(damaged.format(path=source, reason=error)) from None
    if verdict != "ok":
        raise RestoreRefused(damaged.format(path=source, reason=verdict))
    copy = Database(f"sqlite:///{staging}")
    try:
        copy.upgrade()  # an older backup is brought to this version's schema, on the copy
        contents, forced = _verify_ledger(copy, source, schema, target, force=force)
    except SQLAlchemyError as error:
        raise RestoreRefused(damaged.format(path=source, reason=error.__class__.__name__)) from None
    except (TypeError, ValueError, LookupError, ArithmeticError) as error:
        # A text where the ledger keeps an amount, a hash of the wrong size…: SQLite keeps any
        # value in any column, the checks cannot even read it. Damaged, in the user's words.
        reason = _("valeur illisible dans le grand livre : {error}").format(error=error)
        raise RestoreRefused(damaged.format(path=source, reason=reason)) from None
    finally:
        copy.dispose()
    _leave_wal(staging)
    return contents, forced


def _schema(connection: sqlite3.Connection, source: Path) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None:
        raise RestoreRefused(
            _("{path} n'est pas une sauvegarde de Régie (pas de schéma Régie)").format(path=source)
        )
    revision = str(row[0])
    from alembic.script import ScriptDirectory  # 0.15 s to import: not at Régie's start
    from alembic.util.exc import CommandError

    try:
        known = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise RestoreRefused(
            _(
                "{path} vient d'une version plus récente de Régie (schéma {schema}) : "
                "mettez Régie à jour avant de la restaurer"
            ).format(path=source, schema=revision)
        )
    return revision


def _verify_ledger(
    copy: Database, source: Path, schema: str, target: Path, *, force: bool
) -> tuple[BackupContents, tuple[str, ...]]:
    from regie.audit.seal_verify import other_organisation, verify_base
    from regie.cards.models import Card
    from regie.inventory.models import Asset, Loan

    with copy.session() as session:
        checked = verify_base(session, archive=False)
        report = checked.ledger
        problems = [*checked.problems, *other_organisation(session, target)]
        if problems and not checked.problems and not force:
            raise RestoreRefused(
                _(
                    "la sauvegarde {path} n'est pas celle de cette base : {detail}. "
                    "Choisissez-en une autre"
                ).format(path=source, detail=problems[0]),
                command=_(
                    "la sauvegarde {path} n'est pas celle de cette base : {detail}. "
                    "Choisissez-en une autre (un administrateur peut forcer : --force)"
                ).format(path=source, detail=problems[0]),
            )
        if problems and not force:
            more = len(problems) - 1
            detail = problems[0] + (f" (+{more})" if more else "")
            raise RestoreRefused(
                _(
                    "le grand livre de la sauvegarde {path} ne se vérifie pas : {detail}. "
                    "Elle a été modifiée ou abîmée : choisissez-en une autre"
                ).format(path=source, detail=detail)
            )

        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        contents = BackupContents(
            source=source,
            taken_at=_taken_at(source),
            schema=schema,
            transfers=report.transfers,
            closures=report.closures,
            cards=count(Card),
            assets=count(Asset),
            loans=count(Loan),
        )
        return contents, tuple(problems)


def _taken_at(source: Path) -> dt.datetime:
    match = NAME.match(source.name)
    if match is not None:
        return dt.datetime.strptime(match.group(1), "%Y-%m-%dT%H-%M-%S").astimezone()
    return dt.datetime.fromtimestamp(source.stat().st_mtime).replace(microsecond=0).astimezone()


def _leave_wal(path: Path) -> None:
    """Fold the write-ahead log into the file so it can be renamed alone.

    Leaving WAL mode needs the only connection: it fails while another program has the
    database open, which is what we want before replacing the file under it.
    """
    try:
        connection = sqlite3.connect(path, timeout=2)
        try:
            connection.execute("PRAGMA journal_mode=DELETE").fetchone()
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupRefused(_busy(path, str(error))) from None
    if str(mode).lower() != "delete":
        raise BackupRefused(_busy(path, str(mode)))
    for sidecar in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if sidecar.stat().st_size == 0:
                sidecar.unlink()


def _busy(path: Path, reason: str) -> str:
    return _(
        "la base {path} est ouverte par un autre programme ({reason}) : fermez les autres "
        "fenêtres de Régie et recommencez"
    ).format(path=path, reason=reason)

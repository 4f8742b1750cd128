"""Make a backup: SQLite's online backup into a temporary file, checked, then renamed.

A backup is never half-written under its final name: the copy goes to a ``.partial`` file in
the backup folder, ``PRAGMA integrity_check`` reads it back, and only then is it renamed to
``regie-2026-11-21T14-05-00.sqlite3``. The rotation keeps the newest ``keep`` files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from regie.db import is_sqlite, normalise_url
from regie.errors import UserError
from regie.faults import crash_point
from regie.i18n import _
from regie.paths import data_dir

log = logging.getLogger(__name__)

FOLDER_NAME = "sauvegardes"
DEFAULT_KEEP = 24
DEFAULT_INTERVAL_MINUTES = 60
PARTIAL_SUFFIX = ".partial"
NAME = re.compile(r"^regie-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)(?:-(\d+))?\.sqlite3$")


class BackupRefused(UserError):
    """The database cannot be backed up by Régie (PostgreSQL, in memory) or the copy failed."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    taken_at: dt.datetime

    @property
    def name(self) -> str:
        return self.path.name


def default_folder() -> Path:
    """``<user data dir>/sauvegardes``."""
    return data_dir() / FOLDER_NAME


def database_file(url: str) -> Path:
    """The SQLite file behind ``url``; a refusal saying why for anything else."""
    url = normalise_url(url)
    if not is_sqlite(url):
        raise BackupRefused(
            _(
                "la base est sur un serveur PostgreSQL : Régie ne la sauvegarde pas elle-même, "
                "c'est le travail du serveur (pg_dump, sauvegardes du serveur)"
            )
        )
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupRefused(_("une base en mémoire n'a pas de fichier à sauvegarder"))
    return Path(database)


def backups(folder: Path) -> list[Backup]:
    """The backups of the rotation in ``folder``, oldest first."""
    found: list[tuple[tuple[str, int], Backup]] = []
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        stamp, counter = match.group(1), int(match.group(2) or 0)
        # named on the laptop's clock: aware, so the window shows it on the events' clock
        taken_at = dt.datetime.strptime(stamp, "%Y-%m-%dT%H-%M-%S").astimezone()
        found.append(((stamp, counter), Backup(path, path.stat().st_size, taken_at)))
    return [backup for _key, backup in sorted(found, key=lambda item: item[0])]


def back_up(
    url: str,
    folder: Path | None = None,
    *,
    keep: int = DEFAULT_KEEP,
    out: Path | None = None,
    now: dt.datetime | None = None,
) -> Backup:
    """Copy the database at ``url`` into the rotation of ``folder`` (or to ``out``).

    The application may go on writing meanwhile: the copy is one consistent state. With
    ``out`` the file is written there and the rotation is left alone.
    """
    source_path = database_file(url)
    if not source_path.is_file():
        raise BackupRefused(_("la base {path} n'existe pas encore").format(path=source_path))
    moment = (now or dt.datetime.now()).replace(microsecond=0)
    target_folder = out.parent if out is not None else (folder or default_folder())
    try:
        target_folder.mkdir(parents=True, exist_ok=True)
        partial = _copy(source_path, target_folder)
    except (OSError, sqlite3.Error) as error:
        raise BackupRefused(
            _("la sauvegarde dans {folder} a échoué ({reason})").format(
                folder=target_folder, reason=_reason(error)
            )
        ) from error
    crash_point("backup:copied")  # fault tests: a kill here must leave only a .partial file
    final = out if out is not None else _free_name(target_folder, moment)
    os.replace(partial, final)
    _sync_folder(target_folder)
    if out is None:
        rotate(target_folder, keep)
    log.info("backup of %s written to %s", source_path, final)
    return Backup(final, final.stat().st_size, moment)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups, and copies left by an interrupted backup."""
    removed = []
    for backup in backups(folder)[: -max(keep, 1)]:
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    an_hour_ago = time.time() - 3600  # younger ones may be another backup being written
    for stale in folder.glob(f".regie-*{PARTIAL_SUFFIX}"):
        if stale.stat().st_mtime < an_hour_ago:  # a backup killed mid-copy
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def _copy(source_path: Path, folder: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=".regie-", suffix=PARTIAL_SUFFIX, dir=folder)
    os.close(handle)
    partial = Path(name)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            # One self-contained file: no -wal beside it, readable from a USB stick.
            target.execute("PRAGMA journal_mode=DELETE")
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if verdict != "ok":
            raise sqlite3.DatabaseError(str(verdict))
        with open(partial, "rb") as copy:
            os.fsync(copy.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


def _free_name(folder: Path, moment: dt.datetime) -> Path:
    stem = f"regie-{moment:%Y-%m-%dT%H-%M-%S}"
    path, counter = folder / f"{stem}.sqlite3", 1
    while path.exists():  # two backups in the same second (opening, then a manual one)
        counter += 1
        path = folder / f"{stem}-{counter}.sqlite3"
    return path


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system can open a directory (Windows)
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__

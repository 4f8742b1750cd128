"""Where backups go, how many are kept, how often: the laptop's settings, with defaults."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from regie.backups.copies import DEFAULT_INTERVAL_MINUTES, DEFAULT_KEEP, default_folder

if TYPE_CHECKING:
    from regie.settings.laptop import LaptopSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupSettings:
    folder: Path
    keep: int = DEFAULT_KEEP
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES


def backup_settings(saved: LaptopSettings | None = None) -> BackupSettings:
    """``backup.folder`` (empty: ``<data dir>/sauvegardes``), ``backup.keep``,
    ``backup.interval_minutes`` from this laptop's settings (its file unless ``saved``)."""
    if saved is None:
        try:
            from regie.settings.laptop import LaptopSettings
        except ImportError:  # a Régie without the settings registry: the defaults
            return BackupSettings(default_folder())
        saved = LaptopSettings.load()
    folder = saved.text("backup.folder").strip()
    return BackupSettings(
        folder=Path(folder).expanduser() if folder else default_folder(),
        keep=saved.number("backup.keep"),
        interval_minutes=saved.number("backup.interval_minutes"),
    )

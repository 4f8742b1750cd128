"""Where Régie keeps its files, and which database a command talks to."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir, user_log_dir

APP_NAME = "regie"
DATABASE_ENV = "REGIE_DATABASE_URL"
DATA_DIR_ENV = "REGIE_DATA_DIR"


def data_dir() -> Path:
    """The user data dir (``REGIE_DATA_DIR`` overrides it, for tests and portable installs)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) / "logs" if override else Path(user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "regie.sqlite3"


def resolve_database_url(explicit: str | None = None) -> str:
    """``--db URL`` first, then ``REGIE_DATABASE_URL``, then the embedded SQLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{default_database_path()}"

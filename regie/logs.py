"""The log file in the user log dir, and plain words for failures the user sees."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from regie.i18n import _
from regie.paths import log_dir

LOG_NAME = "regie.log"


def log_file() -> Path:
    """The file this process logs to (where messages send the user), once logging is set up."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return log_dir() / LOG_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Send Régie's log to a rotating file (once per process)."""
    root = logging.getLogger()
    path = log_file()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        path = log_dir() / LOG_NAME
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plug-in otherwise
    return path


def describe_failure(error: BaseException) -> str:
    """A French sentence for an unexpected error, pointing at the log for details."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    if isinstance(error, OperationalError):
        what = _("la base de données ne répond pas ({orig})").format(
            orig=_first_line(error.orig or error)
        )
    elif isinstance(error, SQLAlchemyError):
        what = _("erreur de base de données ({error})").format(error=_first_line(error))
    elif isinstance(error, OSError):
        what = _("erreur du système ({strerror})").format(strerror=error.strerror or error)
    else:
        what = _("erreur inattendue ({name}: {error})").format(
            name=type(error).__name__, error=_first_line(error)
        )
    return _("{what}. Rien n'a été enregistré à moitié. Détails : {log_file}").format(
        what=what, log_file=log_file()
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

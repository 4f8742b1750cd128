"""Crash points for fault tests: ``REGIE_CRASH_AT=name`` kills the process there, hard.

A crash test starts Régie in a subprocess with this variable and checks that the database is
consistent afterwards. In normal use the variable is unset and this costs one dict lookup.
"""

from __future__ import annotations

import os

CRASH_ENV = "REGIE_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os._exit(70)  # no cleanup, no rollback: what a power cut or a kill -9 does

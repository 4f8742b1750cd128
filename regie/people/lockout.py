"""The door's memory of failed sign-ins: a growing delay after repeated failures, and a line
in the audit trail for each failure (who was tried, from where).

Five failures in a row lock the name for 30 seconds; each further failure doubles the delay
(one day at most). A success clears it. Time is :func:`regie.clock.now`, so tests move it
instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy.orm import Session

from regie import clock
from regie.i18n import N_, _
from regie.people.models import AuditEntry, SignInLock

FREE_FAILURES = 5
FIRST_DELAY = dt.timedelta(seconds=30)
LONGEST_DELAY = dt.timedelta(days=1)
PLACES = {"cli": N_("ligne de commande"), "window": N_("fenêtre")}
FAILED = "signin.failed"
LOCKED = "signin.locked"


def delay_after(failures: int) -> dt.timedelta:
    """How long a name stays locked after ``failures`` failures in a row (0: not locked)."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    doublings = min(failures - FREE_FAILURES, 16)  # past a day already: no need to go on
    delay: dt.timedelta = FIRST_DELAY * 2**doublings
    return min(delay, LONGEST_DELAY)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops it


def _key(name: str) -> str:
    return " ".join(name.split())[:80]


def locked_for(session: Session, name: str) -> dt.timedelta:
    """How long ``name`` must still wait before trying again (zero: it may try now)."""
    lock = session.get(SignInLock, _key(name))
    if lock is None or lock.locked_until is None:
        return dt.timedelta(0)
    return max(_aware(lock.locked_until) - clock.now(), dt.timedelta(0))


def wait_text(wait: dt.timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return _("{n} s").format(n=seconds)
    return _("{n} min").format(n=(seconds + 59) // 60)


def note_failure(session: Session, name: str, place: str, *, locked: bool = False) -> None:
    """Count one failure of ``name`` (unless it was refused while locked) and record it."""
    key = _key(name)
    lock = session.get(SignInLock, key)
    if lock is None:
        lock = SignInLock(name=key, failures=0, locked_until=None)
        session.add(lock)
    if not locked:
        lock.failures += 1
        delay = delay_after(lock.failures)
        lock.locked_until = clock.now() + delay if delay else None
    params: dict[str, Any] = {"person": key, "place": place, "failures": lock.failures}
    template = (
        N_("Connexion refusée à {person} ({place}) : nom verrouillé")
        if locked
        else N_("Connexion refusée à {person} ({place}) : nom ou code PIN incorrect")
    )
    session.add(
        AuditEntry(
            at=clock.now(),
            actor=key,
            role="",
            action=LOCKED if locked else FAILED,
            subject=place,
            template=template,
            params=orjson.dumps(params).decode(),
        )
    )
    session.flush()


def note_success(session: Session, name: str) -> None:
    lock = session.get(SignInLock, _key(name))
    if lock is not None:
        session.delete(lock)
        session.flush()

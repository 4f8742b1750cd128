"""What the person at the keyboard may do, as the screens show it: a button the role forbids is
disabled and its tooltip says who may use it. The core's ``require`` stays the protection; this
only mirrors it. In single-user mode (nobody registered) everything stays enabled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from regie.db import Database
from regie.errors import UserError
from regie.people.actor import require
from regie.people.roles import Permission

log = logging.getLogger(__name__)
Arg = TypeVar("Arg")
Result = TypeVar("Result")


def allowed(db: Database, permission: Permission) -> bool:
    """Whether the current person may do it (always, in single-user mode)."""
    return not refusal(db, permission)


def refusal(db: Database, permission: Permission) -> str:
    """The core's own refusal (who is acting, what is needed); "" when allowed.

    A database that cannot be read leaves the button as it is: the screen says what went
    wrong when it reads its rows, and the operation itself is checked again by the core.
    """
    try:
        with db.session() as session:
            require(session, permission)
    except UserError as error:
        return str(error)
    except Exception:
        log.warning("who may %s: database unreadable", permission, exc_info=True)
    return ""


def guard(widget: QWidget, db: Database, permission: Permission) -> bool:
    """Disable ``widget`` with the refusal as tooltip when the role forbids it.

    Returns whether it is allowed: a screen that enables the widget again later (a selection,
    the end of a task) keeps it disabled with ``setEnabled(allowed and …)``.
    """
    why = refusal(db, permission)
    if why:
        widget.setEnabled(False)
        widget.setToolTip(why)
    return not why


def behind(
    db: Database, permission: Permission, work: Callable[[Arg], Result]
) -> Callable[[Arg], Result]:
    """``work`` with the permission checked again where it runs (a task's worker), for the
    doors the core cannot guard itself (the Stripe key lives in the system's keyring) or that
    replace the whole base (a restore): a disabled button is not the protection."""

    def checked(argument: Arg) -> Result:
        with db.session() as session:
            require(session, permission)
        return work(argument)

    return checked

"""The window's shared signals: what an operation changed, told to every screen; and ``emit``.

Change notices (as Anki's "operation did execute" hook): a task's changes (``regie.changed``)
or the writes a screen made on the GUI thread reach ``notices().changed`` as a ``Notice``;
each screen says which entities concern it (``Concerns``) and reads again only then, the
screen that made the change excepted (it shows its own result).

``emit`` works around PySide6 6.12.0's reference leak on ``True``: its ``Signal.emit()``
returns ``True`` without owning a reference to it, so every call made from Python takes one
reference off ``True``. After a few thousand emits (an import reports its progress, a screen
says it changed) ``True``'s count reaches zero and the interpreter aborts ("Fatal Python
error: bool_dealloc"). 6.11 does not do it. ``emit`` gives the reference back when this
PySide6 leaks it (found out once, at import, on a signal of our own), and does nothing more
on a sound one.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from regie.changed import Changes, take_unrecorded


class _Probe(QObject):
    fired = Signal()


def _emit_leaks() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    leaks = sys.getrefcount(True) < before
    _incref(True, 8 if leaks else 0)  # give back what the probe took
    return leaks


def _incref(value: object, times: int) -> None:
    for _ in range(times):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(value))


def emit(signal: Any, *args: object) -> None:
    """``signal.emit(*args)``, minus PySide6 6.12.0's leak."""
    result = signal.emit(*args)
    if LEAKS:
        _incref(result, 1)


LEAKS = _emit_leaks()


@dataclass(frozen=True, kw_only=True)
class Notice:
    """What changed, and which object asked for it (a screen, a dialog; None: elsewhere)."""

    changes: Changes
    origin: QObject | None = None

    def comes_from(self, screen: QObject) -> bool:
        """The change was made by ``screen`` or by one of its children (a dialog, a task)."""
        node = self.origin
        try:
            while node is not None:
                if node is screen:
                    return True
                node = node.parent()
        except RuntimeError:  # the origin was closed meanwhile
            return False
        return False


class Notices(QObject):
    """The hub: one per application, on the GUI thread."""

    changed = Signal(object)  # a Notice

    def tell(self, changes: Changes, origin: QObject | None = None) -> None:
        if changes:
            emit(self.changed, Notice(changes=changes, origin=origin))

    def announce(self, origin: QObject | None = None) -> None:
        """Tell what was written outside any task since the last time (by ``origin`` on the
        GUI thread, by a device thread, by a test): nothing when nothing was."""
        self.tell(take_unrecorded(), origin)


_hub: Notices | None = None


def notices() -> Notices:
    global _hub
    try:
        if _hub is not None:
            _hub.objectName()  # still alive?
            return _hub
    except RuntimeError:
        pass
    _hub = Notices()
    _hub.setObjectName("notices")
    return _hub


def concerns(screen: QObject, notice: Notice, default: frozenset[str] | None = None) -> bool:
    """Must ``screen`` read again: the change touches an entity of its ``CONCERNS`` (else of
    ``default``, its section's; any change, for a screen with neither) and was not made by
    the screen itself."""
    if notice.comes_from(screen):
        return False
    entities: frozenset[str] | None = getattr(screen, "CONCERNS", default)
    return entities is None or notice.changes.concerns(entities)

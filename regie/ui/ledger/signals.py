"""Emit a Qt signal from Python without PySide6 6.12.0's reference leak on ``True``.

PySide6 6.12.0's ``Signal.emit()`` returns ``True`` without owning a reference to it: every
call made from Python takes one reference off ``True``. After a few thousand emits (an
import reports its progress, a screen says it changed) ``True``'s count reaches zero and
the interpreter aborts ("Fatal Python error: bool_dealloc"), mid-festival or at exit.
6.11 does not do it. ``emit`` gives the reference back when this PySide6 leaks it (found
out once, at import, on a signal of our own), and does nothing more on a sound one.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


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

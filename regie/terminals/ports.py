"""Ports a terminal may be on, for the port picker. Only a hint: pyserial's listing misses
ptys and some USB gadgets, so the user can always type a path or a pyserial URL."""

from __future__ import annotations

import glob
from dataclasses import dataclass

from regie.i18n import _

# Where Linux puts USB CDC terminals (Sunmi, a Pi's gadget port), USB-serial adapters, and
# the stable names udev gives them.
PATTERNS = ("/dev/serial/by-id/*", "/dev/ttyACM*", "/dev/ttyUSB*", "/dev/ttyGS*")


@dataclass(frozen=True)
class PortChoice:
    port: str
    description: str


def candidate_ports(remembered: list[str] | None = None) -> list[PortChoice]:
    """Ports seen by pyserial, device files that look like terminals, and ports that worked
    before (``remembered``), without duplicates, in that order."""
    found: dict[str, str] = {}
    try:
        from serial.tools import list_ports

        for info in list_ports.comports():
            found.setdefault(info.device, info.description or _("port série"))
    except Exception:  # a broken sysfs must not break the picker
        pass
    for pattern in PATTERNS:
        for path in sorted(glob.glob(pattern)):
            found.setdefault(path, _("port série"))
    for port in remembered or []:
        if port:
            found.setdefault(port, _("utilisé la dernière fois"))
    return [PortChoice(port, text) for port, text in found.items()]

"""A reader lent to the encoder: every card laid on it goes to one handler, until released.

The device manager places the lease on the reader asked for as soon as it is plugged in, takes
it back when the reader goes, and places it again when it comes back; the lease tells its
borrower where it stands (``on_status``) in the words the encoding station shows.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from regie.devices.card_link import CardHandler
from regie.devices.reader_owner import ReaderOwner
from regie.devices.simulated import reader_name
from regie.i18n import _

log = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0  # a card being served when the lease ends finishes first (tens of ms)


class LeaseStatus(enum.StrEnum):
    READY = "ready"  # reader found, waiting for a card
    READER_MISSING = "reader_missing"
    SERVICE_DOWN = "service_down"
    STOPPED = "stopped"


StatusListener = Callable[[LeaseStatus, str], None]


def match_reader(wanted: str | None, names: list[str]) -> str | None:
    """The reader meant by ``wanted``: exact name, else the only one containing it."""
    if wanted is None:
        return names[0] if names else None
    if wanted in names:
        return wanted
    matches = [name for name in names if wanted.lower() in name.lower()]
    return matches[0] if len(matches) == 1 else None


class ReaderLease:
    """One borrower's hold on a reader; built by :meth:`DeviceManager.serve_cards`."""

    def __init__(
        self,
        wanted: str | None,
        handler: CardHandler,
        on_status: StatusListener | None,
        end: Callable[[ReaderLease], None],
    ) -> None:
        self.wanted = wanted
        self.handler = handler
        self.reader: str | None = None  # the reader it holds now
        self.owner: ReaderOwner | None = None
        self.running = True
        self._on_status = on_status
        self._end = end
        self._last: tuple[LeaseStatus, str] | None = None

    def release(self) -> None:
        """Give the reader back; a card being served finishes first."""
        if not self.running:
            return
        self._end(self)
        owner = self.detach()
        self.running = False
        if owner is not None:
            owner.settle(SETTLE_SECONDS)
        self.status(LeaseStatus.STOPPED, _("session arrêtée"))

    # -- called by the device manager, under its lock ------------------------------------
    def attach(self, reader: str, owner: ReaderOwner) -> None:
        self.reader, self.owner = reader, owner
        owner.serve(self.handler)
        self.status(
            LeaseStatus.READY, _("{name} : posez une carte").format(name=reader_name(reader))
        )

    def detach(self) -> ReaderOwner | None:
        owner, self.owner = self.owner, None
        if owner is not None and owner.handler is self.handler:
            owner.serve(None)
        return owner

    def missing(self, gone: str | None = None) -> None:
        if gone is not None:
            message = _("lecteur {name} débranché").format(name=reader_name(gone))
        else:
            wanted = f"« {self.wanted} »" if self.wanted else _("de cartes")
            message = _("lecteur {wanted} introuvable : branchez-le (la session attend)").format(
                wanted=wanted
            )
        self.status(LeaseStatus.READER_MISSING, message)

    def status(self, status: LeaseStatus, message: str) -> None:
        if (status, message) == self._last or self._on_status is None:
            return
        self._last = (status, message)
        try:
            self._on_status(status, message)
        except Exception:
            log.exception("on_status")

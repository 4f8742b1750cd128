"""What every card-reader backend reports, whatever the hardware behind it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from regie.devices.reader_owner import ReaderOwner


class ReaderEventKind(enum.StrEnum):
    SERVICE_UP = "service_up"  # the PC/SC service answers
    SERVICE_DOWN = "service_down"  # pcscd is not running or stopped
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"


@dataclass(frozen=True)
class ReaderEvent:
    kind: ReaderEventKind
    backend: str
    reader: str = ""
    atr: bytes = b""
    uid: bytes = b""  # empty when the UID could not be read
    detail: str = ""


EventSink = Callable[[ReaderEvent], None]


class CardReaderBackend(Protocol):
    """A source of reader and card events, and the owner of its readers' threads.

    ``start`` must not block; ``owner`` is the thread that talks to the cards of a reader
    the backend reported (None once it is gone).
    """

    name: str

    def start(self, emit: EventSink) -> None: ...

    def stop(self) -> None: ...

    def owner(self, reader: str) -> ReaderOwner | None: ...


GET_UID_APDU = [0xFF, 0xCA, 0x00, 0x00, 0x00]

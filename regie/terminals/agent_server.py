"""The terminal's end of the link: answers Régie's requests from the state directory.

The agent never speaks first: it reads frames, and answers each one with exactly one frame
carrying the same exchange number (a reply, a NAK for a damaged frame, or an ERROR). When the
port goes away (cable pulled, USB gadget reset) it waits for it to come back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import serial

from regie.i18n import _
from regie.ledger.journal_signature import NONCE_SIZE, batch_mac
from regie.terminals.agent_state import AgentRefusal, AgentState
from regie.terminals.frames import (
    BATCH_MAC,
    CHUNK_OFFSET,
    JOURNAL_HEAD,
    MAX_PAYLOAD,
    Damaged,
    Decoder,
    Frame,
    Kind,
    encode,
    pack_json,
    unpack_json,
)
from regie.version import __version__

AGENT_PROTOCOL = 1
MAX_CHUNK = 64 * 1024
QUIET = 0.5  # seconds without a byte in the middle of a frame: the frame was cut
log = logging.getLogger("regie.agent")


class AgentServer:
    def __init__(
        self,
        state: AgentState,
        port: str,
        *,
        protocol: int = AGENT_PROTOCOL,
        baudrate: int = 115_200,
    ) -> None:
        self.state = state
        self.port = port
        self.protocol = protocol
        self.baudrate = baudrate
        self.started = time.monotonic()
        self.sessions = 0
        self._handlers: dict[int, Callable[[Frame], bytes]] = {
            Kind.HELLO: self._hello,
            Kind.STATUS: self._status,
            Kind.OFFER: self._offer,
            Kind.CHUNK: self._chunk,
            Kind.VERIFY: self._verify,
            Kind.COMMIT: self._commit,
            Kind.PAIR: self._pair,
            Kind.JOURNAL: self._journal,
            Kind.JOURNAL_ACK: self._journal_ack,
        }

    # -- the port ------------------------------------------------------------------------
    def serve_forever(self, stop: threading.Event) -> None:
        waiting = False
        while not stop.is_set():
            try:
                line = serial.serial_for_url(
                    self.port, baudrate=self.baudrate, timeout=0.2, write_timeout=30
                )
            except (serial.SerialException, ValueError, OSError) as error:
                if not waiting:
                    log.info("en attente du port %s (%s)", self.port, error)
                    waiting = True
                stop.wait(0.1)
                continue
            waiting = False
            log.info("port %s ouvert", self.port)
            try:
                self.serve(line, stop)
            except (serial.SerialException, OSError) as error:
                log.info("liaison perdue sur %s (%s) : en attente du câble", self.port, error)
            finally:
                with contextlib.suppress(serial.SerialException, OSError):
                    line.close()
            stop.wait(0.1)

    def serve(self, line: Any, stop: threading.Event) -> None:
        decoder = Decoder()
        last_byte = time.monotonic()
        while not stop.is_set():
            data = line.read(max(1, line.in_waiting))
            now = time.monotonic()
            if data:
                last_byte = now
                items = decoder.feed(data)
            elif decoder.pending and now - last_byte > QUIET:
                items = decoder.give_up_partial()  # a frame cut short: look past its start
            else:
                continue
            for item in items:
                answer = self.answer(item)
                if answer:
                    line.write(answer)

    # -- requests ------------------------------------------------------------------------
    def answer(self, item: Frame | Damaged) -> bytes:
        if isinstance(item, Damaged):
            log.info("trame abîmée (n°%d) : on la redemande", item.exchange)
            return encode(Kind.NAK, item.exchange, pack_json({"reason": "checksum"}))
        handler = self._handlers.get(item.kind)
        if handler is None:
            if item.kind & 0x80:
                return b""  # a reply in the line (an echo): not for us
            return self._error(item, "unknown", f"message inconnu 0x{item.kind:02X}")
        try:
            return encode(Kind(item.kind).reply, item.exchange, handler(item))
        except AgentRefusal as refusal:
            return self._error(item, refusal.code, str(refusal))
        except (ValueError, KeyError, TypeError) as error:
            return self._error(
                item, "bad_request", _("requête illisible ({error})").format(error=error)
            )

    def _error(self, item: Frame, code: str, message: str) -> bytes:
        log.info("refusé : %s", message)
        return encode(Kind.ERROR, item.exchange, pack_json({"code": code, "message": message}))

    def _greeting(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "agent": f"regie-agent {__version__}",
            "max_chunk": MAX_CHUNK,
            **self.state.describe(),
        }

    def _hello(self, frame: Frame) -> bytes:
        self.sessions += 1
        log.info("bonjour de %s", unpack_json(frame.payload).get("app", "?"))
        return pack_json(self._greeting())

    def _status(self, _frame: Frame) -> bytes:
        config = self.state.config()
        status = self._greeting()
        status.update(
            pos=(config.get("pos") or {}).get("name"),
            products=len(config.get("products") or []),
            staff=len(config.get("staff") or []),
            blocked=len(config.get("blocked") or []),
            previous=self.state.active.get("previous"),
            pending=self.state.journal.last - self.state.journal.acked,
            uptime=round(time.monotonic() - self.started),
        )
        return pack_json(status)

    def _offer(self, frame: Frame) -> bytes:
        data = unpack_json(frame.payload)
        have = self.state.offer(
            int(data["version"]), str(data["hash"]), int(data["size"]), str(data["terminal"])
        )
        log.info(
            "configuration v%s annoncée (%s o, %s déjà là)", data["version"], data["size"], have
        )
        return pack_json({"have": have, "chunk": MAX_CHUNK})

    def _chunk(self, frame: Frame) -> bytes:
        (offset,) = CHUNK_OFFSET.unpack_from(frame.payload)
        have = self.state.write_chunk(offset, frame.payload[CHUNK_OFFSET.size :])
        return pack_json({"have": have})

    def _verify(self, frame: Frame) -> bytes:
        result = self.state.verify(str(unpack_json(frame.payload)["hash"]))
        log.info("vérification : %s", "bonne" if result["ok"] else result["problem"])
        return pack_json(result)

    def _commit(self, frame: Frame) -> bytes:
        data = unpack_json(frame.payload)
        config = self.state.commit(int(data["version"]), str(data["hash"]))
        log.info("configuration v%s en service", config.get("version"))
        return pack_json(config)

    def _pair(self, frame: Frame) -> bytes:
        data = unpack_json(frame.payload)
        key = self.state.pair(
            str(data["terminal"]), str(data["serial"]), bytes.fromhex(data["secret"])
        )
        log.info("appairé à Régie (clé %s)", key)
        return pack_json({"paired": key})

    def _journal(self, frame: Frame) -> bytes:
        """Lines after ``since``; asked with a ``nonce``, every line and the batch signed."""
        data = unpack_json(frame.payload)
        since = int(data["since"])
        nonce = bytes.fromhex(data["nonce"]) if data.get("nonce") else None
        secret = self.state.secret if nonce is not None else None
        if nonce is not None and (secret is None or len(nonce) != NONCE_SIZE):
            raise AgentRefusal(
                "not_paired", _("terminal non appairé : poussez-lui sa configuration")
            )
        room = MAX_PAYLOAD - JOURNAL_HEAD.size - (BATCH_MAC if secret else 0)
        limit = max(1, min(int(data.get("max", room)), room))
        lines, last = self.state.journal.batch(since, limit, secret)
        if len(lines) > room:
            raise AgentRefusal("too_big", _("une ligne du journal dépasse la taille d'une trame"))
        head = JOURNAL_HEAD.pack(last, self.state.journal.last)
        if secret is None or nonce is None:
            return head + lines
        return head + lines + batch_mac(secret, nonce, since, head, lines)

    def _journal_ack(self, frame: Frame) -> bytes:
        acked = self.state.journal.acknowledge(int(unpack_json(frame.payload)["seq"]))
        return pack_json({"acked": acked})

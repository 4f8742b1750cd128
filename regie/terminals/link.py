"""Régie's end of the terminal link: a port (device path or pyserial URL), requests and their
replies, chunked configuration push, journal pull. Blocking: call it from a worker thread.

Régie speaks first and the terminal only answers, one reply per request, matched by the
exchange number. A request that gets no reply, a damaged reply or a NAK is sent again (every
request is idempotent), up to ``retries`` times. Every failure is a :class:`LinkError` whose
French message says what happened on which port.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import serial

from regie.errors import UserError
from regie.i18n import N_, _
from regie.ledger.journal_signature import NONCE_SIZE, batch_mac
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
)
from regie.version import __version__

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = (1, 1)  # oldest and newest this Régie speaks
CHUNK = 16 * 1024  # a damaged chunk costs 1.4 s again at 115,200 baud, nothing on a pty
JOURNAL_BATCH = 128 * 1024
POLL = 0.05  # how long one read waits for a first byte
QUIET = 0.5  # a frame that stops arriving for this long was cut
HELLO_EVERY = 0.3  # a terminal that opens its port after us misses a hello: say it again

Progress = Callable[[str, int, int], None]  # stage, done, total


class LinkError(UserError):
    """The link failed; the message names the port and what happened."""


class PortUnavailable(LinkError):
    pass


class LinkLost(LinkError):
    pass


class NoAnswer(LinkError):
    pass


class ProtocolMismatch(LinkError):
    pass


class TerminalRefused(LinkError):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(kw_only=True)
class LinkStats:
    bytes_out: int = 0
    bytes_in: int = 0
    frames_out: int = 0
    frames_in: int = 0
    resent: int = 0
    noise: int = 0
    damaged: int = 0


@dataclass(frozen=True, kw_only=True)
class Hello:
    """What a terminal says of itself when Régie greets it."""

    protocol: int
    agent: str
    terminal: str | None
    serial: str | None
    config_version: int | None
    config_hash: str
    journal_last: int
    journal_acked: int
    paired: str | None = None  # the public name of the secret it signs with
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Hello:
        config = data.get("config") or {}
        journal = data.get("journal") or {}
        return cls(
            protocol=int(data.get("protocol", 0)),
            agent=str(data.get("agent", "")),
            terminal=data.get("terminal") or None,
            serial=data.get("serial") or None,
            config_version=config.get("version"),
            config_hash=str(config.get("hash", "")),
            journal_last=int(journal.get("last", 0)),
            journal_acked=int(journal.get("acked", 0)),
            paired=str(data["paired"]) if data.get("paired") else None,
            raw=data,
        )


@dataclass(frozen=True)
class Sent:
    """How a configuration went over: sent from ``resumed_from`` to the end, then committed."""

    size: int
    resumed_from: int
    version: int
    hash: str


class TerminalLink:
    """One open port to one terminal. Use as a context manager."""

    def __init__(
        self,
        port: str,
        *,
        timeout: float = 3.0,
        retries: int = 3,
        baudrate: int = 115_200,
        line_rate: int | None = None,
    ) -> None:
        self.port = port.strip()
        self.timeout = timeout
        self.retries = retries
        self.baudrate = baudrate
        # Bytes per second the line carries, for reply deadlines (8N1: 10 bits a byte).
        self.line_rate = line_rate or baudrate // 10
        self.stats = LinkStats()
        self._decoder = Decoder()
        self._ready: list[Frame | Damaged] = []
        self._last_byte = 0.0
        self._proven_rate = 0.0  # bytes per second the link has carried in one exchange
        self._exchange = random.randrange(0x10000)
        self._serial: Any = None
        self.hello: Hello | None = None

    # -- port ----------------------------------------------------------------------------
    def open(self) -> TerminalLink:
        if not self.port:
            raise PortUnavailable(_("aucun port donné : tapez un chemin (/dev/ttyACM0) ou une URL"))
        try:
            self._serial = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=POLL, write_timeout=self.timeout
            )
        except (serial.SerialException, ValueError, OSError) as error:
            raise PortUnavailable(
                _(
                    "le port {port} ne s'ouvre pas ({error}) : le câble est-il "
                    "branché, le chemin ou l'adresse est-il juste ?"
                ).format(port=self.port, error=_reason(error))
            ) from None
        return self

    def close(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._serial.close()
            self._serial = None

    def __enter__(self) -> TerminalLink:
        return self.open()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- frames --------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        try:
            self._serial.write_timeout = self.timeout + len(data) / self.line_rate
            self._serial.write(data)
            self._serial.flush()
        except serial.SerialTimeoutException:
            raise NoAnswer(
                _(
                    "le terminal sur {port} ne lit plus ce que Régie envoie "
                    "(rien accepté en {timeout:g} s)"
                ).format(port=self.port, timeout=self.timeout)
            ) from None
        except (serial.SerialException, OSError) as error:
            raise LinkLost(
                _("liaison coupée sur {port} ({error})").format(
                    port=self.port, error=_reason(error)
                )
            ) from None
        self.stats.bytes_out += len(data)
        self.stats.frames_out += 1

    def _next(self, deadline: float) -> Frame | Damaged | None:
        while not self._ready:
            now = time.monotonic()
            if now >= deadline:
                return None
            try:
                data = self._serial.read(max(1, self._serial.in_waiting))
            except (serial.SerialException, OSError) as error:
                raise LinkLost(
                    _("liaison coupée sur {port} ({error})").format(
                        port=self.port, error=_reason(error)
                    )
                ) from None
            if not data and self._decoder.pending and now - self._last_byte > QUIET:
                self._ready.extend(self._decoder.give_up_partial())
            if data:
                self._last_byte = now
                self.stats.bytes_in += len(data)
                decoded = self._decoder.feed(data)
                self.stats.frames_in += len(decoded)
                self._ready.extend(decoded)
                self.stats.noise = self._decoder.noise
                self.stats.damaged = self._decoder.damaged
        return self._ready.pop(0)

    def request(self, kind: Kind, payload: bytes = b"", *, reply_size: int = 256) -> Frame:
        """Send a request until its reply comes back sound; raise LinkError otherwise."""
        self._exchange = (self._exchange + 1) & 0xFFFF
        frame = encode(kind, self._exchange, payload)
        # The line's speed counts in the wait, as fast as it has proved to be (a pty or a USB
        # CDC port has no baud limit: a silent terminal is then noticed within the timeout).
        rate = max(self.line_rate, self._proven_rate / 2)
        wait = self.timeout + (len(frame) + reply_size) / rate
        damaged = 0
        for attempt in range(self.retries + 1):
            if attempt:
                self.stats.resent += 1
            sent_at = time.monotonic()
            self._write(frame)
            reply = self._reply(kind, wait)
            if isinstance(reply, Frame):
                took = max(time.monotonic() - sent_at, 1e-4)
                self._proven_rate = max(self._proven_rate, (len(frame) + len(reply.payload)) / took)
                return reply
            damaged += reply == "damaged"
        if damaged:
            raise LinkError(
                _(
                    "la ligne {port} abîme les trames : {damaged} envois sur "
                    "{retries} refusés (mauvaise somme de contrôle) ; changez de "
                    "câble"
                ).format(port=self.port, damaged=damaged, retries=self.retries + 1)
            )
        raise NoAnswer(
            _(
                "le terminal sur {port} ne répond plus (rien en {wait:.1f} "
                "s, {retries} essais) : est-il allumé, regie-agent "
                "tourne-t-il ?"
            ).format(port=self.port, wait=wait, retries=self.retries + 1)
        )

    def _reply(self, kind: Kind, wait: float) -> Frame | str:
        deadline = time.monotonic() + wait
        while True:
            got = self._next(deadline)
            if got is None:
                return "silence"
            if got.exchange != self._exchange:
                continue  # a late reply to an earlier request
            if isinstance(got, Damaged) or got.kind == Kind.NAK:
                return "damaged"
            if got.kind == kind:
                raise LinkError(
                    _(
                        "le port {port} renvoie ce que Régie envoie (écho ou boucle) "
                        ": aucun terminal n'y répond"
                    ).format(port=self.port)
                )
            if got.kind == Kind.ERROR:
                data = _json(got)
                raise TerminalRefused(
                    _("le terminal refuse : {message}").format(
                        message=data.get("message") or _("sans motif")
                    ),
                    str(data.get("code", "")),
                )
            if got.kind != kind.reply:
                raise LinkError(
                    _("réponse inattendue du terminal (type 0x{kind:02X})").format(kind=got.kind)
                )
            return got

    # -- messages ------------------------------------------------------------------------
    def greet(self, connect_timeout: float | None = None) -> Hello:
        """Say hello until the terminal answers; check that both speak the same protocol."""
        self._exchange = (self._exchange + 1) & 0xFFFF
        low, high = SUPPORTED_PROTOCOLS
        frame = encode(
            Kind.HELLO,
            self._exchange,
            pack_json({"protocol": [low, high], "app": f"Régie {__version__}"}),
        )
        deadline = time.monotonic() + (connect_timeout or self.timeout)
        reply: Frame | str = "silence"
        while time.monotonic() < deadline:
            self._write(frame)
            reply = self._reply(Kind.HELLO, min(HELLO_EVERY, deadline - time.monotonic()))
            if isinstance(reply, Frame):
                break
        if not isinstance(reply, Frame):
            raise NoAnswer(
                _(
                    "aucun terminal ne répond sur {port} (rien reçu en "
                    "{connect_timeout:g} s) : est-il allumé, son câble branché, "
                    "regie-agent lancé ?"
                ).format(port=self.port, connect_timeout=connect_timeout or self.timeout)
            )
        hello = Hello.parse(_json(reply))
        self.hello = hello
        if not low <= hello.protocol <= high:
            age = _("trop ancien") if hello.protocol < low else _("trop récent")
            raise ProtocolMismatch(
                _(
                    "le terminal sur {port} parle le protocole {protocol} ({age} "
                    ": Régie {version} parle {low} à {high}) ; mettez à jour "
                    "{value}. Rien n'a été envoyé."
                ).format(
                    port=self.port,
                    protocol=hello.protocol,
                    age=age,
                    version=__version__,
                    low=low,
                    high=high,
                    value="regie-agent" if hello.protocol < low else _("Régie"),
                )
            )
        return hello

    def status(self) -> dict[str, Any]:
        return _json(self.request(Kind.STATUS, pack_json({}), reply_size=2048))

    def send_config(
        self, body: bytes, *, version: int, digest: str, terminal: str, progress: Progress
    ) -> Sent:
        """Stage the bundle in chunks (resuming what the terminal already holds), have the
        terminal check its SHA-256, then commit: it switches at once, or keeps the old one."""
        size = len(body)
        offer = _json(
            self.request(
                Kind.OFFER,
                pack_json({"version": version, "hash": digest, "size": size, "terminal": terminal}),
            )
        )
        have = int(offer.get("have", 0))
        chunk = max(256, min(CHUNK, int(offer.get("chunk", CHUNK)), MAX_PAYLOAD - 4))
        resumed_from = have
        progress("envoi", have, size)
        stalled = 0
        while have < size:
            piece = body[have : have + chunk]
            reply = _json(self.request(Kind.CHUNK, CHUNK_OFFSET.pack(have) + piece))
            now_have = int(reply.get("have", 0))
            stalled = stalled + 1 if now_have <= have else 0
            if stalled > self.retries:
                raise LinkError(
                    _("le terminal sur {port} n'avance plus (reste à {have} o)").format(
                        port=self.port, have=have
                    )
                )
            have = now_have
            progress("envoi", have, size)
        progress(_("vérification"), size, size)
        checked = _json(
            self.request(Kind.VERIFY, pack_json({"hash": digest}), reply_size=size // 50)
        )
        if not checked.get("ok"):
            raise TerminalRefused(
                _(
                    "le terminal a écarté la configuration reçue ({value}) : il "
                    "garde l'ancienne ; relancez l'envoi"
                ).format(value=checked.get("problem", "?")),
                "verify",
            )
        committed = _json(
            self.request(Kind.COMMIT, pack_json({"version": version, "hash": digest}))
        )
        if committed.get("hash") != digest:
            raise LinkError(
                _("le terminal annonce la configuration {value}, pas {digest}").format(
                    value=committed.get("hash"), digest=digest
                )
            )
        progress(_("validée"), size, size)
        return Sent(size=size, resumed_from=resumed_from, version=version, hash=digest)

    def pair(self, *, terminal: str, serial: str, secret: bytes) -> str:
        """Hand the terminal its pairing secret; the public name of the key it now holds."""
        reply = _json(
            self.request(
                Kind.PAIR,
                pack_json({"terminal": terminal, "serial": serial, "secret": secret.hex()}),
            )
        )
        return str(reply.get("paired") or "")

    def journal_batch(
        self, since: int, max_bytes: int = JOURNAL_BATCH, *, secret: bytes | None = None
    ) -> tuple[bytes, int, int]:
        """Complete journal lines after ``since``: (lines, last seq in them, newest seq).
        With ``secret``: asked over a fresh nonce, the batch must carry the terminal's MAC."""
        ask: dict[str, Any] = {"since": since, "max": max_bytes}
        nonce = os.urandom(NONCE_SIZE) if secret is not None else b""
        if secret is not None:
            ask["nonce"] = nonce.hex()
        frame = self.request(Kind.JOURNAL, pack_json(ask), reply_size=max_bytes)
        payload = frame.payload
        if len(payload) < JOURNAL_HEAD.size + (BATCH_MAC if secret else 0):
            raise LinkError(_("réponse de journal trop courte"))
        last, newest = JOURNAL_HEAD.unpack_from(payload)
        if secret is None:
            return payload[JOURNAL_HEAD.size :], last, newest
        head, lines = payload[: JOURNAL_HEAD.size], payload[JOURNAL_HEAD.size : -BATCH_MAC]
        if not hmac.compare_digest(
            payload[-BATCH_MAC:], batch_mac(secret, nonce, since, head, lines)
        ):
            raise LinkError(
                _(
                    "le terminal sur {port} ne signe pas son journal avec le secret de "
                    "l'appairage : rien n'est importé (terminal remplacé ou falsifié ?)"
                ).format(port=self.port)
            )
        return lines, last, newest

    def acknowledge(self, seq: int) -> int:
        return int(_json(self.request(Kind.JOURNAL_ACK, pack_json({"seq": seq}))).get("acked", 0))


def _json(frame: Frame) -> dict[str, Any]:
    try:
        return frame.json()
    except ValueError as error:
        raise LinkError(_("réponse illisible du terminal ({error})").format(error=error)) from None


ERRNO_WORDS = {
    errno.ENOENT: N_("introuvable"),
    errno.EACCES: N_("accès refusé : ajoutez l'utilisateur au groupe dialout"),
    errno.EBUSY: N_("occupé par un autre programme"),
    errno.EIO: N_("entrée-sortie impossible : le câble est-il débranché ?"),
    errno.ECONNREFUSED: N_("connexion refusée"),
    errno.EHOSTUNREACH: N_("machine injoignable"),
    errno.ETIMEDOUT: N_("délai dépassé"),
    errno.ENXIO: N_("périphérique absent"),
}


def _reason(error: BaseException) -> str:
    """A short French reason for an OS or pyserial error (pyserial's own text is English)."""
    number = getattr(error, "errno", None)
    if not isinstance(number, int):
        found = re.search(r"\[Errno (\d+)\]", str(error))
        number = int(found.group(1)) if found else None
    if number in ERRNO_WORDS:
        return _(ERRNO_WORDS[number])
    if number is not None:
        return os.strerror(number)
    text = str(error).strip() or type(error).__name__
    if "returned no data" in text or "disconnected" in text:
        return _("câble débranché ou terminal éteint")
    return text.splitlines()[0]

"""The encoding session: each card laid on a reader is identified, paired, written, verified.

One :class:`EncodingSession` serves one or more readers: each reader's thread calls
:meth:`EncodingSession.handle` with the card on it and gets a :class:`CardResult`. The APDU
exchanges run on the reader's thread; database steps are short and serialised by a lock.

Safety rule: the database says "to re-encode" *before* the first write reaches a chip, and
"encoded" only after the written bytes have been read back and parsed as the phone would.
A card pulled away mid-write therefore stays "to re-encode", and the next tap finishes it.
The NDEF TLV is written with its length page last, so a half-written card reads as empty,
never as a wrong URL. Minimal APDUs: one UID read; GET_VERSION only for a chip the database
does not know yet; 16 bytes per READ; the configuration page is read only when protecting
or finishing a card; a card already encoded as asked costs one APDU.
"""

from __future__ import annotations

import collections
import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.cards import ntag
from regie.cards.lookup import CardsError, card_by_uid, current_user, find_card, now, record_event
from regie.cards.models import STATE_LABELS, Card, CardBatch, CardState, Encoding
from regie.cards.ntag import CHIP_LABELS, USER_START, Chip, NtagModel
from regie.cards.protection import AUTH0_PROTECT_ALL, card_password
from regie.cards.reasons import CHIP_PAIRED, FAILED, PAIRED, PROTECTED, URL_WRITTEN, french
from regie.db import Database
from regie.devices.card_link import CardLink, LinkLost
from regie.i18n import N_, _

log = logging.getLogger(__name__)

_REFUSED_STATES = (CardState.BLOCKED, CardState.LOST, CardState.DESTROYED)


class Outcome(enum.StrEnum):
    ENCODED = "encoded"
    ALREADY_ENCODED = "already_encoded"
    REENCODED = "reencoded"
    FAILED = "failed"


OUTCOME_LABELS = {
    Outcome.ENCODED: N_("ENCODÉE"),
    Outcome.ALREADY_ENCODED: N_("DÉJÀ ENCODÉE"),
    Outcome.REENCODED: N_("RÉ-ENCODÉE"),
    Outcome.FAILED: N_("ÉCHEC"),
}


@dataclass(frozen=True)
class CardResult:
    """What happened to one card laid on a reader."""

    outcome: Outcome
    reader: str
    uid: str  # hex upper, "" if it could not be read
    number: str | None
    chip: Chip | None
    reason: str  # French, for the user; "" when all went well
    apdus: int
    seconds: float  # from the card's connection to the result
    apdu_seconds: float  # of which waiting for the reader's answers
    at: dt.datetime
    to_reencode: bool = False  # the card is left "to re-encode": tap it again

    @property
    def ok(self) -> bool:
        return self.outcome is not Outcome.FAILED

    @property
    def software_seconds(self) -> float:
        return max(0.0, self.seconds - self.apdu_seconds)

    def line(self) -> str:
        """One line for a terminal or a log."""
        chip = _(CHIP_LABELS[self.chip]) if self.chip else "?"
        text = (
            f"{OUTCOME_LABELS[self.outcome]:<13} {self.number or '--------'}  "
            f"{self.uid or '?':<14}  {chip:<14} {self.apdus:>3} APDU  "
            f"{self.seconds * 1000:6.1f} ms"
        )
        return f"{text}  {self.reason}" if self.reason else text


@dataclass
class SessionStats:
    """Counts and rate of one encoding session."""

    encoded: int = 0
    already_encoded: int = 0
    reencoded: int = 0
    failed: int = 0
    first_at: float | None = None  # time.monotonic() of the first result
    last_at: float | None = None

    @property
    def done(self) -> int:
        return self.encoded + self.already_encoded + self.reencoded

    @property
    def total(self) -> int:
        return self.done + self.failed

    def rate_per_minute(self) -> float:
        """Cards done per minute, between the first result and the last."""
        if self.first_at is None or self.last_at is None or self.last_at <= self.first_at:
            return 0.0
        return (self.done - 1) * 60.0 / (self.last_at - self.first_at) if self.done > 1 else 0.0

    def add(self, result: CardResult) -> None:
        field_name = {
            Outcome.ENCODED: "encoded",
            Outcome.ALREADY_ENCODED: "already_encoded",
            Outcome.REENCODED: "reencoded",
            Outcome.FAILED: "failed",
        }[result.outcome]
        setattr(self, field_name, getattr(self, field_name) + 1)
        moment = time.monotonic()
        if self.first_at is None:
            self.first_at = moment
        self.last_at = moment

    def summary(self) -> str:
        return _(
            "{total} cartes : {encoded} encodées, {reencoded} "
            "ré-encodées, {already_encoded} déjà encodées, {failed} "
            "échecs ({rate_per_minute:.1f} cartes/min)"
        ).format(
            total=self.total,
            encoded=self.encoded,
            reencoded=self.reencoded,
            already_encoded=self.already_encoded,
            failed=self.failed,
            rate_per_minute=self.rate_per_minute(),
        )


class _Failure(Exception):
    """The tap cannot go on; the message is the French reason."""


@dataclass(frozen=True)
class _Plan:
    card_id: int
    number: str
    url: str
    chip: str | None
    encoding: Encoding
    protected: bool
    protect_key: str
    position: int
    batch_id: int
    from_pending: bool


@dataclass
class _Tap:
    link: CardLink
    uid: bytes
    plan: _Plan
    chip: Chip | None = None
    cfg: bytes | None = None  # CFG0, CFG1, PWD, PACK as read
    claimed: bool = False  # the database says "to re-encode" with this UID
    wrote: bool = False  # at least one WRITE was acknowledged
    authenticated: bool = False
    before: tuple[str | None, str | None, Encoding] | None = None

    @property
    def uid_hex(self) -> str:
        return self.uid.hex().upper()


@dataclass
class _Sequence:
    batch_id: int
    batch_name: str
    next_position: int


ResultListener = Callable[[CardResult], None]


@dataclass
class EncodingOptions:
    write_url: bool = False
    protect: bool = False
    who: str = field(default_factory=current_user)


class EncodingSession:
    """Pairs, writes, protects the cards laid on one or more readers (thread-safe)."""

    def __init__(
        self,
        db: Database,
        options: EncodingOptions | None = None,
        on_result: ResultListener | None = None,
    ) -> None:
        self.db = db
        self.options = options or EncodingOptions()
        self.on_result = on_result
        self.stats = SessionStats()
        self.results: collections.deque[CardResult] = collections.deque(maxlen=500)
        self._lock = threading.RLock()
        self._busy: set[int] = set()
        self._pending: str | None = None
        self._sequence: _Sequence | None = None

    # -------------------------------------------------------------- pairing sources

    def follow_batch(self, batch: str, start: str | None = None) -> str:
        """Pair unknown chips with the batch's cards in printing order, from ``start``."""
        with self._lock, self.db.session() as session:
            row = session.scalar(select(CardBatch).where(CardBatch.name == batch))
            if row is None:
                raise CardsError(_("lot de cartes inconnu : {batch}").format(batch=batch))
            position = 1
            if start is not None:
                card = find_card(session, start)
                if card.batch_id != row.id:
                    raise CardsError(
                        _("la carte {number} n'est pas du lot {batch}").format(
                            number=card.number, batch=batch
                        )
                    )
                position = card.position
            self._sequence = _Sequence(row.id, row.name, position)
            nxt = self._next_in_sequence(session)
            return nxt.number if nxt else ""

    def expect_number(self, scanned: str) -> str:
        """The next unknown chip is the card with this number (typed, or its QR scanned)."""
        with self._lock, self.db.session() as session:
            card = find_card(session, scanned)
            if card.uid or card.tag_id:
                raise CardsError(
                    _("la carte {number} est déjà associée à la puce {uid}").format(
                        number=card.number, uid=card.uid or card.tag_id
                    )
                )
            self._pending = card.number
            return card.number

    @property
    def pending_number(self) -> str | None:
        return self._pending

    def next_number(self) -> str | None:
        """The number the next unknown chip will get (scanned, or next of the sequence)."""
        with self._lock:
            if self._pending:
                return self._pending
            if self._sequence is None:
                return None
            with self.db.session() as session:
                card = self._next_in_sequence(session)
                return card.number if card else None

    def _next_in_sequence(self, session: Session) -> Card | None:
        assert self._sequence is not None
        query = (
            select(Card)
            .where(Card.batch_id == self._sequence.batch_id)
            .where(Card.position >= self._sequence.next_position)
            .where(Card.uid.is_(None), Card.tag_id.is_(None))
            .where(Card.state.not_in(_REFUSED_STATES))
            .order_by(Card.position)
        )
        if self._busy:
            query = query.where(Card.id.not_in(self._busy))
        return session.scalar(query.limit(1))

    # -------------------------------------------------------------- one card

    def handle(self, link: CardLink) -> CardResult:
        """Process the card on ``link`` (called on the reader's thread)."""
        started = time.perf_counter()
        tap: _Tap | None = None
        outcome, reason, to_reencode = Outcome.FAILED, "", False
        uid, number, chip = "", None, None
        try:
            raw_uid = ntag.read_uid(link.transmit)
            uid = raw_uid.hex().upper()
            with self._lock:
                plan = self._plan(uid)
                self._busy.add(plan.card_id)
            tap = _Tap(link, raw_uid, plan)
            try:
                outcome = self._encode(tap)
            finally:
                with self._lock:
                    self._busy.discard(plan.card_id)
        except _AlreadyEncoded as already:
            outcome, number, chip = Outcome.ALREADY_ENCODED, already.number, already.chip
        except LinkLost as lost:
            where = _("lecteur débranché") if lost.reader_gone else _("carte retirée")
            if tap is not None and tap.claimed:
                to_reencode = True
                reason = _("{where} pendant l'écriture : reposez la carte pour la terminer").format(
                    where=where
                )
            else:
                reason = _("{where} trop tôt : reposez la carte").format(where=where)
                if tap is not None and tap.plan.from_pending and self._pending is None:
                    self._pending = tap.plan.number  # the same card comes back
        except (ntag.CardError, _Failure, CardsError) as error:
            reason = str(error)
            if tap is not None and tap.claimed:
                if tap.wrote:
                    to_reencode = True
                    reason += _(" (carte à ré-encoder)")
                else:
                    self._unclaim(tap)
        except Exception as error:  # a bug must not stop the session
            log.exception("encodage de la carte %s", uid)
            reason = _("erreur inattendue ({name}) : voir le journal").format(
                name=type(error).__name__
            )
            to_reencode = bool(tap and tap.claimed)
        result = CardResult(
            outcome=outcome,
            reader=link.reader,
            uid=uid,
            number=tap.plan.number if tap else number,
            chip=tap.chip if tap else chip,
            reason=reason,
            apdus=link.apdus,
            seconds=time.perf_counter() - started,
            apdu_seconds=link.apdu_seconds,
            at=now(),
            to_reencode=to_reencode,
        )
        with self._lock:
            self.stats.add(result)
            self.results.append(result)
        log.info("carte %s", result.line())
        if self.on_result is not None:
            self.on_result(result)
        return result

    def _plan(self, uid: str) -> _Plan:
        """Which card this chip is (database only; called under the lock)."""
        with self.db.session() as session:
            card = card_by_uid(session, uid)
            from_pending = False
            if card is None:
                clash = session.scalar(select(Card.number).where(Card.tag_id == uid[:8]))
                if clash is not None:
                    raise _Failure(
                        _(
                            "les 4 premiers octets de cette puce sont ceux de la carte "
                            "{clash} : TiBillet confondrait les deux, mettez cette carte "
                            "de côté"
                        ).format(clash=clash)
                    )
                if self._pending:
                    card = session.scalar(select(Card).where(Card.number == self._pending))
                    self._pending, from_pending = None, True
                elif self._sequence is not None:
                    card = self._next_in_sequence(session)
                    if card is None:
                        raise _Failure(
                            _("plus de carte à associer dans le lot {batch_name}").format(
                                batch_name=self._sequence.batch_name
                            )
                        )
                else:
                    raise _Failure(
                        _(
                            "carte inconnue : scannez son numéro, ou suivez un lot "
                            "(numéros à la suite)"
                        )
                    )
                if card is None:
                    raise _Failure(_("la carte scannée n'existe plus"))
            elif self._pending and self._pending != card.number:
                raise _Failure(
                    _("cette puce est déjà la carte {number}, pas {pending}").format(
                        number=card.number, pending=self._pending
                    )
                )
            if card.state in _REFUSED_STATES:
                raise _Failure(
                    _("carte {number} {state} : pas d'encodage").format(
                        number=card.number, state=_(STATE_LABELS[card.state])
                    )
                )
            if card.id in self._busy:
                raise _Failure(
                    _("la carte {number} est déjà sur un autre lecteur").format(number=card.number)
                )
            options = self.options
            if (
                card.encoding is Encoding.ENCODED
                and card.uid == uid
                and (card.url_written or not options.write_url)
                and (card.protected or not options.protect)
            ):
                raise _AlreadyEncoded(card.number, card.chip)
            key = session.scalar(select(CardBatch.protect_key).where(CardBatch.id == card.batch_id))
            assert key is not None
            return _Plan(
                card.id,
                card.number,
                card.url,
                card.chip,
                card.encoding,
                card.protected,
                key,
                card.position,
                card.batch_id,
                from_pending,
            )

    def _encode(self, tap: _Tap) -> Outcome:
        options, plan, transmit = self.options, tap.plan, tap.link.transmit
        tap.chip = Chip(plan.chip) if plan.chip else ntag.identify(tap.link.atr, transmit)
        if tap.chip is Chip.UNSUPPORTED:
            raise _Failure("carte non prise en charge (ni NTAG213/215/216, ni MIFARE Classic)")
        if options.write_url or options.protect:
            model = ntag.NTAG_MODELS.get(tap.chip)
            if model is None:
                raise _Failure(
                    _(
                        "{chip} non prise en charge pour l'écriture : seules les "
                        "NTAG213/215/216 le sont"
                    ).format(chip=_(CHIP_LABELS[tap.chip]))
                )
            if options.protect or plan.protected or plan.encoding is Encoding.TO_REENCODE:
                tap.cfg = ntag.read_pages(transmit, model.cfg0)
            if options.write_url:
                self._write_url(tap, model)
            if options.protect:
                self._protect(tap, model)
        self._finish(tap)
        if plan.encoding is Encoding.BLANK:
            return Outcome.ENCODED
        return Outcome.REENCODED

    # -------------------------------------------------------------- chip steps

    def _write_url(self, tap: _Tap, model: NtagModel) -> None:
        transmit, url = tap.link.transmit, tap.plan.url
        first = ntag.read_pages(transmit, USER_START)
        image = ntag.area_image(ntag.control_prefix(first), url)
        if len(image) > model.user_bytes:
            raise ntag.CardFull(
                _(
                    "adresse trop longue pour une {chip} : {n} octets pour {user_bytes} disponibles"
                ).format(chip=_(CHIP_LABELS[model.chip]), n=len(image), user_bytes=model.user_bytes)
            )
        if first == image[:16] and ntag.read_area(transmit, len(image), first) == image:
            return  # already there (a tap cut after the write, or another station's work)
        old = ntag.find_ndef(first)
        if old is not None and old.length:
            if tap.plan.encoding is Encoding.BLANK:
                area = ntag.read_area(transmit, min(model.user_bytes, old.end + 1), first)
                found = ntag.url_in(area) or _("données inconnues")
                raise _Failure(
                    _("la carte contient déjà autre chose ({found}) : rien n'est écrasé").format(
                        found=found
                    )
                )
            # Ours, half re-written: empty its NDEF TLV first, so no mixed URL can be read.
            page = old.length_offset // ntag.PAGE
            blank = bytearray(first[page * 4 : page * 4 + 4])
            blank[old.length_offset % 4] = 0
            self._write(tap, model, USER_START + page, bytes(blank))
            first = first[: page * 4] + bytes(blank) + first[page * 4 + 4 :]
        where = ntag.find_ndef(image)
        assert where is not None
        commit = where.length_offset // ntag.PAGE
        pages = len(image) // ntag.PAGE
        for index in [*(i for i in range(pages) if i != commit), commit]:
            data = image[index * 4 : index * 4 + 4]
            if index < 4 and first[index * 4 : index * 4 + 4] == data:
                continue  # read a moment ago and already right
            self._write(tap, model, USER_START + index, data)
        back = ntag.read_area(transmit, len(image))
        if back != image or ntag.url_in(back) != url:
            raise _Failure(_("la carte ne relit pas ce qui vient d'être écrit"))

    def _protect(self, tap: _Tap, model: NtagModel) -> None:
        transmit = tap.link.transmit
        cfg = tap.cfg if tap.cfg is not None else ntag.read_pages(transmit, model.cfg0)
        tap.cfg = cfg
        auth0 = cfg[3]
        password = card_password(tap.plan.protect_key, tap.uid)
        if auth0 <= model.pack:  # already protected from some page: it must be our password
            if not tap.authenticated:
                self._authenticate(tap)
        else:
            self._write(tap, model, model.pwd, password.pwd)
            self._write(tap, model, model.pack, password.pack + b"\x00\x00")
        if auth0 != AUTH0_PROTECT_ALL:
            # Written last: protection takes effect only once PWD and PACK are in place.
            self._write(tap, model, model.cfg0, cfg[0:3] + bytes([AUTH0_PROTECT_ALL]))

    def _authenticate(self, tap: _Tap) -> None:
        password = card_password(tap.plan.protect_key, tap.uid)
        pack = ntag.pwd_auth(tap.link.transmit, password.pwd)
        if pack != password.pack:
            raise ntag.AuthFailed(_("la carte accepte le mot de passe mais son PACK est inattendu"))
        tap.authenticated = True

    def _write(self, tap: _Tap, model: NtagModel, page: int, data: bytes) -> None:
        """One WRITE, after the claim; authenticate first if the page is protected."""
        if not tap.claimed:
            self._claim(tap)
        transmit = tap.link.transmit
        if tap.cfg is not None and page >= tap.cfg[3] and not tap.authenticated:
            self._authenticate(tap)
        try:
            ntag.write_page(transmit, page, data)
        except ntag.Refused:
            if tap.authenticated:
                raise _Failure(
                    _("page {page} verrouillée : la carte refuse l'écriture").format(page=page)
                ) from None
            if tap.cfg is None:
                tap.cfg = ntag.read_pages(transmit, model.cfg0)
            if page < tap.cfg[3]:
                raise _Failure(_("carte verrouillée en écriture : mettez-la de côté")) from None
            self._authenticate(tap)
            try:
                ntag.write_page(transmit, page, data)
            except ntag.Refused:
                raise _Failure(
                    _("page {page} verrouillée : la carte refuse l'écriture").format(page=page)
                ) from None
        tap.wrote = True

    # -------------------------------------------------------------- database steps

    def _claim(self, tap: _Tap) -> None:
        """Before the first write: this chip is this card, and it is "to re-encode"."""
        with self._lock, self.db.session() as session:
            card = session.get_one(Card, tap.plan.card_id)
            tap.before = (card.uid, card.tag_id, card.encoding)
            self._pair(session, card, tap)
            card.encoding = Encoding.TO_REENCODE
        tap.claimed = True

    def _unclaim(self, tap: _Tap) -> None:
        """Nothing reached the chip: the card is as it was (its number may go to another)."""
        assert tap.before is not None
        with self._lock, self.db.session() as session:
            card = session.get_one(Card, tap.plan.card_id)
            card.uid, card.tag_id, card.encoding = tap.before
            if tap.before[0] is None and tap.before[1] is None:
                record_event(session, card, "unpaired", who=self.options.who, why=FAILED)
            if self._sequence is not None and self._sequence.batch_id == tap.plan.batch_id:
                self._sequence.next_position = min(self._sequence.next_position, tap.plan.position)

    def _pair(self, session: Session, card: Card, tap: _Tap) -> None:
        if card.uid is None:
            card.uid, card.tag_id = tap.uid_hex, tap.uid_hex[:8]
            why = french(PAIRED, uid=tap.uid_hex)
            record_event(session, card, "paired", who=self.options.who, why=why)
        if tap.chip is not None:
            card.chip = tap.chip.value
        sequence = self._sequence
        if sequence is not None and sequence.batch_id == card.batch_id:
            sequence.next_position = max(sequence.next_position, card.position + 1)

    def _finish(self, tap: _Tap) -> None:
        """After the read-back: the card is encoded as this session asked."""
        options = self.options
        with self._lock, self.db.session() as session:
            card = session.get_one(Card, tap.plan.card_id)
            self._pair(session, card, tap)
            card.encoding = Encoding.ENCODED
            card.url_written = card.url_written or options.write_url
            card.protected = card.protected or options.protect
            card.encoded_at = now()
            done = [CHIP_PAIRED]
            if options.write_url:
                done.append(URL_WRITTEN)
            if options.protect:
                done.append(PROTECTED)
            record_event(session, card, "encoded", who=options.who, why=", ".join(done))


class _AlreadyEncoded(Exception):
    def __init__(self, number: str, chip: str | None) -> None:
        super().__init__(number)
        self.number = number
        self.chip = Chip(chip) if chip else None

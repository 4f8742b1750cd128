"""Card batches: TiBillet's factory CSV in and out, and new batches for the printer.

The factory file is TiBillet's import format, no header: ``url,number,tag_id``. Régie checks
what TiBillet checks (URL, 8-character number, 8-character tag_id, no duplicate in the file
or already known) and more: a uuid after ``/qr/``, a UID in hex of 4, 7 or 10 bytes (the
full UID when the factory gives it), and an empty ``tag_id`` for cards printed but not yet
paired (pairing then happens at the encoding station). A file with one bad line imports
nothing; every bad line is reported with its number and field.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from regie import limits
from regie.cards.lookup import CardsError, normalise_uid, uuid_in_url
from regie.cards.models import Card, CardBatch
from regie.cards.protection import new_batch_key
from regie.db import sync_once_committed
from regie.errors import unreadable
from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.models import AssetCategory, AssetModel, StockLot
from regie.models import Organisation

_NUMBER = re.compile(r"[0-9A-Za-z]{8}")
# What a spreadsheet turns into a number: all digits, or digits E digits (an exponent).
_MANGLED = re.compile(r"\d+(E\d+)?")
# The cells' caps (url, number, tag_id): their columns' lengths; a UID is written with
# separators at most (« 04:A1:… » is 3 characters a byte).
_CAPS = (limits.length_of(Card.url), limits.length_of(Card.number), 3 * 10)


@dataclass(frozen=True)
class LineError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, ligne {self.line}, champ {self.field} : {self.message}"


class ImportRejected(CardsError):
    """A file with errors: nothing was imported."""

    def __init__(self, file: str, errors: list[LineError]) -> None:
        plural = "s" if len(errors) > 1 else ""
        super().__init__(
            _("{file} : {n} erreur{plural}, aucune carte importée").format(
                file=file, n=len(errors), plural=plural
            )
        )
        self.errors = errors


@dataclass(frozen=True)
class FactoryLine:
    line: int
    url: str
    qr_uuid: str
    number: str
    uid: str | None  # full UID when the file gives 7 or 10 bytes (or a 4-byte chip)
    tag_id: str | None  # first 4 bytes, TiBillet's form


@dataclass(frozen=True)
class ImportResult:
    batch: str
    cards: int
    owner: str
    lot: str | None


# ------------------------------------------------------------------------------ reading


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    # A French spreadsheet saves with semicolons; TiBillet's own files use commas.
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a cell of 100,000 characters, a stray quote…
            raise _Unreadable(number, str(error)) from None
        if any(cell.strip() for cell in row):
            yield number, row


class _Unreadable(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _bounded(row: list[str], error: Callable[[str, str], None]) -> bool:
    """Each cell within its column's length and free of control characters."""
    for field, cell, cap in zip(("url", "number", "tag_id"), row, _CAPS, strict=False):
        try:
            limits.text(cell, cap)
        except limits.OutOfBounds as reason:
            error(field, str(reason))
            return False
    return True


def parse_factory_csv(text: str, file: str) -> tuple[list[FactoryLine], list[LineError]]:
    """Check every line on its own and against the others; no database involved."""
    lines: list[FactoryLine] = []
    errors: list[LineError] = []
    seen: dict[str, dict[str, int]] = {"url": {}, "number": {}, "tag_id": {}}
    try:
        _parse_rows(_rows(text), file, lines, errors, seen)
    except _Unreadable as unreadable_row:
        errors.append(
            LineError(
                file=file,
                line=unreadable_row.line,
                field="fichier",
                message=_("CSV illisible ({reason})").format(reason=unreadable_row),
            )
        )
    if not lines and not errors:
        errors.append(LineError(file, 1, "fichier", _("aucune carte dans le fichier")))
    return lines, errors


def _parse_rows(
    rows: Iterable[tuple[int, list[str]]],
    file: str,
    lines: list[FactoryLine],
    errors: list[LineError],
    seen: dict[str, dict[str, int]],
) -> None:
    for line, row in rows:
        if line == 1 and row and row[0].strip().lower() == "url":
            continue  # a header a spreadsheet added
        bad = len(errors)

        def error(field: str, message: str, line: int = line) -> None:
            errors.append(LineError(file, line, field, message))

        if len(row) not in (2, 3):
            error(
                "ligne",
                _("3 colonnes attendues (url,number,tag_id), {n} trouvées").format(n=len(row)),
            )
            continue
        if not _bounded(row, error):
            continue
        url, number = row[0].strip(), row[1].strip().upper()
        raw_uid = row[2].strip() if len(row) == 3 else ""
        try:
            parts = urlsplit(url)
        except ValueError:  # « http://[::1 »: a broken IPv6 host
            parts = urlsplit("")
        qr = uuid_in_url(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            error(
                "url",
                _("adresse invalide « {url} » (il faut http(s)://hôte/qr/<uuid>)").format(url=url),
            )
        elif qr is None:
            error("url", _("pas d'uuid après /qr/ dans « {url} »").format(url=url))
        if len(number) != 8:
            error(
                "number",
                _("le numéro doit faire 8 caractères, « {number} » en a {n}").format(
                    number=number, n=len(number)
                ),
            )
        elif not _NUMBER.fullmatch(number):
            error(
                "number",
                _("le numéro « {number} » ne doit avoir que des chiffres et lettres").format(
                    number=number
                ),
            )
        uid = normalise_uid(raw_uid) if raw_uid else None
        if raw_uid and uid is None:
            error(
                "tag_id",
                _(
                    "« {raw_uid} » n'est pas un UID : 8, 14 ou 20 caractères "
                    "hexadécimaux (4, 7 ou 10 octets)"
                ).format(raw_uid=raw_uid),
            )
        tag_id = uid[:8] if uid else None
        for field, key, label in (
            ("url", qr, _("cette adresse")),
            ("number", number, _("ce numéro")),
            ("tag_id", tag_id, _("cet UID (ses 4 premiers octets)")),
        ):
            if key is None:
                continue
            first = seen[field].get(key)
            if first is not None:
                error(
                    field, _("{label} est déjà à la ligne {first}").format(label=label, first=first)
                )
            else:
                seen[field][key] = line
        if len(errors) == bad and qr is not None:
            full = uid if uid and len(uid) > 8 else None
            lines.append(FactoryLine(line, url, qr, number, full, tag_id))


def _known(session: Session, lines: Sequence[FactoryLine], file: str) -> list[LineError]:
    """Lines whose card is already in the database."""
    numbers, uuids, tags = set(), set(), set()
    for number, qr_uuid, tag_id in session.execute(select(Card.number, Card.qr_uuid, Card.tag_id)):
        numbers.add(number)
        uuids.add(qr_uuid)
        if tag_id:
            tags.add(tag_id)
    errors = []
    for line in lines:
        if line.number in numbers:
            errors.append(
                LineError(file, line.line, "number", _("ce numéro est déjà dans la base"))
            )
        if line.qr_uuid in uuids:
            errors.append(
                LineError(file, line.line, "url", _("cette adresse est déjà dans la base"))
            )
        if line.tag_id and line.tag_id in tags:
            errors.append(LineError(file, line.line, "tag_id", _("cet UID est déjà dans la base")))
    return errors


# ------------------------------------------------------------------------------ owners, lots


def organisation(session: Session, name: str) -> Organisation:
    return catalogue.organisation(session, name)


def card_lot(session: Session, owner: Organisation, name: str | None) -> StockLot | None:
    """The inventory lot a batch belongs to: the one named, or the owner's only card lot."""
    if name is not None:
        lot = session.scalar(select(StockLot).where(StockLot.name == name))
        if lot is None:
            raise CardsError(f"lot d'inventaire inconnu : {name}")
        if lot.owner_id != owner.id:
            raise CardsError(
                _("le lot {name} n'appartient pas à {short_name}").format(
                    name=name, short_name=owner.short_name
                )
            )
        return lot
    words = ("%carte%", "%nfc%")
    lots = session.scalars(
        select(StockLot)
        .join(AssetModel, StockLot.model_id == AssetModel.id)
        .join(AssetCategory, AssetModel.category_id == AssetCategory.id)
        .where(StockLot.owner_id == owner.id)
        .where(
            or_(
                *(
                    func.lower(column).like(word)
                    for word in words
                    for column in (StockLot.name, AssetModel.name, AssetCategory.name)
                )
            )
        )
        .order_by(StockLot.name)
    ).all()
    if len(lots) > 1:
        names = ", ".join(lot.name for lot in lots)
        raise CardsError(
            _("{short_name} a plusieurs lots de cartes ({names}) : choisissez le lot").format(
                short_name=owner.short_name, names=names
            ),
            command=_("{short_name} a plusieurs lots de cartes ({names}) : --lot NOM").format(
                short_name=owner.short_name, names=names
            ),
        )
    return lots[0] if lots else None


def _batch_name(session: Session, wanted: str) -> str:
    taken = set(session.scalars(select(CardBatch.name).where(CardBatch.name.like(f"{wanted}%"))))
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted} ({n})"
    return name


def _name_for(wanted: str | None, path: Path) -> str:
    """The batch's name: the one asked for, or the file's (cut to leave room for « (2) »)."""
    cap = limits.length_of(CardBatch.name) - 6
    if wanted is None:
        return "".join(c for c in path.stem if c.isprintable())[:cap] or "cartes"
    try:
        return limits.text(wanted, cap)
    except limits.OutOfBounds as error:
        raise CardsError(_("nom du lot : {error}").format(error=error)) from None


def create_batch(
    session: Session,
    lines: Sequence[FactoryLine],
    *,
    name: str,
    owner: Organisation,
    lot: StockLot | None,
    source: str,
    base_url: str = "",
) -> CardBatch:
    """Record a checked batch and its cards in one bulk insert."""
    batch = CardBatch(
        name=_batch_name(session, name),
        owner_id=owner.id,
        stock_lot_id=lot.id if lot else None,
        source=source,
        base_url=base_url,
        protect_key=new_batch_key(),
        notes="",
    )
    session.add(batch)
    session.flush()
    rows: list[dict[str, Any]] = [
        {
            "batch_id": batch.id,
            "position": position,
            "number": line.number,
            "qr_uuid": line.qr_uuid,
            "url": line.url,
            "uid": line.uid,
            "tag_id": line.tag_id,
            "state": "active",
            "encoding": "blank",
            "url_written": False,
            "protected": False,
        }
        for position, line in enumerate(lines, start=1)
    ]
    if rows:
        session.execute(insert(Card), rows)
    return batch


def import_factory_csv(
    session: Session,
    path: Path,
    *,
    owner: str,
    lot: str | None = None,
    batch_name: str | None = None,
) -> ImportResult:
    """Import a TiBillet factory file as a new batch; raise ImportRejected on any bad line."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CardsError(
            _("{file} : ce n'est pas un fichier texte UTF-8 ({reason})").format(
                file=file, reason=error.reason
            )
        ) from None
    except OSError as error:
        raise CardsError(str(unreadable(file, error))) from None
    org = organisation(session, owner)
    stock_lot = card_lot(session, org, lot)
    lines, errors = parse_factory_csv(text, file)
    errors += _known(session, lines, file)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportRejected(file, errors)
    sync_once_committed(session)
    batch = create_batch(
        session,
        lines,
        name=_name_for(batch_name, path),
        owner=org,
        lot=stock_lot,
        source=file[-limits.length_of(CardBatch.source) :],  # where it came from: the end
    )
    return ImportResult(
        batch.name, len(lines), org.short_name, stock_lot.name if stock_lot else None
    )


# ------------------------------------------------------------------------------ export


@dataclass(frozen=True)
class ExportResult:
    written: int
    without_uid: int  # cards never paired: TiBillet cannot take them without a tag_id


def export_rows(session: Session, cards: Sequence[Card]) -> tuple[list[list[str]], int]:
    rows, skipped = [], 0
    for card in cards:
        tag_id = (card.uid or card.tag_id or "")[:8]
        if not tag_id:
            skipped += 1
            continue
        rows.append([card.url, card.number, tag_id.upper()])
    return rows, skipped


def select_cards(
    session: Session,
    *,
    batch: str | None = None,
    owner: str | None = None,
    lot: str | None = None,
) -> list[Card]:
    """Cards of one batch, owner and/or lot (all cards without a filter), in batch order."""
    query = select(Card).join(CardBatch, Card.batch_id == CardBatch.id)
    if batch is not None:
        if session.scalar(select(CardBatch.id).where(CardBatch.name == batch)) is None:
            raise CardsError(_("lot de cartes inconnu : {batch}").format(batch=batch))
        query = query.where(CardBatch.name == batch)
    if owner is not None:
        query = query.where(CardBatch.owner_id == organisation(session, owner).id)
    if lot is not None:
        lot_id = session.scalar(select(StockLot.id).where(StockLot.name == lot))
        if lot_id is None:
            raise CardsError(f"lot d'inventaire inconnu : {lot}")
        query = query.where(CardBatch.stock_lot_id == lot_id)
    return list(session.scalars(query.order_by(CardBatch.id, Card.position)))


def export_tibillet(session: Session, path: Path, cards: Sequence[Card]) -> ExportResult:
    """Write ``url,number,tag_id`` lines (tag_id = the UID's first 4 bytes, upper hex)."""
    rows, skipped = export_rows(session, cards)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    try:
        path.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as error:
        raise CardsError(
            _("{path} : impossible d'écrire ({strerror})").format(
                path=path, strerror=error.strerror
            )
        ) from None
    return ExportResult(len(rows), skipped)


# ------------------------------------------------------------------------------ generate


def is_spreadsheet_safe(number: str) -> bool:
    """False for numbers a spreadsheet would turn into a number (12345678, 1234E567)."""
    return not _MANGLED.fullmatch(number.upper())


def card_base_url(base_url: str) -> str:
    """``https://host[/path]`` checked, without a trailing ``/`` or ``/qr``."""
    base = base_url.strip().rstrip("/")
    base = base.removesuffix("/qr")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise CardsError(
            _("adresse de base invalide : {base_url} (ex. https://festival.example)").format(
                base_url=base_url
            )
        )
    return base


def generate_lines(count: int, base_url: str, taken: set[str] | None = None) -> list[FactoryLine]:
    """``count`` new cards: uuid4 URLs, numbers = the uuid's first 8 hex digits, upper case."""
    if count < 1:
        raise CardsError(_("le nombre de cartes doit être au moins 1"))
    base = card_base_url(base_url)
    taken = set(taken or ())
    lines: list[FactoryLine] = []
    while len(lines) < count:
        qr = uuid.uuid4()
        number = qr.hex[:8].upper()
        if number in taken or not is_spreadsheet_safe(number):
            continue
        taken.add(number)
        lines.append(FactoryLine(len(lines) + 1, f"{base}/qr/{qr}", str(qr), number, None, None))
    return lines


def printer_csv(lines: Sequence[FactoryLine]) -> str:
    """``url,number,`` per card: the printer's file, re-importable (empty tag_id = unpaired)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([line.url, line.number, ""] for line in lines)
    return buffer.getvalue()


def taken_numbers(session: Session) -> set[str]:
    return set(session.scalars(select(Card.number)))


@dataclass(frozen=True)
class GeneratedBatch:
    path: Path
    cards: int
    batch: str | None  # the batch recorded, None when only the file was written


def generate_batch(
    session: Session,
    count: int,
    base_url: str,
    out: Path,
    *,
    owner: str | None = None,
    lot: str | None = None,
    name: str | None = None,
) -> GeneratedBatch:
    """A new batch for the printer: its file ``url,number,`` written to ``out`` and, with an
    owner, the batch recorded in the caller's transaction (unpaired: empty ``tag_id``)."""
    if count > 100_000:
        raise CardsError("100 000 cartes au plus par lot")
    if owner is None:
        lines = generate_lines(count, base_url, taken_numbers(session))
        _write_printer_file(out, lines)
        return GeneratedBatch(out, count, None)
    org = organisation(session, owner)
    stock_lot = card_lot(session, org, lot)
    lines = generate_lines(count, base_url, taken_numbers(session))
    _write_printer_file(out, lines)
    batch = create_batch(
        session,
        lines,
        name=name or out.stem,
        owner=org,
        lot=stock_lot,
        source=str(out),
        base_url=card_base_url(base_url),
    )
    return GeneratedBatch(out, count, batch.name)


def _write_printer_file(path: Path, lines: Sequence[FactoryLine]) -> None:
    try:
        path.write_text(printer_csv(lines), encoding="utf-8")
    except OSError as error:
        raise CardsError(
            _("{path} : impossible d'écrire ({strerror})").format(
                path=path, strerror=error.strerror
            )
        ) from None

"""Assets to and from CSV (header row). Every bad row is reported with its line and field.

A file with errors imports nothing, unless the user asks to import the good rows only.
Spreadsheets in France write ``;`` and a BOM: both are accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie import limits
from regie.db import sync_once_committed
from regie.errors import NotFound, UserError
from regie.i18n import _, ngettext
from regie.inventory import catalogue
from regie.inventory.asset_window import AssetRow
from regie.inventory.assets import STATUS_LABELS, NewAsset, add_asset, list_assets
from regie.inventory.models import (
    Asset,
    AssetCategory,
    AssetModel,
    AssetShare,
    AssetStatus,
    Location,
)
from regie.models import Organisation
from regie.money import MoneyFormatError, cents_to_decimal_text, parse_cents

COLUMNS = (
    "etiquette",
    "numero_serie",
    "modele",
    "categorie",
    "fabricant",
    "proprietaire",
    "date_achat",
    "cout_achat",
    "amortissement_mois",
    "valeur_residuelle",
    "statut",
    "lieu",
    "coproprietaires",
    "notes",
)
REQUIRED = ("etiquette", "modele", "proprietaire")
ALIASES = {
    "tag": "etiquette",
    "étiquette": "etiquette",
    "serial_number": "numero_serie",
    "numéro_série": "numero_serie",
    "model": "modele",
    "modèle": "modele",
    "category": "categorie",
    "catégorie": "categorie",
    "manufacturer": "fabricant",
    "owner": "proprietaire",
    "propriétaire": "proprietaire",
    "purchase_date": "date_achat",
    "purchase_cost": "cout_achat",
    "coût_achat": "cout_achat",
    "amortisation_months": "amortissement_mois",
    "salvage_value": "valeur_residuelle",
    "valeur_résiduelle": "valeur_residuelle",
    "status": "statut",
    "location": "lieu",
    "co_owners": "coproprietaires",
    "copropriétaires": "coproprietaires",
}
T = TypeVar("T")

# Each text cell and the length of the column it goes to (or is looked up in): the same cap on
# SQLite as on PostgreSQL. Amounts are bounded by parse_cents, months by MAX_MONTHS.
TEXT_CAPS = {
    "etiquette": limits.length_of(Asset.tag),
    "numero_serie": limits.length_of(Asset.serial_number),
    "modele": limits.length_of(AssetModel.name),
    "categorie": limits.length_of(AssetCategory.name),
    "fabricant": limits.length_of(AssetModel.manufacturer),
    "proprietaire": limits.length_of(Organisation.name),
    "date_achat": 10,
    "cout_achat": limits.MAX_NUMBER_TEXT,
    "amortissement_mois": 4,
    "valeur_residuelle": limits.MAX_NUMBER_TEXT,
    "statut": 40,
    "lieu": limits.length_of(Location.name),
    "coproprietaires": 2_000,
}
MAX_MONTHS = 1_200  # a hundred years of amortisation

STATUS_BY_TEXT = {label: status for status, label in STATUS_LABELS.items()} | {
    status.value: status for status in AssetStatus
}


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne {self.field}" if self.field else "")
        return f"{where} : {self.message}"


@dataclass
class ImportReport:
    path: str
    imported: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"{self.path} : {problem}" for problem in self.problems]
        if self.problems and not self.imported:
            lines.append(
                ngettext(
                    "{path} : {n} erreur, rien n'a été importé.",
                    "{path} : {n} erreurs, rien n'a été importé.",
                    len(self.problems),
                ).format(path=self.path, n=len(self.problems))
            )
        else:
            lines.append(
                ngettext(
                    "{path} : {imported} matériel importé sur {rows}.",
                    "{path} : {imported} matériels importés sur {rows}.",
                    self.imported,
                ).format(path=self.path, imported=self.imported, rows=self.rows)
            )
        return "\n".join(lines)


class CsvImportError(UserError):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.describe())
        self.report = report


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (canonical names) and (line number, row) pairs; the header is line 1."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], []
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    rows = []
    for values in _cells(reader):
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(names)}
        if len(values) > len(names):
            row["__extra__"] = "x"
        rows.append((line, row))
    return names, rows


class BadFile(ValueError):
    """The file cannot be read as CSV from this line on (a cell of 100,000 characters…)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _cells(reader: Any) -> Iterator[list[str]]:
    """The reader's rows, its own errors (``_csv.Error``) said with their line."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = _("CSV illisible ({reason})").format(reason=error)
            raise BadFile(reader.line_num, message) from None
        yield values


def _bounded(row: dict[str, str], bad: Callable[[str, str], None]) -> None:
    """Every cell within its cap, else named and emptied (nothing out of bounds goes on to a
    lookup: PostgreSQL refuses a NUL even in a query)."""
    for column, value in row.items():
        if not value or column == "__extra__":
            continue
        try:
            if column == "notes":
                limits.free_text(value)
            else:
                limits.text(value, TEXT_CAPS.get(column, limits.MAX_NOTE))
        except limits.OutOfBounds as error:
            bad(column, str(error))
            row[column] = ""


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        _("date illisible « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)").format(text=text)
    )


def _parse_shares(text: str) -> tuple[tuple[str, int], ...]:
    shares = []
    for part in text.split(";" if ";" in text else "|"):
        name, _sep, percent = part.partition(":")
        if not name.strip() or not percent.strip():
            raise ValueError(_("« {part} » : attendu ORGANISATION:POURCENTAGE").format(part=part))
        shares.append((name.strip(), parse_cents(percent)))  # percent with 2 decimals = bp
    return tuple(shares)


def _validate(
    session: Session,
    line: int,
    row: dict[str, str],
    seen: dict[str, int],
    serials: dict[str, tuple[int, str]],
) -> tuple[NewAsset | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    if "__extra__" in row:
        bad("", _("plus de valeurs que de colonnes"))
    for column in REQUIRED:
        if not row.get(column):
            bad(column, "valeur obligatoire manquante")
    _bounded(row, bad)
    tag = row.get("etiquette", "").upper()
    if tag:
        if tag in seen:
            bad(
                "etiquette",
                _("{tag} figure déjà ligne {tag2} du fichier").format(tag=tag, tag2=seen[tag]),
            )
        elif session.scalar(select(Asset.id).where(Asset.tag == tag)) is not None:
            bad("etiquette", _("{tag} existe déjà dans l'inventaire").format(tag=tag))
        seen.setdefault(tag, line)
    if serial := row.get("numero_serie", "").upper():
        _check_serial(session, serial, (line, tag), serials, bad)
    owner = row.get("proprietaire", "")
    if owner and not _organisation_exists(session, owner):
        bad("proprietaire", _("organisation inconnue « {owner} »").format(owner=owner))
    model = row.get("modele", "")
    if model and not row.get("categorie") and not _model_exists(session, model):
        bad(
            "modele",
            _("modèle inconnu « {model} » (ajoutez une colonne categorie pour le créer)").format(
                model=model
            ),
        )

    def parsed(column: str, parse: Callable[[str], T], default: T) -> T:
        if not row.get(column):
            return default
        try:
            return parse(row[column])
        except (ValueError, MoneyFormatError) as error:
            bad(column, str(error))
            return default

    purchase_date = parsed("date_achat", _parse_date, None)
    cost = parsed("cout_achat", parse_cents, 0)
    salvage = parsed("valeur_residuelle", parse_cents, 0)
    no_shares: tuple[tuple[str, int], ...] = ()
    shares = parsed("coproprietaires", _parse_shares, no_shares)
    for column, amount in (("cout_achat", cost), ("valeur_residuelle", salvage)):
        if amount < 0:
            bad(column, _("un coût ne peut pas être négatif"))
    months = 36
    if row.get("amortissement_mois"):
        written = row["amortissement_mois"]
        if written.isascii() and written.isdigit() and 0 < int(written) <= MAX_MONTHS:
            months = int(row["amortissement_mois"])
        else:
            bad(
                "amortissement_mois",
                _("nombre de mois invalide « {row} » (de 1 à {limit})").format(
                    row=written, limit=MAX_MONTHS
                ),
            )
    status = AssetStatus.AVAILABLE
    if row.get("statut"):
        if row["statut"].lower() in STATUS_BY_TEXT:
            status = STATUS_BY_TEXT[row["statut"].lower()]
        else:
            bad("statut", _("statut inconnu « {row} »").format(row=row["statut"]))
    if row.get("lieu") and not _location_exists(session, row["lieu"]):
        bad("lieu", _("lieu inconnu « {row} »").format(row=row["lieu"]))
    if shares:
        total = sum(share for _n, share in shares)
        if total != 10000:
            bad(
                "coproprietaires",
                _("les parts font {total:g} %, pas 100 %").format(total=total / 100),
            )
        for name, _share in shares:
            if not _organisation_exists(session, name):
                bad("coproprietaires", _("organisation inconnue « {name} »").format(name=name))
    if problems:
        return None, problems
    return (
        NewAsset(
            tag=tag,
            model=model,
            owner=owner,
            serial_number=row.get("numero_serie", ""),
            category=row.get("categorie", ""),
            manufacturer=row.get("fabricant", ""),
            purchase_date=purchase_date,
            purchase_cost_cents=cost,
            amortisation_months=months,
            salvage_value_cents=salvage,
            status=status,
            location=row.get("lieu", ""),
            notes=row.get("notes", ""),
            co_owners=shares,
        ),
        [],
    )


def _check_serial(
    session: Session,
    serial: str,
    here: tuple[int, str],
    serials: dict[str, tuple[int, str]],
    bad: Callable[[str, str], None],
) -> None:
    """One serial number, one item: not twice in the file, not an item already known."""
    if serial in serials:
        line, tag = serials[serial]
        bad(
            "numero_serie",
            _("le numéro de série {serial} figure déjà ligne {line} du fichier ({tag})").format(
                serial=serial, line=line, tag=tag
            ),
        )
        return
    serials[serial] = here
    known = session.scalar(select(Asset.tag).where(func.upper(Asset.serial_number) == serial))
    if known is not None:
        bad(
            "numero_serie",
            _("le numéro de série {serial} est déjà celui de {tag} dans l'inventaire").format(
                serial=serial, tag=known
            ),
        )


def _exists(lookup: Callable[[Session, str], object], session: Session, name: str) -> bool:
    try:
        lookup(session, name)
    except NotFound:
        return False
    return True


def _organisation_exists(session: Session, name: str) -> bool:
    return _exists(catalogue.organisation, session, name)


def _model_exists(session: Session, name: str) -> bool:
    return _exists(catalogue.model_named, session, name)


def _location_exists(session: Session, name: str) -> bool:
    return _exists(catalogue.location, session, name)


def import_assets(session: Session, path: Path, *, good_rows_only: bool = False) -> ImportReport:
    """Check every row, then import all of them in the caller's transaction.

    Raises CsvImportError (nothing written) when a row is bad, unless ``good_rows_only``.
    """
    report = ImportReport(path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        report.problems.append(
            Problem(
                1, "", _("le fichier n'est pas en UTF-8 ({reason})").format(reason=error.reason)
            )
        )
        raise CsvImportError(report) from error
    except OSError as error:
        raise UserError(f"{path} : illisible ({error.strerror})") from error
    try:
        header, rows = read_rows(text)
    except BadFile as error:
        report.problems.append(Problem(error.line, "", str(error)))
        raise CsvImportError(report) from None
    if not header:
        report.problems.append(Problem(1, "", "fichier vide"))
        raise CsvImportError(report)
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    for name in unknown:
        report.problems.append(Problem(1, name, "colonne inconnue"))
    for name in missing:
        report.problems.append(Problem(1, name, "colonne obligatoire absente"))
    if unknown or missing:
        report.problems.append(Problem(1, "", "colonnes attendues : " + ",".join(COLUMNS)))
        raise CsvImportError(report)
    report.rows = len(rows)
    seen: dict[str, int] = {}
    serials: dict[str, tuple[int, str]] = {}
    good: list[NewAsset] = []
    for line, row in rows:
        new, problems = _validate(session, line, row, seen, serials)
        report.problems.extend(problems)
        if new is not None:
            good.append(new)
    if report.problems and not good_rows_only:
        raise CsvImportError(report)
    sync_once_committed(session)
    for new in good:
        add_asset(session, new, imported=True)
    report.imported = len(good)
    return report


def export_assets(session: Session, path: Path, rows: Iterable[AssetRow] | None = None) -> int:
    """Write assets (all of them by default) in the import format; returns the count."""
    rows = list(rows) if rows is not None else list_assets(session)
    assets = {asset.id: asset for asset in session.scalars(select(Asset))}
    models = {
        name: (category, manufacturer)
        for name, category, manufacturer in session.execute(
            select(AssetModel.name, AssetCategory.name, AssetModel.manufacturer).join(
                AssetCategory, AssetModel.category_id == AssetCategory.id
            )
        )
    }
    shares: dict[int, list[str]] = {}
    for asset_id, name, share in session.execute(
        select(AssetShare.asset_id, Organisation.short_name, AssetShare.share_bp).join(
            Organisation, AssetShare.organisation_id == Organisation.id
        )
    ):
        shares.setdefault(asset_id, []).append(f"{name}:{cents_to_decimal_text(share)}")
    temporary = path.with_name(path.name + ".partiel")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            asset = assets[row.id]
            category, manufacturer = models[row.model]
            writer.writerow(
                [
                    row.tag,
                    row.serial_number,
                    row.model,
                    category,
                    manufacturer,
                    row.owner,
                    asset.purchase_date.isoformat() if asset.purchase_date else "",
                    cents_to_decimal_text(asset.purchase_cost_cents),
                    asset.amortisation_months,
                    cents_to_decimal_text(asset.salvage_value_cents),
                    row.status.value,
                    row.location,
                    ";".join(shares.get(row.id, [])),
                    asset.notes,
                ]
            )
    temporary.replace(path)  # a crash mid-export never leaves half a file under the real name
    return len(rows)

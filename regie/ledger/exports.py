"""Exports: transfers as CSV, a plain-text journal hledger reads, and the FEC.

Each is streamed (a million transfers never sit in memory) and written to a temporary
name first, so a crash never leaves half a file under the real name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie.i18n import local_time
from regie.ledger.models import Account, LedgerAsset, PointOfSale, Source, Transfer
from regie.money import cents_to_decimal_text

FORMATS = ("csv", "hledger", "fec")


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    temporary = path.with_name(path.name + ".partiel")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        yield handle
    temporary.replace(path)


def _rows(session: Session) -> Iterator[tuple[Transfer, str, str, str, str, str]]:
    names = dict(session.execute(select(Account.id, Account.name)).all())
    codes = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    places = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
    sources = dict(session.execute(select(Source.id, Source.name)).all())
    for transfer in session.scalars(
        select(Transfer).order_by(Transfer.id).execution_options(yield_per=20_000)
    ):
        yield (
            transfer,
            names[transfer.debit_id],
            names[transfer.credit_id],
            codes[transfer.asset_id],
            places.get(transfer.pos_id or 0, ""),
            sources[transfer.source_id],
        )


def export_csv(session: Session, path: Path) -> int:
    count = 0
    with _atomic(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "lien",
                "date",
                "source",
                "seq",
                "operation",
                "moyen",
                "debit",
                "credit",
                "actif",
                "montant",
                "point_de_vente",
                "details",
                "empreinte",
            ]
        )
        for t, debit, credit, asset, pos, source in _rows(session):
            writer.writerow(
                [
                    t.id,
                    t.link_id,
                    local_time(t.at).isoformat(),
                    source,
                    t.seq,
                    t.op,
                    t.method,
                    debit,
                    credit,
                    asset,
                    cents_to_decimal_text(t.amount),
                    pos,
                    t.details,
                    t.hash.hex(),
                ]
            )
            count += 1
    return count


def _hledger_account(name: str) -> str:
    # hledger ends an account name at two spaces or a tab; ";" would start a comment.
    return " ".join(name.split()).replace(";", ",")


def export_hledger(session: Session, path: Path) -> int:
    """One hledger transaction per entry; postings are signed so that hledger's balance of
    each account equals Régie's (credits minus debits)."""
    count = 0
    with _atomic(path) as handle:
        handle.write(
            "; Journal exporté par Régie. Montants signés comme dans Régie : le solde d'un\n"
            "; compte est ce qui y est entré moins ce qui en est sorti.\n\n"
        )
        current = None
        for t, debit, credit, asset, _pos, source in _rows(session):
            if t.link_id != current:
                current = t.link_id
                day = local_time(t.at).date().isoformat()
                handle.write(f"\n{day} {source} n°{t.seq} {t.op}\n")
                count += 1
            amount = cents_to_decimal_text(t.amount)
            handle.write(f"    {_hledger_account(debit)}  -{amount} {asset}\n")
            handle.write(f"    {_hledger_account(credit)}  {amount} {asset}\n")
    return count


# Plan comptable général: which account each kind of ledger account books to.
PCG = {
    "wallet": ("4191", "Avances reçues sur cartes cashless"),
    "pos_revenue": ("707", "Ventes"),
    "pos_cash": ("530", "Caisse"),
    "pos_card": ("5112", "Cartes bancaires à encaisser"),
    "stripe_clearing": ("5117", "Stripe à encaisser"),
    "stripe_fees": ("627", "Frais bancaires"),
    "bank": ("512", "Banque"),
    "melted": ("758", "Produits divers (monnaie fondante)"),
    "correction": ("658", "Corrections de soldes"),
    "cash_difference": ("658", "Écarts de caisse"),
    "fees_refund": ("708", "Frais de remboursement"),
    "gift": ("6234", "Jetons offerts"),
    "refunds": ("4191", "Remboursements"),
    "world": ("467", "Autres comptes"),
    "fed": ("467", "Compensation de la fédération"),
}
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
JOURNALS = {"sale": ("VE", "Ventes"), "topup": ("CA", "Caisse"), "refund": ("CA", "Caisse")}


def _fec_amount(cents: int) -> str:
    return cents_to_decimal_text(cents).replace(".", ",")


def _pcg(name: str) -> tuple[str, str, str]:
    kind = name.split(":", 1)[0]
    if kind == "pos":
        kind = f"pos_{name.rsplit(':', 1)[1]}"
    number, label = PCG.get(kind.replace(":", "_"), PCG.get(name.replace(":", "_"), PCG["world"]))
    auxiliary = name.split(":", 1)[1] if kind in ("wallet", "fed") else ""
    return number, label, auxiliary


def export_fec(session: Session, path: Path) -> int:
    """The Fichier des Écritures Comptables: 18 columns, tab-separated, one line per side."""
    count = 0
    with _atomic(path) as handle:
        handle.write("\t".join(FEC_COLUMNS) + "\n")
        for t, debit, credit, asset, _pos, source in _rows(session):
            day = local_time(t.at).strftime("%Y%m%d")
            code, label = JOURNALS.get(t.op, ("OD", "Opérations diverses"))
            piece = f"{source}-{t.seq}"
            text = f"{t.op} {source} n°{t.seq}"
            for name, is_debit in ((debit, True), (credit, False)):
                number, account_label, auxiliary = _pcg(name)
                amount = _fec_amount(t.amount)
                fields = (
                    code,
                    label,
                    str(t.link_id),
                    day,
                    number,
                    account_label,
                    auxiliary,
                    auxiliary,
                    piece,
                    day,
                    text,
                    amount if is_debit else "0,00",
                    "0,00" if is_debit else amount,
                    "",
                    "",
                    day,
                    amount,
                    asset,
                )
                handle.write("\t".join(fields) + "\n")
            count += 1
    return count

"""`regie verify` finds each kind of tampering done with the database's triggers dropped,
and names the first broken record in the office's words (docs/ledger.md lists the kinds)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from regie.audit.seal_verify import verify_base
from regie.db import Database
from tests.seal_fixtures import sealed, tamper

__all__ = ["sealed"]

SWAP = (
    "UPDATE account SET name = 'swap' WHERE name = '{a}'",
    "UPDATE account SET name = '{a}' WHERE name = '{b}'",
    "UPDATE account SET name = '{b}' WHERE name = 'swap'",
)
LAST_Z = "(SELECT MAX(number) FROM closure)"
CREDIT = "(SELECT id FROM invoice WHERE kind = 'credit')"
# kind → (statements, what the first problem says). {last}, {wallet}, {other}: read from the
# base before tampering.
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "transfer amount edited": (
        ("UPDATE transfer SET amount = amount + 100 WHERE id = 321",),
        "transfert n°321 modifié ou inséré",
    ),
    "leg's account renamed": (
        ("UPDATE account SET name = 'wallet:FFFFFFFFFFFFFF' WHERE name = '{wallet}'",),
        "modifié ou inséré : son empreinte ne correspond pas",
    ),
    "two accounts' names swapped": (
        tuple(sql.format(a="{wallet}", b="{other}") for sql in SWAP),
        "modifié ou inséré : son empreinte ne correspond pas",
    ),
    "asset code changed": (
        ("UPDATE ledger_asset SET code = 'EUX' WHERE code = 'EUR'",),
        "modifié ou inséré : son empreinte ne correspond pas",
    ),
    "point of sale renamed": (
        ("UPDATE pos SET name = 'Bar Fantôme' WHERE name = 'Bar Nord'",),
        "modifié ou inséré : son empreinte ne correspond pas",
    ),
    "transfer deleted in the middle": (
        ("DELETE FROM transfer WHERE id = 400",),
        "transfert n°400 supprimé (le suivant lu est le n°401)",
    ),
    "last transfer deleted": (
        ("DELETE FROM transfer WHERE id = {last}",),
        "transferts n°{last} à n°{last} supprimés (fin du journal)",
    ),
    "Z totals edited": (
        ("UPDATE closure SET grand_total = grand_total + 1000 WHERE number = 3",),
        "Z n°3 modifié",
    ),
    "last Z deleted, counter rewound": (
        (
            f"DELETE FROM z_signature WHERE number = {LAST_Z}",
            f"DELETE FROM closure WHERE number = {LAST_Z}",
            "UPDATE ledger_head SET last_closure_number = last_closure_number - 1, "
            f"last_closure_hash = (SELECT hash FROM closure WHERE number = {LAST_Z})",
        ),
        "la clôture Z n°{last_z} du point de vente Caisse centrale est dans le journal d'audit "
        "mais plus dans la base : supprimée",
    ),
    "Z signature forged": (
        (
            "UPDATE z_signature SET signature = (SELECT signature FROM z_signature "
            "WHERE number = 1) WHERE number = 2",
        ),
        "signature invalide",
    ),
    "Z signature deleted": (
        ("DELETE FROM z_signature WHERE number = 4",),
        "signature absente",
    ),
    "audit line edited": (
        ("UPDATE audit_trail SET actor = 'Mallory' WHERE id = 5",),
        "la ligne n°5 du journal d'audit a été modifiée",
    ),
    "audit line deleted": (
        ("DELETE FROM audit_trail WHERE id = 6",),
        "la ligne n°6 du journal d'audit a été supprimée",
    ),
    "invoice line edited": (
        (
            "UPDATE invoice_line SET unit_cents = unit_cents + 1 WHERE invoice_id = "
            "(SELECT MIN(id) FROM invoice)",
        ),
        "la facture F-2025-0001 a été modifiée après émission",
    ),
    "credit note deleted, counter rewound": (
        (
            f"DELETE FROM invoice_line WHERE invoice_id = {CREDIT}",
            f"DELETE FROM invoice WHERE id = {CREDIT}",
            "UPDATE invoice_counter SET last_number = last_number - 1 WHERE series = 'AV'",
        ),
        "l'avoir {credit} a été supprimé",
    ),
    "person's role raised": (
        ("UPDATE person SET role = 'admin' WHERE name = 'Bob'",),
        "l'utilisateur Bob a été modifié hors de Régie",
    ),
    "sales summary edited": (
        (
            "UPDATE sales_summary SET amount = amount + 500 WHERE product = "
            "(SELECT MIN(product) FROM sales_summary)",
        ),
        "le résumé des ventes a été modifié",
    ),
    "seal register's tail cut": (
        ("DELETE FROM seal_record WHERE id = (SELECT MAX(id) FROM seal_record)",),
        "le registre des sceaux a perdu ses dernières lignes",
    ),
}


def _facts(db: Database) -> dict[str, object]:
    with db.engine.connect() as connection:
        run = connection.execute
        wallets = run(
            text(
                "SELECT a.name FROM account a JOIN transfer t ON t.credit_id = a.id "
                "WHERE a.name LIKE 'wallet:%' GROUP BY a.name ORDER BY MIN(t.id) LIMIT 2"
            )
        ).scalars()
        wallet, other = list(wallets)
        return {
            "wallet": wallet,
            "other": other,
            "last": run(text("SELECT last_transfer_id FROM ledger_head")).scalar_one(),
            "last_z": run(text("SELECT MAX(number) FROM closure")).scalar_one(),
            "credit": run(text(f"SELECT reference FROM invoice WHERE id = {CREDIT}")).scalar_one(),
        }


def test_the_sealed_base_verifies_whole(sealed: Database) -> None:
    with sealed.session() as session:
        report = verify_base(session)
    assert report.problems == []
    assert report.ledger.closures >= 20 and report.sealed > 100


@pytest.mark.parametrize("kind", list(KINDS))
def test_verify_finds_the_tampering(sealed: Database, kind: str) -> None:
    statements, expected = KINDS[kind]
    facts = _facts(sealed)
    with sealed.session() as session:
        tamper(session, *(sql.format(**facts) for sql in statements))
    with sealed.session() as session:
        problems = verify_base(session).problems
    assert problems, kind
    assert expected.format(**facts) in problems[0]

"""``regie ledger verify``: is the journal as the ledger wrote it?

It recomputes the hash chain row by row and names the first transfer edited, deleted or
inserted behind the ledger's back; it checks the chain head, the Z closures (numbers without
gaps, their own chain, their figures and grand totals), the cached balances and that every
asset sums to zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.ledger.chain import COLUMNS, GENESIS, link
from regie.ledger.closures import closure_hash, figures
from regie.ledger.models import Account, Balance, Closure, LedgerAsset, LedgerHead, Transfer


@dataclass
class VerifyReport:
    transfers: int = 0
    closures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    report = VerifyReport()
    head = session.get_one(LedgerHead, 1)
    total = head.last_transfer_id
    columns = [getattr(Transfer, name) for name in COLUMNS] + [Transfer.hash]
    previous_hash, expected_id = GENESIS, 1
    sums: dict[tuple[int, int], int] = {}
    chain_broken = False
    for row in session.execute(
        select(*columns).order_by(Transfer.id).execution_options(yield_per=50_000)
    ):
        values, stored = tuple(row[:-1]), row[-1]
        transfer_id = values[0]
        if not chain_broken:
            if transfer_id > total:
                report.problems.append(
                    f"transfert n°{transfer_id} ajouté hors du grand livre "
                    f"(la tête de chaîne s'arrête au n°{total})"
                )
                chain_broken = True
            elif transfer_id != expected_id:
                report.problems.append(
                    f"transfert n°{expected_id} supprimé (le suivant lu est le n°{transfer_id})"
                )
                chain_broken = True
            elif link(previous_hash, values) != stored:
                report.problems.append(
                    f"transfert n°{transfer_id} modifié ou inséré : son empreinte ne correspond "
                    "pas à son contenu et à la chaîne"
                )
                chain_broken = True
        previous_hash, expected_id = stored, transfer_id + 1
        debit, credit, asset, amount = values[9], values[10], values[11], values[12]
        sums[(debit, asset)] = sums.get((debit, asset), 0) - amount
        sums[(credit, asset)] = sums.get((credit, asset), 0) + amount
        report.transfers += 1
        if progress is not None and report.transfers % 100_000 == 0:
            progress(report.transfers, total)
    if not chain_broken:
        if expected_id - 1 != total:
            report.problems.append(
                f"transferts n°{expected_id} à n°{total} supprimés (fin du journal)"
            )
        elif previous_hash != head.last_hash:
            report.problems.append("la tête de chaîne ne correspond pas au dernier transfert")
    _check_balances(session, sums, report)
    _check_closures(session, report)
    return report


def _check_balances(
    session: Session, sums: dict[tuple[int, int], int], report: VerifyReport
) -> None:
    names = dict(session.execute(select(Account.id, Account.name)).all())
    codes = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    cached = {
        (account, asset): amount
        for account, asset, amount in session.execute(
            select(Balance.account_id, Balance.asset_id, Balance.amount)
        )
    }
    for key in sorted(set(sums) | set(cached)):
        if sums.get(key, 0) != cached.get(key, 0):
            account, asset = key
            report.problems.append(
                f"solde en cache faux pour {names.get(account, account)} en {codes.get(asset)} : "
                f"{cached.get(key, 0)} au lieu de {sums.get(key, 0)}"
            )
    per_asset: dict[int, int] = {}
    for (_account, asset), amount in sums.items():
        per_asset[asset] = per_asset.get(asset, 0) + amount
    for asset, amount in sorted(per_asset.items()):
        if amount:
            report.problems.append(
                f"les comptes en {codes.get(asset)} ne s'équilibrent pas ({amount})"
            )
    negative = session.scalar(
        select(func.count())
        .select_from(Balance)
        .join(Account, Balance.account_id == Account.id)
        .where(Account.may_go_negative.is_(False), Balance.amount < 0)
    )
    if negative:
        report.problems.append(f"{negative} porte-monnaie négatif(s)")


def _check_closures(session: Session, report: VerifyReport) -> None:
    head = session.get_one(LedgerHead, 1)
    previous_hash = GENESIS
    grand_totals: dict[str, int] = {}
    expected_number = 1
    for closure in session.scalars(select(Closure).order_by(Closure.number)):
        report.closures += 1
        label = f"Z n°{closure.number}"
        if closure.number != expected_number:
            report.problems.append(f"Z n°{expected_number} manquant (numérotation trouée)")
        expected_number = closure.number + 1
        if closure_hash(previous_hash, closure) != closure.hash:
            report.problems.append(f"{label} modifié : son empreinte ne correspond plus")
        previous_hash = closure.hash
        recomputed = figures(
            session, closure.scope, closure.first_transfer_id, closure.last_transfer_id
        )
        if recomputed.canonical() != closure.totals:
            report.problems.append(f"{label} : ses montants ne correspondent plus au journal")
        running = grand_totals.get(closure.scope, 0) + orjson.loads(closure.totals)["sales_total"]
        grand_totals[closure.scope] = running
        if running != closure.grand_total:
            report.problems.append(f"{label} : grand total {closure.grand_total} ≠ {running}")
    if expected_number - 1 != head.last_closure_number:
        report.problems.append(
            f"Z n°{expected_number} à n°{head.last_closure_number} manquants (supprimés)"
        )
    elif previous_hash != head.last_closure_hash:
        report.problems.append("la chaîne des Z ne correspond pas à la tête")

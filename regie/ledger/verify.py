"""``regie ledger verify``: is the journal as the ledger wrote it?

It recomputes the hash chain row by row — by content (names of accounts, asset, point of
sale and source) from ``ledger_head.content_from`` on, by ids before — and names the first
transfer edited, deleted or inserted behind the ledger's back; it checks the chain head, the
Z closures (numbers without gaps, their own chain, their chain heads against the journal,
their signatures, their figures and grand totals), the cached balances, the sales summary
and that every asset sums to zero.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.i18n import _, ngettext
from regie.ledger.chain import GENESIS
from regie.ledger.closure_check import ZFigures, boundaries, check_closures
from regie.ledger.models import Account, Balance, Closure, LedgerAsset, LedgerHead, Transfer
from regie.ledger.sales_check import Key as SalesKey
from regie.ledger.sales_check import SalesTally, check_sales, stored_sales
from regie.ledger.verify_pass import Plan, Reading
from regie.ledger.verify_split import read_journal


@dataclass
class VerifyReport:
    transfers: int = 0
    closures: int = 0
    problems: list[str] = field(default_factory=list)
    # Wall seconds of each step (the benchmark prints them): journal (the chain and the
    # sums read), balances, sales, closures.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    session: Session,
    progress: Callable[[int, int], None] | None = None,
    *,
    processes: int | None = None,
) -> VerifyReport:
    """Check the journal, its caches and its Z; ``processes``: how many read the journal
    (by default two for a big one, see :mod:`regie.ledger.verify_split`)."""
    report = VerifyReport()
    head = session.get_one(LedgerHead, 1)
    total = head.last_transfer_id
    bounds = boundaries(session)
    plan = Plan(
        first=1,
        last=total,
        content_from=head.content_from,
        sealed_heads=frozenset(session.scalars(select(Closure.last_transfer_id))),
        bounds=bounds,
    )
    read = 0

    def rows_read(rows: int) -> None:
        nonlocal read
        read += rows
        if progress is not None:
            progress(read, total)

    started = time.perf_counter()
    # The caches the figures are compared with, read while other processes read the journal
    # (a million rows: read after, they were a tenth of the verification).
    caches: list[_Caches] = []

    def read_caches() -> None:
        caches.append((_cached_balances(session), stored_sales(session)))

    readings = (
        read_journal(session, plan, rows_read, processes=processes, meanwhile=read_caches)
        if total
        else []
    )
    if not caches:  # read here: no other process
        read_caches()
    balances_cached, sales_stored = caches[0]
    report.transfers = sum(reading.rows for reading in readings)
    report.problems += _chain_problems(session, readings, total, head.last_hash)
    sums: dict[tuple[int, int], int] = {}
    figures: dict[Any, list[int]] = {}
    vat: dict[Any, int] = {}
    sales = SalesTally()
    heads: dict[int, bytes] = {}
    for reading in readings:
        heads.update(reading.heads)
        _add(sums, reading.sums)
        _add(vat, reading.vat)
        for key, (count, cents) in reading.figures.items():
            group = figures.setdefault(key, [0, 0])
            group[0] += count
            group[1] += cents
        sales.merge(reading.sales)
    report.transfers += _beyond(session, total)
    started = _lap(report, "journal", started)
    _check_balances(session, sums, balances_cached, report)
    started = _lap(report, "balances", started)
    report.problems += check_sales(session, sales, sales_stored)
    started = _lap(report, "sales", started)
    report.closures, problems = check_closures(
        session, heads, ZFigures(session, bounds, figures, vat)
    )
    report.problems += problems
    _lap(report, "closures", started)
    return report


def _lap(report: VerifyReport, step: str, started: float) -> float:
    now = time.perf_counter()
    report.seconds[step] = now - started
    return now


def _add(into: dict[Any, int], more: dict[Any, int]) -> None:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value


def _chain_problems(
    session: Session, readings: list[Reading], total: int, last_hash: bytes
) -> list[str]:
    """The first transfer that does not follow from the one before, in the office's words."""
    for reading in readings:
        if reading.broken is None:
            continue
        kind, transfer_id, following = reading.broken
        if kind == "changed":
            return [
                _(
                    "transfert n°{transfer_id} modifié ou inséré : son empreinte "
                    "ne correspond pas à son contenu et à la chaîne"
                ).format(transfer_id=transfer_id)
            ]
        if following is None or following > total:
            return [
                _("transferts n°{expected_id} à n°{total} supprimés (fin du journal)").format(
                    expected_id=transfer_id, total=total
                )
            ]
        return [
            _("transfert n°{expected_id} supprimé (le suivant lu est le n°{transfer_id})").format(
                expected_id=transfer_id, transfer_id=following
            )
        ]
    added = session.scalar(select(func.min(Transfer.id)).where(Transfer.id > total))
    if added is not None:
        return [
            _(
                "transfert n°{transfer_id} ajouté hors du grand livre (la "
                "tête de chaîne s'arrête au n°{total})"
            ).format(transfer_id=added, total=total)
        ]
    if (readings[-1].last_hash if readings else GENESIS) != last_hash:
        return [_("la tête de chaîne ne correspond pas au dernier transfert")]
    return []


def _beyond(session: Session, total: int) -> int:
    """Transfers after the chain head (added behind the ledger's back): counted as read."""
    return session.scalar(select(func.count()).where(Transfer.id > total)) or 0


_Caches = tuple[dict[tuple[int, int], int], dict[SalesKey, list[int]]]


def _cached_balances(session: Session) -> dict[tuple[int, int], int]:
    return {
        (account, asset): amount
        for account, asset, amount in session.execute(
            select(Balance.account_id, Balance.asset_id, Balance.amount)
        )
    }


def _check_balances(
    session: Session,
    sums: dict[tuple[int, int], int],
    cached: dict[tuple[int, int], int],
    report: VerifyReport,
) -> None:
    wrong = sorted(
        key for key in sums.keys() | cached.keys() if sums.get(key, 0) != cached.get(key, 0)
    )
    codes = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    # The accounts' names (56,000 of them) are read only to word a wrong balance.
    names = dict(session.execute(select(Account.id, Account.name)).all()) if wrong else {}
    for key in wrong:
        account, asset = key
        report.problems.append(
            _(
                "solde en cache faux pour {account} en {asset} : {cached} au lieu de {computed}"
            ).format(
                account=names.get(account, account),
                asset=codes.get(asset),
                cached=cached.get(key, 0),
                computed=sums.get(key, 0),
            )
        )
    per_asset: dict[int, int] = {}
    for (_account, asset), amount in sums.items():
        per_asset[asset] = per_asset.get(asset, 0) + amount
    for asset, amount in sorted(per_asset.items()):
        if amount:
            report.problems.append(
                _("les comptes en {asset} ne s'équilibrent pas ({amount})").format(
                    asset=codes.get(asset), amount=amount
                )
            )
    negative = session.scalar(
        select(func.count())
        .select_from(Balance)
        .join(Account, Balance.account_id == Account.id)
        .where(Account.may_go_negative.is_(False), Balance.amount < 0)
    )
    if negative:
        report.problems.append(
            ngettext(
                "{negative} porte-monnaie négatif", "{negative} porte-monnaie négatifs", negative
            ).format(negative=negative)
        )

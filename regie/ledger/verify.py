"""``regie ledger verify``: is the journal as the ledger wrote it?

It recomputes the hash chain row by row — by content (names of accounts, asset, point of
sale and source) from ``ledger_head.content_from`` on, by ids before — and names the first
transfer edited, deleted or inserted behind the ledger's back; it checks the chain head, the
Z closures (numbers without gaps, their own chain, their chain heads against the journal,
their signatures, their figures and grand totals), the cached balances, the sales summary
and that every asset sums to zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regie.errors import UserError
from regie.i18n import _, ngettext
from regie.ledger.chain import COLUMNS, GENESIS, content_link, link
from regie.ledger.closures import closure_hash, figures
from regie.ledger.labels import z_label
from regie.ledger.models import (
    Account,
    Balance,
    Closure,
    LedgerAsset,
    LedgerHead,
    PointOfSale,
    Source,
    Transfer,
)
from regie.ledger.sales_check import SalesTally, check_sales
from regie.ledger.z_signing import signature_holds, signatures


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
    total, content_from = head.last_transfer_id, head.content_from
    columns = [getattr(Transfer, name) for name in COLUMNS] + [Transfer.hash, Transfer.event_id]
    accounts = dict(session.execute(select(Account.id, Account.name)).all())
    assets = dict(session.execute(select(LedgerAsset.id, LedgerAsset.code)).all())
    points = dict(session.execute(select(PointOfSale.id, PointOfSale.name)).all())
    sources = dict(session.execute(select(Source.id, Source.name)).all())
    sealed_heads = set(session.scalars(select(Closure.last_transfer_id)))
    heads: dict[int, bytes] = {}
    previous_hash, expected_id = GENESIS, 1
    sums: dict[tuple[int, int], int] = {}
    sales = SalesTally()
    chain_broken = False
    # Plain rows through the connection (not the ORM's result): a million of them.
    for row in session.connection().execute(
        select(*columns).order_by(Transfer.id).execution_options(yield_per=50_000)
    ):
        values, stored = tuple(row[:-2]), row[-2]
        transfer_id = values[0]
        if not chain_broken:
            if transfer_id > total:
                report.problems.append(
                    _(
                        "transfert n°{transfer_id} ajouté hors du grand livre (la "
                        "tête de chaîne s'arrête au n°{total})"
                    ).format(transfer_id=transfer_id, total=total)
                )
                chain_broken = True
            elif transfer_id != expected_id:
                report.problems.append(
                    _(
                        "transfert n°{expected_id} supprimé (le suivant lu est le n°{transfer_id})"
                    ).format(expected_id=expected_id, transfer_id=transfer_id)
                )
                chain_broken = True
            else:
                if transfer_id >= content_from:  # names, not ids (regie.ledger.chain)
                    pos = values[13]
                    computed = content_link(
                        previous_hash,
                        (
                            *values[:2],
                            sources.get(values[2], values[2]),
                            *values[3:9],
                            accounts.get(values[9], values[9]),
                            accounts.get(values[10], values[10]),
                            assets.get(values[11], values[11]),
                            values[12],
                            None if pos is None else points.get(pos, pos),
                            *values[14:],
                        ),
                    )
                else:
                    computed = link(previous_hash, values)
                if computed != stored:
                    report.problems.append(
                        _(
                            "transfert n°{transfer_id} modifié ou inséré : son empreinte "
                            "ne correspond pas à son contenu et à la chaîne"
                        ).format(transfer_id=transfer_id)
                    )
                    chain_broken = True
        previous_hash, expected_id = stored, transfer_id + 1
        if transfer_id in sealed_heads:
            heads[transfer_id] = stored
        debit, credit, asset, amount = values[9], values[10], values[11], values[12]
        sums[(debit, asset)] = sums.get((debit, asset), 0) - amount
        sums[(credit, asset)] = sums.get((credit, asset), 0) + amount
        if values[4] == 0 and values[16][:1] == "[" and values[13] is not None:
            sales.add(row[-1], values)
        report.transfers += 1
        if progress is not None and report.transfers % 100_000 == 0:
            progress(report.transfers, total)
    if not chain_broken:
        if expected_id - 1 != total:
            report.problems.append(
                _("transferts n°{expected_id} à n°{total} supprimés (fin du journal)").format(
                    expected_id=expected_id, total=total
                )
            )
        elif previous_hash != head.last_hash:
            report.problems.append(_("la tête de chaîne ne correspond pas au dernier transfert"))
    _check_balances(session, sums, report)
    report.problems += check_sales(session, sales)
    _check_closures(session, report, heads)
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


def _check_closures(session: Session, report: VerifyReport, heads: dict[int, bytes]) -> None:
    head = session.get_one(LedgerHead, 1)
    signed = signatures(session)
    previous_hash = GENESIS
    grand_totals: dict[str, int] = {}
    expected_number = 1
    for closure in session.scalars(select(Closure).order_by(Closure.number)):
        report.closures += 1
        label = z_label(closure.number, closure.scope)
        if closure.number != expected_number:
            report.problems.append(
                _("Z n°{expected_number} manquant (numérotation trouée)").format(
                    expected_number=expected_number
                )
            )
        expected_number = closure.number + 1
        if closure_hash(previous_hash, closure) != closure.hash:
            report.problems.append(
                _("{label} modifié : son empreinte ne correspond plus").format(
                    label=_("Z n°{number}").format(number=closure.number)
                )
            )
        previous_hash = closure.hash
        journal_head = heads.get(closure.last_transfer_id, GENESIS)
        if closure.chain_head != journal_head:
            report.problems.append(
                _("{label} : sa tête de chaîne ne correspond plus au journal").format(label=label)
            )
        signature = signed.get(closure.number)
        if signature is None:
            if closure.number >= head.signed_from:
                report.problems.append(_("{label} : signature absente").format(label=label))
        elif not signature_holds(signature[0] or b"", closure, signature[1]):
            report.problems.append(_("{label} : signature invalide").format(label=label))
        try:
            recomputed = figures(
                session, closure.scope, closure.first_transfer_id, closure.last_transfer_id
            ).canonical()
        except UserError:  # its point of sale or event is gone: renamed behind Régie's back
            recomputed = ""
        if recomputed != closure.totals:
            report.problems.append(
                _("{label} : ses montants ne correspondent plus au journal").format(label=label)
            )
        running = grand_totals.get(closure.scope, 0) + orjson.loads(closure.totals)["sales_total"]
        grand_totals[closure.scope] = running
        if running != closure.grand_total:
            report.problems.append(
                _("{label} : grand total {total} ≠ {running}").format(
                    label=label, total=closure.grand_total, running=running
                )
            )
    for number in sorted(set(signed) - set(range(1, expected_number))):
        report.problems.append(
            _("la clôture Z n°{number} a été signée mais n'est plus dans la base").format(
                number=number
            )
        )
    if expected_number - 1 != head.last_closure_number:
        report.problems.append(
            _("Z n°{expected_number} à n°{last_closure_number} manquants (supprimés)").format(
                expected_number=expected_number, last_closure_number=head.last_closure_number
            )
        )
    elif previous_hash != head.last_closure_hash:
        report.problems.append(_("la chaîne des Z ne correspond pas à la tête"))

"""What the loan desk shows before and after a loan: an item checked as it is scanned,
the loans still open with their lines, the loan that holds a scanned tag.

Read-only: the check-out and the check-in themselves are ``loans.checkout`` and
``loans.checkin``, which check everything again in their own transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from regie import clock
from regie.errors import NotFound
from regie.i18n import _
from regie.inventory import catalogue
from regie.inventory.assets import STATUS_LABELS, UNUSABLE
from regie.inventory.bookings import kit_assets
from regie.inventory.loans import _booked_elsewhere, _open_line
from regie.inventory.models import (
    Asset,
    AssetModel,
    AssetStatus,
    Kit,
    Loan,
    LoanLine,
    StockLot,
)
from regie.models import Organisation, Prestation


@dataclass(frozen=True)
class ItemCheck:
    """A scanned or typed tag: an asset or a kit, what it holds, and why it cannot go out."""

    tag: str
    is_kit: bool
    description: str
    tags: tuple[str, ...]  # the asset itself, or the kit's contents
    problems: tuple[str, ...]


def _asset_problems(session: Session, asset: Asset, prestation_id: int | None) -> list[str]:
    """The same reasons ``checkout`` refuses an asset for, one sentence each."""
    if asset.status == AssetStatus.OUT:
        line = _open_line(session, asset)
        return [
            _("{tag} est déjà sorti (prêt n°{loan_id})").format(
                tag=asset.tag, loan_id=line.loan_id if line else "?"
            )
        ]
    if asset.status in UNUSABLE:
        return [
            _("{tag} est {status}").format(tag=asset.tag, status=_(STATUS_LABELS[asset.status]))
        ]
    other = _booked_elsewhere(session, asset, prestation_id, clock.today())
    return [_("{tag} est réservé pour {other}").format(tag=asset.tag, other=other)] if other else []


def check_item(session: Session, text: str, *, prestation_name: str = "") -> ItemCheck:
    """Look up a tag typed at the loan desk: an asset tag first, then a kit tag."""
    tag = catalogue.normalise_tag(text)
    prestation = catalogue.prestation(session, prestation_name) if prestation_name else None
    prestation_id = prestation.id if prestation else None
    asset = session.scalar(select(Asset).where(Asset.tag == tag))
    if asset is not None:
        model = session.get_one(AssetModel, asset.model_id).name
        return ItemCheck(
            tag=asset.tag,
            is_kit=False,
            description=model,
            tags=(asset.tag,),
            problems=tuple(_asset_problems(session, asset, prestation_id)),
        )
    kit = session.scalar(select(Kit).where(Kit.tag == tag))
    if kit is None:
        raise NotFound(
            _("étiquette inconnue : « {text} » (ni un matériel, ni une valise)").format(
                text=text.strip()
            )
        )
    contents = kit_assets(session, kit)
    problems = [p for asset in contents for p in _asset_problems(session, asset, prestation_id)]
    if not contents:
        problems.append(_("la valise {tag} est vide").format(tag=kit.tag))
    return ItemCheck(
        tag=kit.tag,
        is_kit=True,
        description=_("{name} ({n} matériels)").format(name=kit.name, n=len(contents)),
        tags=tuple(asset.tag for asset in contents),
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class OpenLine:
    """A line still out: an asset (tag and model) or a quantity of a lot."""

    tag: str
    description: str
    lot: str
    quantity_out: int
    kit: str


@dataclass(frozen=True, kw_only=True)
class OpenLoan:
    loan_id: int
    borrower: str
    prestation: str
    out_at: dt.datetime
    due_on: dt.date
    lines: list[OpenLine]


def open_loans(session: Session) -> list[OpenLoan]:
    """Loans not closed yet, the oldest due first, with the lines still out."""
    lines: dict[int, list[OpenLine]] = {}
    for loan_id, tag, model, lot, quantity, kit in session.execute(
        select(
            LoanLine.loan_id,
            Asset.tag,
            AssetModel.name,
            StockLot.name,
            LoanLine.quantity_out,
            Kit.tag,
        )
        .join(Loan, LoanLine.loan_id == Loan.id)
        .outerjoin(Asset, LoanLine.asset_id == Asset.id)
        .outerjoin(AssetModel, Asset.model_id == AssetModel.id)
        .outerjoin(StockLot, LoanLine.stock_lot_id == StockLot.id)
        .outerjoin(Kit, LoanLine.kit_id == Kit.id)
        .where(Loan.closed_at.is_(None), LoanLine.returned_at.is_(None))
        .order_by(LoanLine.id)
    ):
        lines.setdefault(loan_id, []).append(
            OpenLine(
                tag=tag or "",
                description=model or "",
                lot=lot or "",
                quantity_out=quantity,
                kit=kit or "",
            )
        )
    return [
        OpenLoan(
            loan_id=loan.id,
            borrower=borrower,
            prestation=prestation or "",
            out_at=loan.out_at,
            due_on=loan.due_on,
            lines=lines[loan.id],
        )
        for loan, borrower, prestation in session.execute(
            select(Loan, Organisation.short_name, Prestation.name)
            .join(Organisation, Loan.borrower_id == Organisation.id)
            .outerjoin(Prestation, Loan.prestation_id == Prestation.id)
            .where(Loan.closed_at.is_(None))
            .order_by(Loan.due_on, Loan.id)
        )
        if loan.id in lines
    ]


def loan_holding(session: Session, text: str) -> int:
    """The open loan an asset (or a kit) scanned at check-in is part of."""
    tag = catalogue.normalise_tag(text)
    loan_id = session.scalar(
        select(LoanLine.loan_id)
        .outerjoin(Asset, LoanLine.asset_id == Asset.id)
        .outerjoin(Kit, LoanLine.kit_id == Kit.id)
        .where(LoanLine.returned_at.is_(None), (Asset.tag == tag) | (Kit.tag == tag))
    )
    if loan_id is None:
        raise NotFound(_("{tag} ne fait partie d'aucun prêt en cours").format(tag=tag))
    return int(loan_id)

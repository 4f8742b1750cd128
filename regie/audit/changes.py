"""What a flush changed in money and equipment, in words: one describer per tracked table.

A describer gets the object, the verb (``insert``, ``update``, ``delete``) and, for an update,
the changed columns ``{name: (before, after)}``; it returns the audit lines to record. Texts are
French source templates marked with ``N_()`` and translated when the trail is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from regie.i18n import N_


@dataclass(frozen=True)
class Line:
    action: str
    subject: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)


Changes = dict[str, tuple[Any, Any]]
Describer = Callable[[Session, Any, str, Changes], list[Line]]

# Moves that loans, bookings and incidents make: recorded there, not once more per item.
ASSET_FOLLOWS = {"status", "location_id", "kit_id"}


def _tag(session: Session, asset_id: int | None) -> str:
    from regie.inventory.models import Asset

    asset = session.get(Asset, asset_id) if asset_id is not None else None
    return asset.tag if asset is not None else ""


def _lot(session: Session, lot_id: int | None) -> str:
    from regie.inventory.models import StockLot

    lot = session.get(StockLot, lot_id) if lot_id is not None else None
    return lot.name if lot is not None else ""


def _what(session: Session, asset_id: int | None, lot_id: int | None, quantity: int) -> str:
    if asset_id is not None:
        return _tag(session, asset_id)
    return f"{_lot(session, lot_id)} × {quantity}"


def asset(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    params = {"tag": obj.tag}
    if verb == "insert":
        params["cost_cents"] = obj.purchase_cost_cents or 0
        return [Line("asset.add", obj.tag, N_("Matériel {tag} ajouté ({cost_cents})"), params)]
    if verb == "delete":
        return [Line("asset.remove", obj.tag, N_("Matériel {tag} supprimé"), params)]
    fields = sorted(set(changes) - ASSET_FOLLOWS)
    if not fields:
        return []
    params["fields"] = ", ".join(fields)
    return [Line("asset.change", obj.tag, N_("Matériel {tag} modifié : {fields}"), params)]


def stock_lot(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    params: dict[str, Any] = {"lot": obj.name}
    if verb == "insert":
        params["quantity"] = obj.quantity
        return [Line("stock.add", obj.name, N_("Lot {lot} ajouté : {quantity} pièces"), params)]
    if verb == "delete":
        return [Line("stock.remove", obj.name, N_("Lot {lot} supprimé"), params)]
    lines = []
    if "quantity" in changes:
        before, after = changes["quantity"]
        lines.append(
            Line(
                "stock.change",
                obj.name,
                N_("Lot {lot} : quantité {before} → {after}"),
                {**params, "before": before, "after": after},
            )
        )
    others = sorted(set(changes) - {"quantity"})
    if others:
        lines.append(
            Line(
                "stock.change",
                obj.name,
                N_("Lot {lot} modifié : {fields}"),
                {**params, "fields": ", ".join(others)},
            )
        )
    return lines


def loan(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    from regie.models import Organisation

    subject = f"#{obj.id}"
    if verb == "insert":
        borrower = session.get(Organisation, obj.borrower_id)
        params = {
            "loan": obj.id,
            "borrower": borrower.short_name if borrower else "",
            "due_day": obj.due_on.isoformat(),
        }
        return [
            Line(
                "loan.out",
                subject,
                N_("Prêt n°{loan} à {borrower}, retour prévu le {due_day}"),
                params,
            )
        ]
    if verb == "update" and "closed_at" in changes and changes["closed_at"][1] is not None:
        return [Line("loan.close", subject, N_("Prêt n°{loan} clos"), {"loan": obj.id})]
    return []


def loan_line(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    subject = f"#{obj.loan_id}"
    if verb == "insert":
        what = _what(session, obj.asset_id, obj.stock_lot_id, obj.quantity_out)
        return [
            Line(
                "loan.items",
                subject,
                N_("Prêt n°{loan} : {items}"),
                {"loan": obj.loan_id, "items": what},
            )
        ]
    if verb == "update" and ("quantity_back" in changes or "returned_at" in changes):
        what = _what(session, obj.asset_id, obj.stock_lot_id, obj.quantity_back)
        if obj.condition:
            what = f"{what} ({obj.condition})"
        return [
            Line(
                "loan.return",
                subject,
                N_("Retour du prêt n°{loan} : {items}"),
                {"loan": obj.loan_id, "items": what},
            )
        ]
    return []


def incident(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    from regie.inventory.incidents import KIND_LABELS, PAYER_LABELS, STATUS_LABELS

    subject = f"#{obj.id}"
    what = _what(session, obj.asset_id, obj.stock_lot_id, obj.quantity)
    params: dict[str, Any] = {"number": obj.id, "what": what}
    if verb == "insert":
        params["kind"] = KIND_LABELS.get(obj.kind, str(obj.kind))
        return [
            Line(
                "incident.open", subject, N_("Incident n°{number} ({kind}) ouvert : {what}"), params
            )
        ]
    if verb != "update":
        return []
    lines = []
    if "status" in changes:
        before, after = changes["status"]
        if after == "written_off":
            lines.append(
                Line(
                    "incident.write_off",
                    subject,
                    N_("Incident n°{number} : {what} sorti de l'inventaire"),
                    params,
                )
            )
        else:
            lines.append(
                Line(
                    "incident.change",
                    subject,
                    N_("Incident n°{number} ({what}) : {before} → {after}"),
                    {
                        **params,
                        "before": STATUS_LABELS.get(before, str(before)),
                        "after": STATUS_LABELS.get(after, str(after)),
                    },
                )
            )
    if "cost_cents" in changes or "payer" in changes:
        lines.append(
            Line(
                "incident.change",
                subject,
                N_("Incident n°{number} ({what}) : coût {cost_cents}, payé par {payer}"),
                {
                    **params,
                    "cost_cents": obj.cost_cents,
                    "payer": PAYER_LABELS.get(obj.payer, str(obj.payer)),
                },
            )
        )
    return lines


def closure(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    if verb != "insert":
        return []
    sales = orjson.loads(obj.totals).get("sales_total", 0)
    params = {
        "number": obj.number,
        "scope": obj.scope,
        "period": obj.period,
        "sales_cents": sales,
        "total_cents": obj.grand_total,
    }
    return [
        Line(
            "closure.z",
            f"Z{obj.number}",
            N_(
                "Clôture Z n°{number} ({scope}, {period}) : ventes {sales_cents}, "
                "total général {total_cents}"
            ),
            params,
        )
    ]


def refund_run(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    subject = f"#{obj.id}"
    if verb == "insert":
        return [
            Line(
                "refund.plan",
                subject,
                N_("Série de remboursements n°{run} préparée {event}"),
                {"run": obj.id, "event": obj.event},
            )
        ]
    if verb == "update" and "status" in changes:
        before, after = changes["status"]
        return [
            Line(
                "refund.run",
                subject,
                N_("Série de remboursements n°{run} : {before} → {after}"),
                {"run": obj.id, "before": before, "after": after},
            )
        ]
    return []


def convention_setting(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    from regie.settings.convention import BY_NAME, format_value

    if verb == "delete" or (verb == "update" and "value" not in changes):
        return []
    option = BY_NAME.get(obj.name)
    shown = obj.value
    if option is not None and option.kind != "text":
        shown = format_value(option, int(obj.value))
    return [
        Line(
            "convention.change",
            obj.name,
            N_("Réglage {name} : {value} à partir du {from_day}"),
            {"name": obj.name, "value": shown, "from_day": obj.valid_from.isoformat()},
        )
    ]


def settlement_record(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    from regie.models import Prestation

    if verb == "delete" or (verb == "update" and not changes):
        return []
    prestation = session.get(Prestation, obj.prestation_id)
    name = prestation.name if prestation else str(obj.prestation_id)
    return [
        Line(
            "settlement.record",
            name,
            N_(
                "Règlement retenu pour {prestation} ({scheme}) : part {share_cents}, "
                "total {total_cents}"
            ),
            {
                "prestation": name,
                "scheme": obj.scheme,
                "share_cents": obj.share_cents,
                "total_cents": obj.total_cents,
            },
        )
    ]


def invoice(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    if verb != "insert":
        return []
    template = (
        N_("Avoir {reference} émis : {total_cents}")
        if obj.kind == "credit"
        else N_("Facture {reference} émise : {total_cents}")
    )
    return [
        Line(
            "invoice.issue",
            obj.reference,
            template,
            {"reference": obj.reference, "total_cents": obj.total_incl_cents},
        )
    ]


def person(session: Session, obj: Any, verb: str, changes: Changes) -> list[Line]:
    params: dict[str, Any] = {"person": obj.name, "role": obj.role}
    if verb == "insert":
        return [Line("person.add", obj.name, N_("Utilisateur {person} ajouté ({role})"), params)]
    if verb != "update":
        return []
    lines = []
    if "role" in changes:
        lines.append(
            Line(
                "person.change",
                obj.name,
                N_("{person} : rôle {old_role} → {role}"),
                {**params, "old_role": changes["role"][0]},
            )
        )
    if "pin_hash" in changes:
        lines.append(Line("person.change", obj.name, N_("{person} : code PIN changé"), params))
    if "active" in changes:
        template = N_("{person} réactivé") if obj.active else N_("{person} désactivé")
        lines.append(Line("person.change", obj.name, template, params))
    return lines


DESCRIBERS: dict[str, Describer] = {
    "asset": asset,
    "stock_lot": stock_lot,
    "loan": loan,
    "loan_line": loan_line,
    "incident": incident,
    "closure": closure,
    "refund_run": refund_run,
    "convention_setting": convention_setting,
    "settlement_record": settlement_record,
    "invoice": invoice,
    "person": person,
}

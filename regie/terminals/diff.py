"""What changes for a terminal between two configurations, in French, shown before a push.

Secrets (Wi-Fi password, pairing PIN, API key) are said to change, never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regie.money import format_money

SHOWN = 12  # detail lines per kind of change; the rest is counted


def vat_text(bp: int) -> str:
    whole, part = divmod(bp, 100)
    return f"{whole} %" if not part else f"{whole},{part:02d}".rstrip("0") + " %"


def plural(count: int, word: str) -> str:
    """``plural(1, "carte bloquée")`` → ``"1 carte bloquée"``, 2 → ``"2 cartes bloquées"``."""
    number = f"{count:,}".replace(",", "\u202f")  # 17 000, with a narrow no-break space
    if count < 2:
        return f"{number} {word}"
    return f"{number} " + " ".join(w if w in ("staff", "de") else w + "s" for w in word.split())


def summary(data: dict[str, Any]) -> str:
    return (
        f"{data['pos']['name']}, {plural(len(data['products']), 'produit')}, "
        f"{plural(len(data['staff']), 'carte staff')}, "
        f"{plural(len(data['blocked']), 'carte bloquée')}"
    )


def _product(item: dict[str, Any]) -> str:
    return f"{item['name']} ({format_money(item['price'])}, TVA {vat_text(item['vat'])})"


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


SCALARS = (
    ("event", "Événement"),
    ("pos.name", "Point de vente"),
    ("locale", "Langue"),
    ("printer.width", "Largeur d'impression"),
    ("server.url", "Serveur"),
    ("wifi.ssid", "Wi-Fi"),
)
SECRETS = (
    ("wifi.password", "mot de passe Wi-Fi changé"),
    ("server.pin", "code d'appairage changé"),
    ("server.api_key", "clé d'API changée"),
)


def diff_configs(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """One line per change; ``old`` None is the terminal's first configuration."""
    if old is None:
        return [f"première configuration de ce terminal : {summary(new)}"]
    lines: list[str] = []
    for path, label in SCALARS:
        before, after = _get(old, path), _get(new, path)
        if before != after:
            lines.append(f"{label} : {before or '—'} → {after or '—'}")
    lines += [text for path, text in SECRETS if _get(old, path) != _get(new, path)]
    lines += _products(old["products"], new["products"])
    if old["categories"] != new["categories"]:
        lines.append(f"Catégories : {', '.join(new['categories']) or '—'}")
    order = [a["code"] for a in new["assets"]]
    if [a["code"] for a in old["assets"]] != order:
        lines.append(f"Monnaies acceptées, dans l'ordre de paiement : {', '.join(order)}")
    lines += _keyed(
        old["staff"],
        new["staff"],
        "uid",
        lambda c: f"carte staff de {c['person']} ({c['number']})",
        "cartes staff",
    )
    lines += _keyed(
        old["blocked"],
        new["blocked"],
        "uid",
        lambda c: f"carte {c['number']} ({c['uid']})",
        "cartes bloquées",
    )
    return lines or ["aucun changement"]


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= SHOWN:
        return lines
    return [*lines[:SHOWN], f"… et {len(lines) - SHOWN} autres"]


def _products(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {p["name"]: p for p in old}
    after = {p["name"]: p for p in new}
    added = [f"+ {_product(p)}" for name, p in after.items() if name not in before]
    removed = [f"− {_product(p)}" for name, p in before.items() if name not in after]
    changed = []
    for name, p in after.items():
        q = before.get(name)
        if q is None or q == p:
            continue
        parts = []
        if q["price"] != p["price"]:
            parts.append(f"{format_money(q['price'])} → {format_money(p['price'])}")
        if q["vat"] != p["vat"]:
            parts.append(f"TVA {vat_text(q['vat'])} → {vat_text(p['vat'])}")
        if q["category"] != p["category"]:
            parts.append(f"catégorie {q['category'] or '—'} → {p['category'] or '—'}")
        changed.append(f"{name} : {', '.join(parts)}")
    lines = []
    if added or removed or changed:
        lines.append(
            f"Produits : {len(added)} ajouté(s), {len(removed)} retiré(s), "
            f"{len(changed)} modifié(s)"
        )
    return lines + _capped(added + removed + changed)


def _keyed(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    key: str,
    name: Callable[[dict[str, Any]], str],
    label: str,
) -> list[str]:
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    added = [name(item) for k, item in after.items() if k not in before]
    removed = [name(item) for k, item in before.items() if k not in after]
    changed = [name(item) for k, item in after.items() if k in before and before[k] != item]
    if not (added or removed or changed):
        return []
    head = f"{label.capitalize()} : +{len(added)}, −{len(removed)}"
    if changed:
        head += f", {len(changed)} modifiée(s)"
    head += f" ({len(after)} en tout)"
    details = [f"+ {n}" for n in added] + [f"− {n}" for n in removed]
    details += [f"~ {n}" for n in changed]
    return [head, *_capped(details)]

"""What changes for a terminal between two configurations, in French, shown before a push.

Secrets (Wi-Fi password, pairing PIN, API key) are said to change, never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regie.i18n import N_, _, format_number, ngettext
from regie.money import format_money

SHOWN = 12  # detail lines per kind of change; the rest is counted


def vat_text(bp: int) -> str:
    whole, part = divmod(bp, 100)
    return f"{whole} %" if not part else f"{whole},{part:02d}".rstrip("0") + " %"


def plural(count: int, word: str) -> str:
    """``plural(1, "carte bloquée")`` → ``"1 carte bloquée"``, 2 → ``"2 cartes bloquées"``.

    ``word`` is one of the counted things below (``produit``, ``carte staff``, ``carte bloquée``),
    said in the current language; any other word gets a French plural."""
    number = format_number(count)
    if word == "produit":
        return ngettext("{n} produit", "{n} produits", count).format(n=number)
    if word == "carte staff":
        return ngettext("{n} carte staff", "{n} cartes staff", count).format(n=number)
    if word == "carte bloquée":
        return ngettext("{n} carte bloquée", "{n} cartes bloquées", count).format(n=number)
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
    return _("{name} ({price}, TVA {vat})").format(
        name=item["name"], price=format_money(item["price"]), vat=vat_text(item["vat"])
    )


def _get(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


SCALARS = (
    ("event", N_("Événement")),
    ("pos.name", N_("Point de vente")),
    ("locale", N_("Langue")),
    ("printer.width", N_("Largeur d'impression")),
    ("server.url", N_("Serveur")),
    ("wifi.ssid", N_("Wi-Fi")),
)
SECRETS = (
    ("wifi.password", N_("mot de passe Wi-Fi changé")),
    ("server.pin", N_("code d'appairage changé")),
    ("server.api_key", N_("clé d'API changée")),
)


def diff_configs(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """One line per change; ``old`` None is the terminal's first configuration."""
    if old is None:
        return [_("première configuration de ce terminal : {summary}").format(summary=summary(new))]
    lines: list[str] = []
    for path, label in SCALARS:
        before, after = _get(old, path), _get(new, path)
        if before != after:
            lines.append(f"{_(label)} : {before or '—'} → {after or '—'}")
    lines += [_(text) for path, text in SECRETS if _get(old, path) != _get(new, path)]
    lines += _products(old["products"], new["products"])
    if old["categories"] != new["categories"]:
        lines.append(
            _("Catégories : {categories}").format(categories=", ".join(new["categories"]) or "—")
        )
    order = [a["code"] for a in new["assets"]]
    if [a["code"] for a in old["assets"]] != order:
        lines.append(
            _("Monnaies acceptées, dans l'ordre de paiement : {order}").format(
                order=", ".join(order)
            )
        )
    lines += _keyed(
        old["staff"],
        new["staff"],
        "uid",
        lambda c: _("carte staff de {person} ({number})").format(
            person=c["person"], number=c["number"]
        ),
        _("cartes staff"),
    )
    lines += _keyed(
        old["blocked"],
        new["blocked"],
        "uid",
        lambda c: _("carte {number} ({uid})").format(number=c["number"], uid=c["uid"]),
        _("cartes bloquées"),
    )
    return lines or [_("aucun changement")]


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= SHOWN:
        return lines
    return [*lines[:SHOWN], _("… et {n} autres").format(n=len(lines) - SHOWN)]


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
            parts.append(
                _("TVA {before} → {after}").format(
                    before=vat_text(q["vat"]), after=vat_text(p["vat"])
                )
            )
        if q["category"] != p["category"]:
            parts.append(
                _("catégorie {category} → {category2}").format(
                    category=q["category"] or "—", category2=p["category"] or "—"
                )
            )
        changed.append(f"{name} : {', '.join(parts)}")
    lines = []
    if added or removed or changed:
        lines.append(
            _("Produits : {added}, {removed}, {changed}").format(
                added=ngettext("{n} ajouté", "{n} ajoutés", len(added)).format(n=len(added)),
                removed=ngettext("{n} retiré", "{n} retirés", len(removed)).format(n=len(removed)),
                changed=ngettext("{n} modifié", "{n} modifiés", len(changed)).format(
                    n=len(changed)
                ),
            )
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
        head += ngettext(", {n} modifiée", ", {n} modifiées", len(changed)).format(n=len(changed))
    head += _(" ({n} en tout)").format(n=len(after))
    details = [f"+ {n}" for n in added] + [f"− {n}" for n in removed]
    details += [f"~ {n}" for n in changed]
    return [head, *_capped(details)]

"""The ledger's words as people read them: operations, periods, accounts. The core names
accounts for machines (``pos:Bar Nord:revenue``); screens, the audit trail and the CLI say what
each one is in the language shown."""

from __future__ import annotations

import functools

from regie.i18n import N_, _, language

OP_LABELS = {
    "topup": N_("Recharge"),
    "sale": N_("Vente"),
    "refund": N_("Remboursement"),
    "void": N_("Annulation"),
    "correction": N_("Correction"),
    "move": N_("Report de solde"),
    "melt": N_("Fonte"),
    "cash_diff": N_("Écart de caisse"),
}
POS_ACCOUNTS = {"revenue": N_("ventes"), "cash": N_("espèces"), "card": N_("CB")}
NAMED_ACCOUNTS = {
    "stripe:clearing": N_("Stripe à encaisser"),
    "stripe:fees": N_("Frais Stripe"),
    "bank": N_("Banque"),
    "refunds": N_("Remboursements"),
    "melted": N_("Monnaie fondue"),
    "correction": N_("Corrections"),
    "cash:difference": N_("Écarts de caisse"),
    "world": N_("Extérieur"),
    "gift:offered": N_("Jetons offerts"),
    "fees:refund": N_("Frais de remboursement"),
}
PERIOD_LABELS = {"session": N_("Session"), "day": N_("Journée"), "event": N_("Événement")}


def op_label(op: str) -> str:
    return _(OP_LABELS.get(op, op))


def period_label(period: str) -> str:
    return _(PERIOD_LABELS.get(period, period))


def account_label(name: str) -> str:
    """``wallet:04A1…`` → ``Carte 04A1…``; ``pos:Bar Nord:cash`` → ``Bar Nord · espèces``."""
    return _account_label(name, language())


@functools.lru_cache(maxsize=8192)
def _account_label(name: str, _language: str) -> str:
    kind, _sep, rest = name.partition(":")
    if kind == "wallet":
        return _("Carte {uid}").format(uid=rest)
    if kind == "pos":
        place, _sep, what = rest.rpartition(":")
        return f"{place} · {_(POS_ACCOUNTS.get(what, what))}"
    if kind == "fed":
        return _("Fédération · {organisation}").format(organisation=rest)
    return _(NAMED_ACCOUNTS.get(name, name))


def scope_label(scope: str) -> str:
    return _("Tout l'événement") if scope == "event" else scope.removeprefix("pos:")

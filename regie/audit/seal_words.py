"""What a broken seal says, in the office's words: which record, what happened to it."""

from __future__ import annotations

from regie.i18n import N_, _

# (kind, what happened) → the message; an invoice's kind is ``invoice`` or ``credit``.
WORDS = {
    ("audit", "changed"): N_("la ligne n°{number} du journal d'audit a été modifiée"),
    ("audit", "removed"): N_("la ligne n°{number} du journal d'audit a été supprimée"),
    ("audit", "added"): N_("la ligne n°{number} du journal d'audit a été ajoutée hors de Régie"),
    ("person", "changed"): N_(
        "l'utilisateur {name} a été modifié hors de Régie (nom, rôle, PIN ou état)"
    ),
    ("person", "removed"): N_("l'utilisateur {name} a été supprimé hors de Régie"),
    ("person", "added"): N_("l'utilisateur {name} a été ajouté hors de Régie"),
    ("invoice", "changed"): N_("la facture {reference} a été modifiée après émission"),
    ("invoice", "removed"): N_("la facture {reference} a été supprimée"),
    ("invoice", "added"): N_("la facture {reference} a été ajoutée hors de Régie"),
    ("credit", "changed"): N_("l'avoir {reference} a été modifié après émission"),
    ("credit", "removed"): N_("l'avoir {reference} a été supprimé"),
    ("credit", "added"): N_("l'avoir {reference} a été ajouté hors de Régie"),
}


def broken(kind: str, happened: str, subject: str, label: str) -> str:
    """« la facture F-2026-0004 a été modifiée après émission »: ``happened`` is
    ``changed``, ``removed`` or ``added``; ``label`` the seal's (a name, ``kind:reference``)."""
    if kind == "invoice":
        kind, _sep, label = label.partition(":")
    return _(WORDS[(kind, happened)]).format(number=subject, name=label, reference=label)

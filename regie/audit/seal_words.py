"""What a broken seal says, in the office's words: which record, what happened to it."""

from __future__ import annotations

from regie.i18n import _


def _invoice(label: str) -> tuple[bool, str]:
    """(is a credit note, its reference) from the seal's label ``kind:reference``."""
    kind, _sep, reference = label.partition(":")
    return kind == "credit", reference


def changed(kind: str, subject: str, label: str) -> str:
    if kind == "audit":
        return _("la ligne n°{number} du journal d'audit a été modifiée").format(number=subject)
    if kind == "person":
        return _(
            "l'utilisateur {name} a été modifié hors de Régie (nom, rôle, PIN ou état)"
        ).format(name=label)
    credit, reference = _invoice(label)
    if credit:
        return _("l'avoir {reference} a été modifié après émission").format(reference=reference)
    return _("la facture {reference} a été modifiée après émission").format(reference=reference)


def removed(kind: str, subject: str, label: str) -> str:
    if kind == "audit":
        return _("la ligne n°{number} du journal d'audit a été supprimée").format(number=subject)
    if kind == "person":
        return _("l'utilisateur {name} a été supprimé hors de Régie").format(name=label)
    credit, reference = _invoice(label)
    if credit:
        return _("l'avoir {reference} a été supprimé").format(reference=reference)
    return _("la facture {reference} a été supprimée").format(reference=reference)


def added(kind: str, subject: str, label: str) -> str:
    if kind == "audit":
        return _("la ligne n°{number} du journal d'audit a été ajoutée hors de Régie").format(
            number=subject
        )
    if kind == "person":
        return _("l'utilisateur {name} a été ajouté hors de Régie").format(name=label)
    credit, reference = _invoice(label)
    if credit:
        return _("l'avoir {reference} a été ajouté hors de Régie").format(reference=reference)
    return _("la facture {reference} a été ajoutée hors de Régie").format(reference=reference)

"""The few words the cards screens share: a core message as a sentence, yes/no, amounts."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from regie.i18n import _
from regie.ledger.labels import amount


def sentence(text: str) -> str:
    """The core's message (lower case, for a line in a list) as a sentence on its own."""
    return text[:1].upper() + text[1:]


def yes_no(value: bool) -> str:
    return _("oui") if value else _("non")


def amounts(balances: dict[str, int] | None) -> str:
    """``{"EUR": 1450, "GIFT": 200}`` → ``14,50 €, 2,00 GIFT`` ("" when nothing is on it)."""
    return ", ".join(amount(cents, code) for code, cents in (balances or {}).items() if cents)


def balance_phrase(balances: dict[str, int] | None) -> str:
    """``solde 14,50 €`` or ``sans solde``."""
    shown = amounts(balances)
    return _("solde {shown}").format(shown=shown) if shown else _("sans solde")


def caption(text: str, field: QWidget) -> QLabel:
    """A field's caption; its ``&`` letter (Alt+letter) puts the focus in the field."""
    label = QLabel(text)
    label.setBuddy(field)
    return label

"""French form fields: dates as the office writes them, euro amounts, wizard buttons.

Qt speaks English unless told otherwise (no translation is loaded): these set the French
locale and words on the widgets the inventory screens use.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDateEdit, QLineEdit, QWidget, QWizard

from regie.money import MoneyFormatError, format_money, parse_cents
from regie.ui.qdates import qdate

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)


def date_edit(name: str, value: dt.date) -> QDateEdit:
    """A date field with a French calendar (dd/MM/yyyy, weeks from Monday)."""
    edit = QDateEdit(qdate(value))
    edit.setObjectName(name)
    edit.setLocale(FRENCH)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    calendar = edit.calendarWidget()
    calendar.setLocale(FRENCH)
    calendar.setFirstDayOfWeek(FRENCH.firstDayOfWeek())
    return edit


class MoneyField(QLineEdit):
    """An amount in euros as people type it ("45", "45,50", "1 234,56 €")."""

    def __init__(self, name: str, cents: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setPlaceholderText("0,00 €")
        if cents:
            self.setText(format_money(cents))

    def cents(self) -> int:
        """The amount in cents; raises MoneyFormatError (French message) when unreadable."""
        text = self.text().strip()
        if not text:
            return 0
        cents = parse_cents(text)
        if cents < 0:
            raise MoneyFormatError("un coût ne peut pas être négatif")
        return cents


def french_wizard(wizard: QWizard, finish: str) -> None:
    buttons = QWizard.WizardButton
    wizard.setWizardStyle(QWizard.WizardStyle.ModernStyle)
    wizard.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
    wizard.setButtonText(buttons.BackButton, "< &Précédent")
    wizard.setButtonText(buttons.NextButton, "&Suivant >")
    wizard.setButtonText(buttons.CancelButton, "Annuler")
    wizard.setButtonText(buttons.FinishButton, finish)
    wizard.setButtonText(buttons.CommitButton, finish)


def count(value: int) -> str:
    """A count as the French write it: 3 000 cartes (a narrow no-break space)."""
    return FRENCH.toString(value)

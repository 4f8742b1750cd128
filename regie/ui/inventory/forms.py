"""French form fields: dates as the office writes them, euro amounts, wizard buttons.

Qt speaks English unless told otherwise (no translation is loaded): these set the French
locale and words on the widgets the inventory screens use.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLineEdit, QWidget, QWizard

from regie.i18n import _, format_date, format_number, locale_name, ngettext
from regie.money import MoneyFormatError, format_money, parse_cents
from regie.ui.forms.day_field import DayField

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)


def shown_locale() -> QLocale:
    """Qt's locale for the current language (spin boxes, calendars)."""
    return QLocale(locale_name())


def date_edit(name: str, value: dt.date) -> DayField:
    """A date field as the office types it (« 14/07 », « demain »), with a calendar."""
    return DayField(name, value)


class MoneyField(QLineEdit):
    """An amount in euros as people type it ("45", "45,50", "1 234,56 €")."""

    def __init__(self, name: str, cents: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setPlaceholderText(format_money(0))
        if cents:
            self.setText(format_money(cents))

    def cents(self) -> int:
        """The amount in cents; raises MoneyFormatError (French message) when unreadable."""
        text = self.text().strip()
        if not text:
            return 0
        cents = parse_cents(text)
        if cents < 0:
            raise MoneyFormatError(_("un coût ne peut pas être négatif"))
        return cents


def french_wizard(wizard: QWizard, finish: str) -> None:
    buttons = QWizard.WizardButton
    wizard.setWizardStyle(QWizard.WizardStyle.ModernStyle)
    wizard.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
    wizard.setButtonText(buttons.BackButton, _("< &Précédent"))
    wizard.setButtonText(buttons.NextButton, _("&Suivant >"))
    wizard.setButtonText(buttons.CancelButton, _("Annuler"))
    wizard.setButtonText(buttons.FinishButton, finish)
    wizard.setButtonText(buttons.CommitButton, finish)


def count(value: int) -> str:
    """A count as the language writes it: 3 000 cartes (a narrow no-break space), 3,000 cards."""
    return format_number(value)


def assets_count(value: int) -> str:
    """« 1 matériel », « 3 matériels »: the pieces of equipment a line, a loan or a kit holds."""
    return ngettext("{n} matériel", "{n} matériels", value).format(n=count(value))


def lot_items_count(value: int) -> str:
    """« 1 article en lots », « 500 articles en lots »: the stock lot items besides the pieces."""
    return ngettext("{n} article en lots", "{n} articles en lots", value).format(n=count(value))


def dated(name: str, starts_on: dt.date, ends_on: dt.date) -> str:
    """A prestation as the lists offer it: "MamaStock — du 01/07 au 04/07/2027"."""
    return _("{name} — du {starts_on} au {ends_on}").format(
        name=name,
        starts_on=format_date(starts_on, "dd/MM"),  # the year once is enough
        ends_on=format_date(ends_on, "short"),
    )

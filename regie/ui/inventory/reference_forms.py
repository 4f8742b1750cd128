"""The "Ajouter…" forms of the reference data: organisation, place, prestation, model, lot.

Each form calls one operation of ``regie.inventory.register``. "Ajouter" closes the form
only once the operation succeeded: a refusal (a duplicate name, a bad SIRET) is shown in
French over the form, which stays open with what was typed, to be corrected. The kit form
and the asset detail's forms are ``OperationForm`` too.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from sqlalchemy.orm import Session

from regie import clock
from regie.db import Database
from regie.i18n import N_, _, format_money
from regie.inventory import register
from regie.inventory.reference_list import ReferenceLists
from regie.ui.forms.day_field import DayField
from regie.ui.inventory.forms import MoneyField, date_edit, shown_locale
from regie.ui.inventory.messages import attempt


def line_edit(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumWidth(320)
    return edit


def combo(name: str, items: list[str], *, editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItems(items)
    box.setEditable(editable)
    return box


def day(edit: DayField) -> dt.date:
    """The day typed; ``DateError`` (a ``UserError``, shown by the form) otherwise."""
    return edit.day()


class OperationForm(QDialog):
    """A form of a few fields for one operation; ``save`` runs it in one transaction and
    names what it added or changed."""

    added = Signal(str)
    title = ""
    action = N_("A&jouter")

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("operationForm")
        self.setWindowTitle(_(self.title))
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            _(self.action), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("operationSave")
        self.buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        """Called by each form once its rows are in: the buttons go last."""
        self.form.addRow(self.buttons)

    def save(self, session: Session) -> str:
        raise NotImplementedError

    def accept(self) -> None:
        def run() -> str:
            with self.db.session() as session:
                return self.save(session)

        name = attempt(self, run)
        if name is None:
            return  # the refusal is on screen; the form stays open to be corrected
        self.added.emit(name)
        super().accept()


class OrganisationForm(OperationForm):
    title = N_("Nouvelle organisation")

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.short_name = line_edit("orgShortName", _("Mamasound, CCC… (unique)"))
        self.name = line_edit("orgName", _("raison sociale (facultatif)"))
        self.siret = line_edit("orgSiret", _("9 ou 14 chiffres (facultatif)"))
        self.vat_number = line_edit("orgVat", _("FR… (facultatif)"))
        self.address = line_edit("orgAddress", "facultatif")
        self.form.addRow(_("&Nom court :"), self.short_name)
        self.form.addRow(_("&Raison sociale :"), self.name)
        self.form.addRow(_("&SIRET :"), self.siret)
        self.form.addRow(_("N° de &TVA :"), self.vat_number)
        self.form.addRow(_("A&dresse :"), self.address)
        self.finish()

    def save(self, session: Session) -> str:
        organisation = register.add_organisation(
            session,
            self.short_name.text(),
            self.name.text(),
            siret=self.siret.text().replace(" ", ""),
            vat_number=self.vat_number.text().strip(),
            address=self.address.text().strip(),
        )
        return organisation.short_name


class LocationForm(OperationForm):
    title = N_("Nouveau lieu")

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.name = line_edit("locationName", _("Dépôt, bureau, site… (unique)"))
        self.address = line_edit("locationAddress", "facultatif")
        self.form.addRow(_("&Nom :"), self.name)
        self.form.addRow(_("A&dresse :"), self.address)
        self.finish()

    def save(self, session: Session) -> str:
        return register.add_location(session, self.name.text(), self.address.text().strip()).name


class PrestationForm(OperationForm):
    title = N_("Nouvelle prestation")

    def __init__(self, db: Database, lists: ReferenceLists, parent: QWidget | None = None):
        super().__init__(db, parent)
        self.name = line_edit("prestationName", _("MamaStock 2027… (unique)"))
        self.client = combo("prestationClient", [o.short_name for o in lists.organisations])
        self.starts_on = date_edit("prestationStart", clock.today())
        self.ends_on = date_edit("prestationEnd", clock.today() + dt.timedelta(days=2))
        self.place = line_edit("prestationPlace", _("ville, site (facultatif)"))
        self.kind = combo("prestationKind", [])
        for label, kind in (
            (_("selon le client (propre si c'est le partenaire)"), ""),
            (_("prestation extérieure (part + cachet)"), "external"),
            (_("événement propre du partenaire"), "own"),
        ):
            self.kind.addItem(label, kind)
        self.form.addRow(_("&Nom :"), self.name)
        self.form.addRow(_("&Client :"), self.client)
        self.form.addRow(_("Na&ture :"), self.kind)
        self.form.addRow(_("&Du :"), self.starts_on)
        self.form.addRow(_("A&u :"), self.ends_on)
        self.form.addRow(_("&Lieu :"), self.place)
        self.finish()
        self.starts_on.dateChanged.connect(self._start_moved)

    def _start_moved(self, start: QDate) -> None:
        if self.ends_on.date() < start:  # a festival moved later keeps its length at least 1 day
            self.ends_on.setDate(start)

    def save(self, session: Session) -> str:
        prestation = register.add_prestation(
            session,
            self.name.text(),
            self.client.currentText(),
            day(self.starts_on),
            day(self.ends_on),
            self.place.text().strip(),
            kind=self.kind.currentData() or None,
        )
        return prestation.name


class ModelForm(OperationForm):
    title = N_("Nouveau modèle")

    def __init__(self, db: Database, lists: ReferenceLists, parent: QWidget | None = None):
        super().__init__(db, parent)
        self.name = line_edit("modelName", _("Sunmi V2s, Écocup 25 cl… (unique)"))
        self.category = combo("modelCategory", lists.categories, editable=True)
        self.category.setCurrentText("")
        typed = self.category.lineEdit()
        assert typed is not None
        typed.setPlaceholderText(_("choisie ou nouvelle (Divers si vide)"))
        self.manufacturer = line_edit("modelManufacturer", "facultatif")
        self.tagged = QRadioButton(_("suivi à l'&unité, par étiquette (terminaux, bornes…)"))
        self.tagged.setObjectName("modelTagged")
        self.tagged.setChecked(True)
        self.counted = QRadioButton(_("compté par l&ots (cartes, câbles, consommables)"))
        self.counted.setObjectName("modelCounted")
        self.months = QSpinBox()
        self.months.setObjectName("modelMonths")
        self.months.setRange(1, 240)
        self.months.setValue(36)
        self.months.setSuffix(_(" mois"))
        self.form.addRow(_("&Nom :"), self.name)
        self.form.addRow(_("&Catégorie :"), self.category)
        self.form.addRow(_("&Fabricant :"), self.manufacturer)
        self.form.addRow(_("&Suivi :"), self.tagged)
        self.form.addRow("", self.counted)
        self.form.addRow(_("A&mortissement :"), self.months)
        self.finish()

    def save(self, session: Session) -> str:
        model = register.add_model(
            session,
            self.name.text(),
            self.category.currentText(),
            manufacturer=self.manufacturer.text().strip(),
            counted=self.counted.isChecked(),
            amortisation_months=self.months.value(),
        )
        return model.name


class LotForm(OperationForm):
    title = N_("Nouveau lot")
    NO_PLACE = N_("(aucun)")

    def __init__(self, db: Database, lists: ReferenceLists, parent: QWidget | None = None):
        super().__init__(db, parent)
        self.name = line_edit("lotName", _("Cartes NFC Dunes… (unique)"))
        # Counted models first: a lot is usually cards, cables or consumables.
        models = sorted(lists.models, key=lambda m: (not m.counted, m.name.casefold()))
        self.model = combo("lotModel", [m.name for m in models])
        self.owner = combo("lotOwner", [o.short_name for o in lists.organisations])
        self.quantity = QSpinBox()
        self.quantity.setObjectName("lotQuantity")
        self.quantity.setRange(1, 10_000_000)
        self.quantity.setLocale(shown_locale())
        self.quantity.setGroupSeparatorShown(True)
        self.unit_cost = MoneyField("lotUnitCost")
        self.unit_cost.setPlaceholderText(format_money(35))
        self.location = combo("lotLocation", [_(self.NO_PLACE), *(p.name for p in lists.locations)])
        self.form.addRow(_("&Nom :"), self.name)
        self.form.addRow(_("&Modèle :"), self.model)
        self.form.addRow(_("&Propriétaire :"), self.owner)
        self.form.addRow(_("&Quantité :"), self.quantity)
        self.form.addRow(_("&Coût unitaire :"), self.unit_cost)
        self.form.addRow(_("&Lieu :"), self.location)
        self.finish()

    def save(self, session: Session) -> str:
        place = self.location.currentText()
        lot = register.add_stock_lot(
            session,
            self.name.text(),
            self.model.currentText(),
            self.owner.currentText(),
            self.quantity.value(),
            self.unit_cost.cents(),
            location="" if place == _(self.NO_PLACE) else place,
        )
        return lot.name

"""The Référentiel: organisations, places, prestations, models and lots, each listed with
its details, each with its "Ajouter…" form.

What is added here is offered at once by the other screens (loan wizard, audit, filters):
the page tells them the inventory changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, format_date
from regie.inventory.reference_list import (
    LocationLine,
    LotLine,
    ModelLine,
    OrganisationLine,
    PrestationLine,
    ReferenceLists,
    reference_lists,
)
from regie.money import format_money
from regie.ui.inventory.forms import count
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.reference_forms import (
    LocationForm,
    LotForm,
    ModelForm,
    OperationForm,
    OrganisationForm,
    PrestationForm,
)
from regie.ui.inventory.table_models import Column, RowsModel, make_table

ORGANISATION_COLUMNS: list[Column[OrganisationLine]] = [
    Column(N_("Nom court"), lambda o: o.short_name),
    Column(N_("Raison sociale"), lambda o: o.name),
    Column("SIRET", lambda o: o.siret),
    Column(N_("N° de TVA"), lambda o: o.vat_number),
    Column(N_("Adresse"), lambda o: o.address),
]
LOCATION_COLUMNS: list[Column[LocationLine]] = [
    Column(N_("Nom"), lambda place: place.name),
    Column(N_("Adresse"), lambda place: place.address),
]
PRESTATION_COLUMNS: list[Column[PrestationLine]] = [
    Column(N_("Nom"), lambda p: p.name),
    Column(N_("Client"), lambda p: p.client),
    Column(N_("Du"), lambda p: format_date(p.starts_on, "short")),
    Column(N_("Au"), lambda p: format_date(p.ends_on, "short")),
    Column(N_("Lieu"), lambda p: p.place),
]
MODEL_COLUMNS: list[Column[ModelLine]] = [
    Column(N_("Nom"), lambda m: m.name),
    Column(N_("Catégorie"), lambda m: m.category),
    Column(N_("Fabricant"), lambda m: m.manufacturer),
    Column(
        N_("Suivi"), lambda m: _("compté par lots") if m.counted else _("à l'unité, par étiquette")
    ),
    Column(
        N_("Amortissement"),
        lambda m: _("{months} mois").format(months=m.amortisation_months),
        numeric=True,
    ),
]
LOT_COLUMNS: list[Column[LotLine]] = [
    Column(N_("Nom"), lambda lot: lot.name),
    Column(N_("Modèle"), lambda lot: lot.model),
    Column(N_("Propriétaire"), lambda lot: lot.owner),
    Column(N_("Quantité"), lambda lot: count(lot.quantity), numeric=True),
    Column(N_("En stock"), lambda lot: count(lot.in_stock), numeric=True),
    Column(N_("Coût unitaire"), lambda lot: format_money(lot.unit_cost_cents), numeric=True),
    Column(N_("Lieu"), lambda lot: lot.location),
]

FormMaker = Callable[[Database, ReferenceLists, QWidget], OperationForm]


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    hint: str
    add: str  # the button's label
    columns: list[Any]
    rows: Callable[[ReferenceLists], list[Any]]
    form: FormMaker


KINDS = (
    Kind(
        "organisations",
        N_("Organisations"),
        N_("Propriétaires, emprunteurs et clients."),
        N_("Nouvelle organisation…"),
        ORGANISATION_COLUMNS,
        lambda lists: lists.organisations,
        lambda db, _lists, parent: OrganisationForm(db, parent),
    ),
    Kind(
        "locations",
        N_("Lieux"),
        N_("Où le matériel est rangé entre deux prestations."),
        N_("Nouveau lieu…"),
        LOCATION_COLUMNS,
        lambda lists: lists.locations,
        lambda db, _lists, parent: LocationForm(db, parent),
    ),
    Kind(
        "prestations",
        N_("Prestations"),
        N_("Les événements servis pour un client, à leurs dates."),
        N_("Nouvelle prestation…"),
        PRESTATION_COLUMNS,
        lambda lists: lists.prestations,
        lambda db, lists, parent: PrestationForm(db, lists, parent),
    ),
    Kind(
        "models",
        N_("Modèles"),
        N_("Les sortes de matériel ; un modèle compté se prête par lots."),
        N_("Nouveau modèle…"),
        MODEL_COLUMNS,
        lambda lists: lists.models,
        lambda db, lists, parent: ModelForm(db, lists, parent),
    ),
    Kind(
        "lots",
        N_("Lots"),
        N_("Les quantités comptées : cartes NFC, câbles, consommables."),
        N_("Nouveau lot…"),
        LOT_COLUMNS,
        lambda lists: lists.lots,
        lambda db, lists, parent: LotForm(db, lists, parent),
    ),
)


class ReferenceScreen(QWidget):
    changed = Signal()  # something was added: the other screens offer it

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.lists: ReferenceLists | None = None
        self.form: OperationForm | None = None
        self.kinds = QListWidget()
        self.kinds.setObjectName("referenceKinds")
        self.kinds.setFixedWidth(190)
        self.kinds.setStyleSheet("font-size: 14px;")
        self.kinds.setSpacing(2)
        self.pages = QStackedWidget()
        self.models: dict[str, RowsModel[Any]] = {}
        self.views: dict[str, QTableView] = {}
        self.titles: dict[str, QLabel] = {}
        self.add_buttons: dict[str, QPushButton] = {}
        for kind in KINDS:
            self.kinds.addItem(_(kind.title))
            self.pages.addWidget(self._page(kind))
        self.kinds.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.kinds.setCurrentRow(0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.kinds)
        layout.addWidget(self.pages, 1)
        self.refresh()

    def _page(self, kind: Kind) -> QWidget:
        title = QLabel(_(kind.title))
        title.setStyleSheet("font-weight: bold; font-size: 15px;")
        hint = QLabel(_(kind.hint))
        hint.setStyleSheet("color: #5b6b7a;")
        add = QPushButton(_(kind.add))
        add.setObjectName(f"add-{kind.key}")
        add.clicked.connect(lambda _checked=False, key=kind.key: self.open_form(key))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(hint)
        top.addStretch(1)
        top.addWidget(add)
        model: RowsModel[Any] = RowsModel(kind.columns, parent=self)
        view = make_table(f"reference-{kind.key}", model)
        title.setBuddy(view)  # the list's title names it to a screen reader
        self.models[kind.key], self.views[kind.key] = model, view
        self.titles[kind.key], self.add_buttons[kind.key] = title, add
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(view, 1)
        return page

    def refresh(self) -> None:
        def load() -> ReferenceLists:
            with self.db.session() as session:
                return reference_lists(session)

        lists = attempt(self, load)
        if lists is None:
            return
        self.lists = lists
        for row, kind in enumerate(KINDS):
            rows = kind.rows(lists)
            self.models[kind.key].set_rows(rows)
            self.kinds.item(row).setText(
                _("{title} ({count})").format(title=_(kind.title), count=len(rows))
            )
            self.titles[kind.key].setText(
                _("{title} ({count})").format(title=_(kind.title), count=len(rows))
            )

    def show_kind(self, key: str) -> None:
        self.kinds.setCurrentRow(next(n for n, kind in enumerate(KINDS) if kind.key == key))

    def names(self, key: str) -> list[str]:
        """The first column of a list, as shown."""
        model = self.models[key]
        return [model.data(model.index(row, 0)) for row in range(model.rowCount())]

    def open_form(self, key: str) -> OperationForm | None:
        kind = next(kind for kind in KINDS if kind.key == key)
        self.show_kind(key)
        if self.lists is None:
            return None
        form = kind.form(self.db, self.lists, self)
        form.added.connect(lambda name: self._added(key, name))
        self.form = form
        form.open()
        return form

    def _added(self, key: str, name: str) -> None:
        self.refresh()
        self.changed.emit()
        view, names = self.views[key], self.names(key)
        if name in names:
            view.selectRow(names.index(name))
            view.scrollTo(view.model().index(names.index(name), 0))
            view.setFocus(Qt.FocusReason.OtherFocusReason)

"""The detail panel of one asset: identity, owners and shares, costs, full history; and
what can be done to it here (declare an incident, note a maintenance line)."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, format_date, format_datetime, format_percent
from regie.inventory.asset_sheet import AssetSheet, HistoryLine, asset_sheet
from regie.inventory.assets import STATUS_LABELS
from regie.money import format_money
from regie.ui.inventory.asset_actions import IncidentForm, MaintenanceForm
from regie.ui.inventory.messages import attempt
from regie.ui.inventory.reference_forms import OperationForm
from regie.ui.inventory.table_models import STATUS_TONES, Column, RowsModel, make_table

F = TypeVar("F", bound=OperationForm)
HISTORY_COLUMNS: list[Column[HistoryLine]] = [
    Column(N_("Date"), lambda line: format_datetime(line.at)),
    Column(N_("Événement"), lambda line: line.event),
    Column(N_("Détail"), lambda line: line.detail),
    Column(
        N_("Coût"),
        lambda line: format_money(line.cost_cents) if line.cost_cents else "",
        numeric=True,
    ),
]


def describe_shares(shares: list[tuple[str, int]]) -> str:
    if len(shares) == 1:
        return shares[0][0]
    return ", ".join(f"{name} {percent(share)}" for name, share in shares)


def percent(share: int) -> str:
    """A share in hundredths of a percent: 3333 → 33,33 %, 5000 → 50 %."""
    return format_percent(Decimal(share) / 10000, digits=0 if share % 100 == 0 else 2)


class AssetDetailPanel(QWidget):
    """Beside each other: who and what the asset is, with its costs; its history."""

    changed = Signal()  # an incident or a maintenance line was recorded here

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assetDetail")
        self._db = db
        self.tag: str | None = None
        self.form: OperationForm | None = None
        self.title = QLabel("")
        self.title.setObjectName("assetTitle")
        self.title.setStyleSheet("font-size: 20px; font-weight: bold; color: #1f2a36;")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("assetSubtitle")
        self.subtitle.setStyleSheet("font-size: 14px;")

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(3)
        for key, label in (
            ("serial", _("N° de série")),
            ("owners", _("Propriété")),
            ("where", _("Lieu")),
            ("purchase", _("Achat")),
            ("amortisation", _("Amortissement")),
            ("amortised", _("Amorti à ce jour")),
            ("book_value", _("Valeur nette")),
            ("running", _("Réparations, entretien")),
            ("notes", _("Notes")),
        ):
            value = QLabel("")
            value.setObjectName(f"detail-{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(_("{label} :").format(label=label), value)
        identity = QVBoxLayout()
        identity.setContentsMargins(0, 0, 0, 0)
        identity.addWidget(self.title)
        identity.addWidget(self.subtitle)
        identity.addLayout(form)
        identity.addStretch(1)
        self.incident_button = QPushButton(_("Déclar&er un incident…"))
        self.incident_button.setObjectName("assetReportIncident")
        self.incident_button.clicked.connect(lambda: self.open_incident())
        self.maintenance_button = QPushButton(_("N&oter un entretien…"))
        self.maintenance_button.setObjectName("assetLogMaintenance")
        self.maintenance_button.clicked.connect(lambda: self.open_maintenance())
        actions = QHBoxLayout()
        actions.addWidget(self.incident_button)
        actions.addWidget(self.maintenance_button)
        actions.addStretch(1)
        identity.addLayout(actions)

        self.history = RowsModel(HISTORY_COLUMNS, parent=self)
        self.history_view = make_table("assetHistory", self.history, stretch=2)
        history_title = QLabel(_("Historique"))
        history_title.setStyleSheet("font-weight: bold;")
        history = QVBoxLayout()
        history.setContentsMargins(0, 0, 0, 0)
        history.addWidget(history_title)
        history.addWidget(self.history_view, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(identity, 2)
        layout.addLayout(history, 3)
        self.clear()

    def clear(self) -> None:
        self.tag = None
        self.title.setText(_("Aucun matériel choisi"))
        self.subtitle.setText(_("Choisissez une ligne du tableau pour voir son détail."))
        for value in self.fields.values():
            value.setText("")
        self.history.set_rows([])
        self.incident_button.setEnabled(False)
        self.maintenance_button.setEnabled(False)

    def show_asset(self, tag: str) -> None:
        def load() -> AssetSheet:
            with self._db.session() as session:
                return asset_sheet(session, tag)

        sheet = attempt(self, load)
        if sheet is None:
            self.clear()
            return
        self.tag = tag
        row = sheet.row
        self.title.setText(row.tag)
        status = _(STATUS_LABELS[row.status])
        if row.prestation:
            status += _(" pour {prestation}").format(prestation=row.prestation)
        tone = STATUS_TONES.get(row.status)
        colour = tone.name() if tone else "#0b6b2f"
        self.subtitle.setText(
            _("{model} — <b style='color:{colour}'>{status}</b>").format(
                model=row.model, colour=colour, status=status
            )
        )
        purchase = format_money(row.purchase_cost_cents)
        if sheet.purchase_date:
            purchase += _(" le {purchase_date}").format(
                purchase_date=format_date(sheet.purchase_date, "short")
            )
        values = {
            "serial": row.serial_number or "—",
            "owners": describe_shares(sheet.shares),
            "where": row.location or "—",
            "purchase": purchase,
            "amortisation": _("{months} mois, valeur résiduelle {salvage}").format(
                months=sheet.amortisation_months,
                salvage=format_money(sheet.salvage_value_cents),
            ),
            "amortised": format_money(sheet.amortised_cents),
            "book_value": format_money(sheet.book_value_cents),
            "running": format_money(sheet.running_costs_cents),
            "notes": sheet.notes or "—",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        # Newest first: what happened last is what people look for.
        self.history.set_rows(list(reversed(sheet.history)))
        self.incident_button.setEnabled(True)
        self.maintenance_button.setEnabled(True)

    # -- actions -----------------------------------------------------------------------
    def open_incident(self) -> IncidentForm | None:
        return self._open(IncidentForm(self._db, self.tag, self)) if self.tag else None

    def open_maintenance(self) -> MaintenanceForm | None:
        return self._open(MaintenanceForm(self._db, self.tag, self)) if self.tag else None

    def _open(self, form: F) -> F:
        tag = self.tag
        form.added.connect(lambda _what: self._recorded(tag))
        self.form = form
        form.open()
        return form

    def _recorded(self, tag: str | None) -> None:
        if tag:
            self.show_asset(tag)  # the new line on top of the history, the new status
        self.changed.emit()

"""What the asset detail panel can do to its asset: declare an incident (breakage, theft,
loss, repair) or note a maintenance line (cleaning, firmware, battery) with its cost.

Both are operations of ``regie.inventory.incidents``; a refusal (the asset is out, an
incident is already open) is said in French over the form, which stays open.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from sqlalchemy.orm import Session

from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _
from regie.inventory import incidents
from regie.inventory.incidents import KIND_LABELS
from regie.inventory.models import IncidentKind
from regie.ui.inventory.forms import MoneyField
from regie.ui.inventory.reference_forms import OperationForm, line_edit

# What the asset becomes, said before the user confirms.
OUTCOMES = {
    IncidentKind.BREAKAGE: N_("mis en quarantaine en attendant sa réparation"),
    IncidentKind.THEFT: N_("compté perdu jusqu'à ce qu'on le retrouve"),
    IncidentKind.LOSS: N_("compté perdu jusqu'à ce qu'on le retrouve"),
    IncidentKind.REPAIR: N_("en réparation, indisponible"),
}


class IncidentForm(OperationForm):
    title = N_("Déclarer un incident")
    action = N_("&Déclarer")

    def __init__(self, db: Database, tag: str, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.setObjectName("assetIncident")
        self.tag = tag
        self.kind = QComboBox()
        self.kind.setObjectName("incidentKind")
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(_(label), kind)
        self.description = line_edit("incidentDescription", _("chute du comptoir, volé au bar…"))
        self.outcome = QLabel("")
        self.outcome.setObjectName("incidentOutcome")
        self.outcome.setStyleSheet("color: #5b6b7a;")
        self.form.addRow(QLabel(f"<b>{tag}</b>"))
        self.form.addRow(_("&Type :"), self.kind)
        self.form.addRow(_("D&escription :"), self.description)
        self.form.addRow("", self.outcome)
        self.finish()
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self._kind_chosen()

    def _kind_chosen(self) -> None:
        kind: IncidentKind = self.kind.currentData()
        self.outcome.setText(_("Le matériel sera {outcome}.").format(outcome=_(OUTCOMES[kind])))

    def save(self, session: Session) -> str:
        kind: IncidentKind = self.kind.currentData()
        incident = incidents.report(session, self.tag, kind, self.description.text().strip())
        return _("incident n°{id}").format(id=incident.id)


class MaintenanceForm(OperationForm):
    title = N_("Noter un entretien")
    action = N_("&Noter")

    def __init__(self, db: Database, tag: str, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.setObjectName("assetMaintenance")
        self.tag = tag
        self.description = line_edit("maintenanceDescription", _("mise à jour, batterie changée…"))
        self.cost = MoneyField("maintenanceCost")
        self.form.addRow(QLabel(f"<b>{tag}</b>"))
        self.form.addRow(_("&Travaux :"), self.description)
        self.form.addRow(_("&Coût :"), self.cost)
        self.finish()

    def save(self, session: Session) -> str:
        cost = self.cost.cents()
        description = self.description.text().strip()
        if not description:
            raise UserError(_("dites ce qui a été fait (nettoyage, mise à jour, batterie…)"))
        incidents.log_maintenance(session, self.tag, description, cost)
        return description

"""Cards back at the end of a prestation: each card laid on the reader (or scanned) counts once,
a box of a whole batch counts at once; the cards still missing are listed and can be
declared lost, which puts them on the block list."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.models import STATE_LABELS, CardState
from regie.cards.overview import CardChoices, card_choices
from regie.cards.returns import (
    MissingCard,
    ReturnReport,
    ReturnTap,
    declare_missing_lost,
    record_batch_returned,
    record_return,
    return_report,
)
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.errors import UserError
from regie.i18n import N_, _, ngettext
from regie.ui.cards.taps import follow_taps
from regie.ui.cards.words import caption, sentence
from regie.ui.inventory.messages import attempt, confirm, report_failure, show_info
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table

COLUMNS: list[Column[MissingCard]] = [
    Column(N_("Numéro"), lambda m: m.number),
    Column("UID", lambda m: m.uid or "—"),
    Column(N_("État"), lambda m: _(STATE_LABELS[m.state])),
    Column(N_("Lot de cartes"), lambda m: m.batch),
]
GOOD, SAME, BAD = "#0b6b2f", "#1d5fa8", "#b3261e"


def tone(row: MissingCard) -> QColor | None:
    return None if row.state is CardState.ACTIVE else QColor("#7a8590")


class ReturnsScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.report: ReturnReport | None = None
        self.prestation = QComboBox()
        self.prestation.setObjectName("returnsPrestation")
        self.prestation.setMinimumWidth(240)
        self.count = QLabel("")
        self.count.setObjectName("returnsCount")
        self.count.setStyleSheet("font-size: 30px; font-weight: bold; color: #1f2a36;")
        self.loaned = QLabel("")
        self.loaned.setObjectName("returnsLoaned")
        self.loaned.setStyleSheet("color: #5b6b7a;")
        self.scan = ScanField(_("numéro imprimé, UID ou QR code, puis Entrée"))
        self.scan.setObjectName("returnsScan")
        self.last = QLabel(_("Posez chaque carte rendue sur le lecteur."))
        self.last.setObjectName("returnsLast")
        self.last.setStyleSheet("font-size: 18px;")
        self.batch = QComboBox()
        self.batch.setObjectName("returnsBatch")
        self.batch_button = QPushButton(_("Compter tout ce lo&t…"))
        self.batch_button.setObjectName("returnsWholeBatch")
        self.missing_title = QLabel("")
        self.missing_title.setObjectName("returnsMissingTitle")
        self.missing_title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.missing: RowsModel[MissingCard] = RowsModel(COLUMNS, tone=tone, parent=self)
        self.table = make_table("returnsMissing", self.missing)
        self.lost_button = QPushButton(_("Déclarer les ma&nquantes perdues…"))
        self.lost_button.setObjectName("returnsDeclareLost")

        top = QHBoxLayout()
        top.addWidget(caption(_("&Prestation :"), self.prestation))
        top.addWidget(self.prestation)
        top.addSpacing(24)
        top.addWidget(self.count)
        top.addWidget(self.loaned)
        top.addStretch(1)
        scan_row = QHBoxLayout()
        scan_row.addWidget(caption(_("&Carte rendue :"), self.scan))
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.last, 2)
        batch_row = QHBoxLayout()
        batch_row.addWidget(caption(_("Un lot revenu entier dans sa boîte :"), self.batch))
        batch_row.addWidget(self.batch)
        batch_row.addWidget(self.batch_button)
        batch_row.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.lost_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addLayout(scan_row)
        layout.addLayout(batch_row)
        layout.addWidget(self.missing_title)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.prestation.currentIndexChanged.connect(self.show_report)
        self.scan.scanned.connect(self.count_card)
        self.batch_button.clicked.connect(self.ask_batch)
        self.lost_button.clicked.connect(self.ask_declare_lost)
        follow_taps(self, devices, self.tapped)
        self.refresh()

    def refresh(self) -> None:
        def load() -> CardChoices:
            with self.db.session() as session:
                return card_choices(session)

        choices = attempt(self, load)
        if choices is None:
            return
        chosen, batch = self.prestation.currentText(), self.batch.currentText()
        self.prestation.blockSignals(True)
        self.prestation.clear()
        self.prestation.addItems(choices.prestations)
        self.prestation.setCurrentIndex(max(self.prestation.findText(chosen), 0))
        self.prestation.blockSignals(False)
        self.batch.clear()
        self.batch.addItems(choices.batches)
        self.batch.setCurrentIndex(max(self.batch.findText(batch), 0))
        self.show_report()

    def show_report(self) -> None:
        name = self.prestation.currentText()
        if not name:
            self.report = None
            self.count.setText("")
            self.loaned.setText(_("Aucune prestation n'a emprunté de lot de cartes."))
            self.missing.set_rows([])
            self._enable()
            return

        def load() -> ReturnReport:
            with self.db.session() as session:
                return return_report(session, name)

        report = attempt(self, load)
        if report is None:
            return
        self.report = report
        self.count.setText(
            _("Rendues : {returned} / {lent}").format(returned=report.returned, lent=report.lent)
        )
        self.loaned.setText(
            _("(le prêt en comptait {loaned_quantity})").format(
                loaned_quantity=report.loaned_quantity
            )
        )
        self.missing.set_rows(report.missing)
        self.missing_title.setText(_("Manquantes ({missing})").format(missing=len(report.missing)))
        self._enable()

    def _enable(self) -> None:
        has = self.report is not None
        for widget in (self.scan, self.batch, self.batch_button):
            widget.setEnabled(has)
        self.lost_button.setEnabled(
            has and any(m.state is CardState.ACTIVE for m in self.missing.rows())
        )

    # -- counting ----------------------------------------------------------------------
    def tapped(self, uid: str) -> None:
        if not uid:
            self._say(_("UID illisible : reposez la carte"), BAD)
            return
        self.count_card(uid)

    def count_card(self, ref: str) -> ReturnTap | None:
        name = self.prestation.currentText()
        if not name:
            return None

        def run() -> ReturnTap:
            with self.db.session() as session:
                return record_return(session, name, ref)

        try:
            tap = run()
        except UserError as error:  # not lent, unknown: said on the line, no box to close
            self._say(sentence(str(error)), BAD)
            return None
        except Exception as error:
            report_failure(self, error)
            return None
        if tap.already:
            self._say(_("{number} : déjà comptée").format(number=tap.number), SAME)
        else:
            self._say(
                _("{number} : comptée ({returned} / {lent})").format(
                    number=tap.number, returned=tap.returned, lent=tap.lent
                ),
                GOOD,
            )
            self.changed.emit()
        self.show_report()
        return tap

    def _say(self, text: str, colour: str) -> None:
        self.last.setText(text)
        self.last.setStyleSheet(f"font-size: 18px; font-weight: bold; color: {colour};")

    def ask_batch(self) -> None:
        name, batch = self.prestation.currentText(), self.batch.currentText()
        confirm(
            self,
            _("Lot rendu entier"),
            _("Compter toutes les cartes du lot {batch} comme rendues à la fin de {name} ?").format(
                batch=batch, name=name
            ),
            _("&Compter le lot"),
            lambda: self.count_batch(batch),
        )

    def count_batch(self, batch: str) -> None:
        name = self.prestation.currentText()

        def run() -> int:
            with self.db.session() as session:
                return record_batch_returned(session, name, batch)

        counted = attempt(self, run)
        if counted is not None:
            self._say(
                ngettext(
                    "Lot {batch} : {counted} carte comptée",
                    "Lot {batch} : {counted} cartes comptées",
                    counted,
                ).format(batch=batch, counted=counted),
                GOOD if counted else SAME,
            )
            self.show_report()
            self.changed.emit()

    def ask_declare_lost(self) -> None:
        assert self.report is not None
        name = self.report.prestation
        active = sum(1 for m in self.report.missing if m.state is CardState.ACTIVE)
        confirm(
            self,
            _("Déclarer les cartes manquantes perdues"),
            ngettext(
                "Déclarer perdue {active} carte active non rendue de {name} ? Elle ira sur la "
                "liste de blocage des terminaux.",
                "Déclarer perdues les {active} cartes actives non rendues de {name} ? Elles iront "
                "sur la liste de blocage des terminaux.",
                active,
            ).format(active=active, name=name),
            _("&Déclarer perdues"),
            self.declare_lost,
            destructive=True,
        )

    def declare_lost(self) -> None:
        name = self.prestation.currentText()

        def run() -> list[str]:
            with self.db.session() as session:
                return declare_missing_lost(session, name)

        lost = attempt(self, run)
        if lost is not None:
            self.show_report()
            self.changed.emit()
            show_info(
                self,
                _("Cartes déclarées perdues"),
                ngettext(
                    "{lost} carte de {name} déclarée perdue, sur la liste de blocage.",
                    "{lost} cartes de {name} déclarées perdues, sur la liste de blocage.",
                    len(lost),
                ).format(lost=len(lost), name=name),
            )

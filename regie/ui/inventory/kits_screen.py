"""Kits (valises): the cases holding assets, what each holds, and filling them by scanning.

Choose a kit (or scan its label), then scan the assets: each Enter puts one in, or takes it
out in "Sortir" mode. Every scan is one operation of ``regie.inventory.register``, saved at
once; a refusal (already in another kit, out on loan) is said in red under the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from regie.db import Database
from regie.errors import UserError
from regie.i18n import N_, _, ngettext
from regie.inventory import register
from regie.inventory.loan_desk import check_item
from regie.inventory.reference_list import reference_lists
from regie.ui.inventory.forms import assets_count
from regie.ui.inventory.messages import attempt, report_failure
from regie.ui.inventory.reference_forms import OperationForm, combo, line_edit
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import Column, RowsModel, make_table

OK, BAD = QColor("#0b6b2f"), QColor("#b3261e")


@dataclass(frozen=True)
class KitLine:
    tag: str
    name: str
    contents: tuple[str, ...]


@dataclass(frozen=True)
class ContentLine:
    tag: str
    model: str
    problems: tuple[str, ...]  # why it could not go out today


KIT_COLUMNS: list[Column[KitLine]] = [
    Column(N_("Valise"), lambda kit: kit.tag),
    Column(N_("Nom"), lambda kit: kit.name),
    Column(N_("Matériels"), lambda kit: str(len(kit.contents)), numeric=True),
]
CONTENT_COLUMNS: list[Column[ContentLine]] = [
    Column(N_("Étiquette"), lambda line: line.tag),
    Column(N_("Modèle"), lambda line: line.model),
    Column(N_("État"), lambda line: "; ".join(line.problems) or _("prêt à sortir")),
]


class KitForm(OperationForm):
    title = N_("Nouvelle valise")
    NO_PLACE = N_("(aucun)")

    def __init__(self, db: Database, locations: list[str], parent: QWidget | None = None):
        super().__init__(db, parent)
        self.tag = line_edit("kitTag", _("KIT-CAISSES-B… (l'étiquette collée sur la valise)"))
        self.name = line_edit("kitName", _("Valise caisses B (4 Sunmi V2s)"))
        self.location = combo("kitLocation", [_(self.NO_PLACE), *locations])
        self.form.addRow(_("&Étiquette :"), self.tag)
        self.form.addRow(_("&Nom :"), self.name)
        self.form.addRow(_("&Lieu :"), self.location)
        self.finish()

    def save(self, session: Session) -> str:
        place = self.location.currentText()
        kit = register.create_kit(
            session, self.tag.text(), self.name.text(), "" if place == _(self.NO_PLACE) else place
        )
        return kit.tag


class KitsScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.form: KitForm | None = None
        new_kit = QPushButton(_("Nouvelle valise… (Ctrl+N)"))
        new_kit.setObjectName("newKit")
        new_kit.clicked.connect(self.open_form)
        QShortcut(QKeySequence("Ctrl+N"), self, self.open_form)
        self.kits: RowsModel[KitLine] = RowsModel(KIT_COLUMNS, parent=self)
        self.kit_view = make_table("kitList", self.kits, stretch=1)
        self.kit_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.kit_view.selectionModel().selectionChanged.connect(self._kit_chosen)
        self.count = QLabel("")
        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(self.count, 1)
        top.addWidget(new_kit)
        left.addLayout(top)
        left.addWidget(self.kit_view, 1)

        self.heading = QLabel("")
        self.heading.setObjectName("kitHeading")
        self.heading.setStyleSheet("font-weight: bold; font-size: 15px;")
        self.put = QRadioButton(_("Ran&ger dans la valise"))
        self.put.setObjectName("kitPut")
        self.put.setChecked(True)
        self.take = QRadioButton(_("Sortir de &la valise"))
        self.take.setObjectName("kitTake")
        modes = QButtonGroup(self)
        modes.addButton(self.put)
        modes.addButton(self.take)
        self.scan = ScanField(_("Scannez une étiquette de matériel (ou celle d'une valise)"))
        self.scan.setObjectName("kitScan")
        self.scan.setStyleSheet("font-size: 16px; padding: 4px;")
        self.feedback = QLabel("")
        self.feedback.setObjectName("kitFeedback")
        self.contents: RowsModel[ContentLine] = RowsModel(
            CONTENT_COLUMNS, tone=lambda line: BAD if line.problems else None, parent=self
        )
        self.content_view = make_table("kitContents", self.contents)
        self.remove = QPushButton(_("Sortir les lignes choisies de la valise"))
        self.remove.setObjectName("kitRemoveLines")
        self.remove.clicked.connect(self.remove_selected)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.put)
        mode_row.addWidget(self.take)
        mode_row.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(mode_row)
        right.addWidget(self.scan)
        right.addWidget(self.feedback)
        right.addWidget(self.content_view, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.remove)
        right.addLayout(bottom)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self.scan.scanned.connect(self.scan_tag)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scan.setFocus()  # the scanner types into the field at once

    # -- the kits ----------------------------------------------------------------------
    def refresh(self) -> None:
        chosen = self.current()

        def load() -> list[KitLine]:
            with self.db.session() as session:
                return [
                    KitLine(tag, name, tuple(contents))
                    for tag, name, contents in register.kits(session)
                ]

        rows = attempt(self, load)
        if rows is None:
            return
        self.kits.set_rows(rows)
        self.count.setText(
            ngettext("{count} valise", "{count} valises", len(rows)).format(count=len(rows))
        )
        self.select(chosen.tag if chosen else (rows[0].tag if rows else ""))

    def current(self) -> KitLine | None:
        rows = self.kit_view.selectionModel().selectedRows()
        return self.kits.row_at(rows[0].row()) if rows else None

    def select(self, tag: str) -> None:
        row = next((n for n, kit in enumerate(self.kits.rows()) if kit.tag == tag), -1)
        current = self.current()
        if row >= 0 and (current is None or current.tag != tag):
            self.kit_view.selectRow(row)  # the selection change shows its contents
        else:
            self._kit_chosen()  # the same kit (its contents may have changed), or none

    def _kit_chosen(self, *_args: object) -> None:
        kit = self.current()
        self.scan.setEnabled(kit is not None)
        self.remove.setEnabled(kit is not None)
        if kit is None:
            self.heading.setText(_("Aucune valise : créez-en une."))
            self.contents.set_rows([])
            return
        self.heading.setText(
            _("{tag} — {name} ({contents})").format(
                tag=kit.tag, name=kit.name, contents=assets_count(len(kit.contents))
            )
        )

        def load() -> list[ContentLine]:
            with self.db.session() as session:
                checks = [check_item(session, tag) for tag in kit.contents]
            return [ContentLine(c.tag, c.description, c.problems) for c in checks]

        self.contents.set_rows(attempt(self, load) or [])

    def open_form(self) -> KitForm | None:
        def load() -> list[str]:
            with self.db.session() as session:
                return [place.name for place in reference_lists(session).locations]

        locations = attempt(self, load)
        if locations is None:
            return None
        form = KitForm(self.db, locations, self)
        form.added.connect(self._created)
        self.form = form
        form.open()
        return form

    def _created(self, tag: str) -> None:
        self.refresh()
        self.select(tag)
        self.put.setChecked(True)
        self._say(_("Valise {tag} créée : scannez ce qu'elle contient.").format(tag=tag), good=True)
        self.scan.setFocus()
        self.changed.emit()

    # -- scans -------------------------------------------------------------------------
    def scan_tag(self, text: str) -> None:
        tag = text.strip().upper()
        if tag in (kit.tag for kit in self.kits.rows()):  # a kit's label: fill that one now
            self.select(tag)
            self._say(_("Valise {tag} choisie.").format(tag=tag), good=True)
            return
        kit = self.current()
        if kit is None:
            return
        putting = self.put.isChecked()
        try:
            with self.db.session() as session:
                if putting:
                    register.put_in_kit(session, kit.tag, [tag])
                else:
                    register.take_out_of_kit(session, kit.tag, [tag])
        except UserError as error:
            self._say(str(error), good=False)
            return
        except Exception as error:
            report_failure(self, error)
            return
        self.refresh()
        done = _("{tag} rangé dans {kit}") if putting else _("{tag} sorti de {kit}")
        self._say(done.format(tag=tag, kit=kit.tag), good=True)
        self.changed.emit()

    def remove_selected(self) -> None:
        kit = self.current()
        rows = sorted({index.row() for index in self.content_view.selectionModel().selectedRows()})
        tags = [self.contents.row_at(row).tag for row in rows]
        if kit is None or not tags:
            return

        def run() -> bool:
            with self.db.session() as session:
                register.take_out_of_kit(session, kit.tag, tags)
            return True

        if attempt(self, run):
            self.refresh()
            self._say(
                ngettext("{tags} sorti de {kit}", "{tags} sortis de {kit}", len(tags)).format(
                    tags=", ".join(tags), kit=kit.tag
                ),
                good=True,
            )
            self.changed.emit()

    def _say(self, text: str, good: bool) -> None:
        self.feedback.setText(text)
        self.feedback.setStyleSheet(f"color: {(OK if good else BAD).name()}; font-weight: bold;")

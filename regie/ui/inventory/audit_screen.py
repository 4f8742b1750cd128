"""The audit with a scanner: pick a prestation or a place, scan, watch the four lists fill.

The scan field keeps the focus: a USB scanner types the tag and Enter. An asset carrying
an NFC sticker laid on the card reader counts as a scan too. The open audit is saved scan
by scan, so it is resumed when the screen opens again (after a crash, on another day).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.errors import Conflict, UserError
from regie.i18n import _, ngettext
from regie.inventory.audit_desk import scan_into, scan_uid_into
from regie.inventory.audits import (
    AuditResult,
    AuditState,
    Verdict,
    abandon_audit,
    close_audit,
    resume_audit,
    start_audit,
)
from regie.inventory.references import References, references
from regie.ui.inventory.audit_lists import AuditLists
from regie.ui.inventory.messages import attempt, confirm, report_failure
from regie.ui.inventory.scan_field import ScanField

# (text colour, background) of the last scan, per verdict; "error" for a refused scan.
VERDICT_STYLES = {
    Verdict.PRESENT: ("#0b6b2f", "#dff3e4"),
    Verdict.UNKNOWN: ("#b3261e", "#fbe4e2"),
    Verdict.MISPLACED: ("#8a4b00", "#fdeccc"),
    Verdict.REPEATED: ("#33414f", "#e8edf2"),
    "error": ("#b3261e", "#fbe4e2"),
    "idle": ("#5b6b7a", "#f3f5f7"),
}


class AuditScreen(QWidget):
    changed = Signal()

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.state: AuditState | None = None
        self.last_result: AuditResult | None = None

        self.by_prestation = QRadioButton(_("une p&restation"))
        self.by_location = QRadioButton(_("un &lieu"))
        self.by_location.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.by_prestation)
        kinds.addButton(self.by_location)
        self.scope = QComboBox()
        self.scope.setObjectName("auditScope")
        self.scope.setMinimumWidth(260)
        self.start_button = QPushButton(_("C&ommencer l'audit"))
        self.start_button.setObjectName("auditStart")
        self.heading = QLabel("")
        self.heading.setObjectName("auditHeading")
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.close_button = QPushButton(_("Terminer et &enregistrer"))
        self.close_button.setObjectName("auditClose")
        self.abandon_button = QPushButton(_("A&bandonner"))
        self.abandon_button.setObjectName("auditAbandon")
        top = QHBoxLayout()
        self.scope_label = QLabel(_("Auditer :"))
        for widget in (self.scope_label, self.by_location, self.by_prestation, self.scope):
            top.addWidget(widget)
        top.addWidget(self.start_button)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button)
        top.addWidget(self.abandon_button)

        self.scan = ScanField(_("Scannez une étiquette (ou tapez-la puis Entrée)"))
        self.scan.setObjectName("auditScan")
        self.scan.setStyleSheet("font-size: 18px; padding: 6px;")
        self.last = QLabel("")
        self.last.setObjectName("auditLastScan")
        self.last.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.last.setMinimumHeight(70)
        self.last.setWordWrap(True)
        hint = QLabel(_("Un matériel à puce NFC posé sur le lecteur de cartes compte aussi."))
        hint.setStyleSheet("color: #5b6b7a;")

        self.lists = AuditLists()
        self.models, self.titles = self.lists.models, self.lists.titles

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scan)
        layout.addWidget(self.last)
        layout.addWidget(hint)
        layout.addWidget(self.lists, 1)

        self.by_prestation.toggled.connect(self._fill_scopes)
        self.start_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.close_audit)
        self.abandon_button.clicked.connect(self.ask_abandon)
        self.scan.scanned.connect(self.scan_tag)
        unsubscribe = devices.subscribe(self._reader_event)
        self.destroyed.connect(lambda *_: unsubscribe())

        self._choices: References | None = None
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.state is not None:  # the scanner types into the field at once
            self.scan.setFocus()

    # -- scope -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Choices again, and the audit left open (here or on another workstation)."""

        def load() -> tuple[References, AuditState | None]:
            with self.db.session() as session:
                return references(session), resume_audit(session)

        found = attempt(self, load)
        if found is None:
            return
        self._choices, resumed = found
        self._fill_scopes()
        if resumed is not None and (self.state is None or self.state.audit_id != resumed.audit_id):
            self._show_state(
                resumed,
                _("Audit n°{audit_id} repris : {scope}").format(
                    audit_id=resumed.audit_id, scope=resumed.scope
                ),
            )
        elif resumed is None and self.state is not None:
            self.state = None  # closed elsewhere
            self._show_mode()
        else:
            self._show_mode()

    def _fill_scopes(self) -> None:
        if self._choices is None:
            return
        self.scope.clear()
        if self.by_prestation.isChecked():
            self.scope.addItems([p.name for p in self._choices.prestations])
        else:
            self.scope.addItems(self._choices.locations)

    def start(self) -> None:
        name, by_prestation = self.scope.currentText(), self.by_prestation.isChecked()
        try:
            with self.db.session() as session:
                state = start_audit(
                    session,
                    prestation_name=name if by_prestation else "",
                    location_name="" if by_prestation else name,
                )
        except Conflict as error:  # another audit is open (maybe on another workstation)
            confirm(
                self,
                _("Un audit est déjà ouvert"),
                str(error),
                _("&Reprendre cet audit"),
                self.refresh,
            )
            return
        except Exception as error:
            report_failure(self, error)
            return
        self._show_state(
            state,
            _("Audit n°{audit_id} commencé : {scope}").format(
                audit_id=state.audit_id, scope=state.scope
            ),
        )
        self.changed.emit()

    def _show_mode(self) -> None:
        running = self.state is not None
        for widget in (self.scope_label, self.by_location, self.by_prestation, self.scope):
            widget.setVisible(not running)
        self.start_button.setVisible(not running)
        self.close_button.setVisible(running)
        self.abandon_button.setVisible(running)
        self.scan.setEnabled(running)
        if self.state is not None:
            self.heading.setText(
                ngettext(
                    "Audit n°{audit_id} — {scope} — {expected} attendu",
                    "Audit n°{audit_id} — {scope} — {expected} attendus",
                    len(self.state.expected),
                ).format(
                    audit_id=self.state.audit_id,
                    scope=self.state.scope,
                    expected=len(self.state.expected),
                )
            )
            self.scan.setFocus()
        elif self.last_result is None:
            self.heading.setText("")
            self._say(_("Choisissez un lieu ou une prestation, puis commencez."), "idle")
            self._fill_lists()

    def _show_state(self, state: AuditState, message: str) -> None:
        self.state, self.last_result = state, None
        self._show_mode()
        self._fill_lists()
        self._say(message, "idle")

    # -- scans -------------------------------------------------------------------------
    def scan_tag(self, text: str) -> None:
        state = self.state
        if state is None:
            self._say(
                _("Commencez d'abord un audit : choisissez un lieu ou une prestation."), "error"
            )
            return
        self._count(lambda session: scan_into(session, state, text))

    def _reader_event(self, event: ReaderEvent) -> None:
        if not isValid(self) or event.kind is not ReaderEventKind.CARD_INSERTED:
            return
        state = self.state
        # Only on screen: the same reader encodes cards in the Cards section meanwhile.
        if state is None or not event.uid or not self.isVisible():
            return
        self._count(lambda session: scan_uid_into(session, state, event.uid))

    def _count(self, scan: Callable[[Session], tuple[Verdict, str]]) -> None:
        try:
            with self.db.session() as session:
                verdict, message = scan(session)
        except UserError as error:
            self._say(str(error), "error")
            return
        except Exception as error:
            report_failure(self, error)
            return
        self._say(message, verdict)
        self._fill_lists()

    def _say(self, text: str, tone: Verdict | str) -> None:
        colour, background = VERDICT_STYLES[tone]
        size = 28 if isinstance(tone, Verdict) else 16
        self.last.setText(text)
        self.last.setProperty("verdict", str(tone))
        self.last.setStyleSheet(
            f"font-size: {size}px; font-weight: bold; color: {colour}; "
            f"background: {background}; border-radius: 6px; padding: 8px;"
        )

    def _fill_lists(self) -> None:
        if self.state is not None:
            self.lists.show_state(self.state)
        elif self.last_result is not None:
            self.lists.show_result(self.last_result)
        else:
            self.lists.clear()

    # -- end ---------------------------------------------------------------------------
    def close_audit(self) -> None:
        state = self.state
        if state is None:
            return

        def run() -> AuditResult:
            with self.db.session() as session:
                return close_audit(session, state)

        result = attempt(self, run)
        if result is None:
            return
        self.state, self.last_result = None, result
        self._show_mode()
        self._fill_lists()
        present, missing = len(result.present), len(result.missing)
        unknown, misplaced = len(result.unknown), len(result.misplaced)
        self.heading.setText(
            _("Audit n°{audit_id} — {scope} — enregistré").format(
                audit_id=result.audit_id, scope=result.scope
            )
        )
        self._say(
            _("Audit enregistré : {present}, {missing}, {unknown}, {misplaced}").format(
                present=ngettext("{n} présent", "{n} présents", present).format(n=present),
                missing=ngettext("{n} manquant", "{n} manquants", missing).format(n=missing),
                unknown=ngettext("{n} inconnu", "{n} inconnus", unknown).format(n=unknown),
                misplaced=ngettext("{n} mal placé", "{n} mal placés", misplaced).format(
                    n=misplaced
                ),
            ),
            "idle",
        )
        self.changed.emit()

    def ask_abandon(self) -> None:
        if self.state is None:
            return
        confirm(
            self,
            _("Abandonner l'audit"),
            _(
                "Abandonner l'audit n°{audit_id} ({scope}) ? Ses scans restent dans l'historique "
                "mais aucun résultat n'est enregistré."
            ).format(audit_id=self.state.audit_id, scope=self.state.scope),
            _("A&bandonner l'audit"),
            self.abandon,
            destructive=True,
        )

    def abandon(self) -> None:
        state = self.state
        if state is None:
            return

        def run() -> bool:
            with self.db.session() as session:
                abandon_audit(session, state.audit_id)
            return True

        if attempt(self, run) is None:
            return
        self.state, self.last_result = None, None
        self._show_mode()
        self._say(_("Audit n°{audit_id} abandonné.").format(audit_id=state.audit_id), "idle")
        self.changed.emit()

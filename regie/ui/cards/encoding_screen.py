"""The encoding station: lay cards on the reader one after the other; each is paired with its
printed number, written, read back and protected, and the result shows in large type, in
its colour, with its sound, readable from a step away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.encoding import OUTCOME_LABELS, CardResult, EncodingOptions, SessionStats
from regie.cards.ntag import CHIP_LABELS
from regie.cards.overview import card_choices
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.pcsc_session import SessionStatus, available_readers
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.ui.cards.chime import Chime
from regie.ui.cards.encoding_station import Station
from regie.ui.cards.results_model import EncodingResultsModel
from regie.ui.cards.tones import IDLE_COLOURS, OUTCOME_COLOURS
from regie.ui.cards.words import caption, sentence
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import make_table

COLUMN_WIDTHS = (72, 115, 88, 132, 82, 135, 48, 45)  # the reason takes the rest
FIRST_READER = "Le premier lecteur trouvé"
NO_BATCH = "(aucun : scanner le numéro de chaque carte)"


def per_minute(rate: float) -> str:
    return f"{rate:.1f}".replace(".", ",") + " cartes/min"


def breakdown(stats: SessionStats) -> str:
    return (
        f"{stats.encoded} encodée(s) · {stats.reencoded} ré-encodée(s) · "
        f"{stats.already_encoded} déjà encodée(s) · {stats.failed} échec(s)"
    )


class EncodingScreen(QWidget):
    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.station = Station(db, self)
        self.chime = Chime(self)
        self.model = EncodingResultsModel(self)
        station = self.station
        self.destroyed.connect(lambda *_: station.pause())  # never leave a reader thread behind

        self.reader = QComboBox()
        self.reader.setObjectName("encodingReader")
        self.reader.setMinimumWidth(220)
        refresh = QPushButton("Actualiser")
        refresh.clicked.connect(self.list_readers)
        self.write_url = QCheckBox("Écrire l'&URL")
        self.write_url.setObjectName("encodingWriteUrl")
        self.write_url.setChecked(True)
        self.protect = QCheckBox("Protéger par mot de &passe")
        self.protect.setObjectName("encodingProtect")
        self.protect.setChecked(True)
        self.sound = QCheckBox("S&on")
        self.sound.setObjectName("encodingSound")
        self.sound.setChecked(True)
        self.sound.toggled.connect(lambda on: setattr(self.chime, "enabled", on))
        self.batch = QComboBox()
        self.batch.setObjectName("encodingBatch")
        self.batch.setMinimumWidth(260)
        self.first = QLineEdit()
        self.first.setObjectName("encodingFirst")
        self.first.setPlaceholderText("la première libre")
        self.first.setMaximumWidth(160)
        self.scan = ScanField("numéro imprimé ou QR code, puis Entrée")
        self.scan.setObjectName("encodingScan")
        self.next_label = QLabel("")
        self.next_label.setObjectName("encodingNext")
        self.start_button = QPushButton("Démarrer")
        self.start_button.setObjectName("encodingStart")
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("encodingPause")
        self.end_button = QPushButton("&Terminer la session")
        self.end_button.setObjectName("encodingEnd")
        self.reader_status = QLabel("Session arrêtée.")
        self.reader_status.setObjectName("encodingReaderStatus")

        settings = QGridLayout()
        settings.addWidget(caption("Lecteur :", self.reader), 0, 0)
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.reader)
        reader_row.addWidget(refresh)
        for box in (self.write_url, self.protect, self.sound):
            reader_row.addSpacing(12)
            reader_row.addWidget(box)
        reader_row.addStretch(1)
        settings.addLayout(reader_row, 0, 1)
        settings.addWidget(caption("&Numéros du lot :", self.batch), 1, 0)
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch)
        batch_row.addWidget(caption("à partir du n° :", self.first))
        batch_row.addWidget(self.first)
        batch_row.addStretch(1)
        settings.addLayout(batch_row, 1, 1)
        settings.addWidget(caption("S&canner :", self.scan), 2, 0)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.next_label, 1)
        settings.addLayout(scan_row, 2, 1)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.end_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.reader_status, 1)

        self.panel = QFrame()
        self.panel.setObjectName("encodingPanel")
        self.outcome = QLabel("Posez une carte")
        self.outcome.setObjectName("encodingOutcome")
        self.detail = QLabel("Réglez la session puis Démarrer.")
        self.detail.setObjectName("encodingDetail")
        self.reason = QLabel("")
        self.reason.setObjectName("encodingReason")
        self.reason.setWordWrap(True)
        self.count = QLabel("0")
        self.count.setObjectName("encodingCount")
        self.rate = QLabel(per_minute(0))
        self.rate.setObjectName("encodingRate")
        self.breakdown = QLabel("")
        self.breakdown.setObjectName("encodingBreakdown")
        # The outcome in large type on the left, the session's figures on the right; the
        # reason and the breakdown get whole lines, so a long one never widens the screen.
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        inside = QGridLayout(self.panel)
        inside.setContentsMargins(18, 10, 18, 10)
        inside.addWidget(self.outcome, 0, 0)
        inside.addWidget(self.count, 0, 1, right)
        inside.addWidget(self.detail, 1, 0)
        inside.addWidget(self.rate, 1, 1, right)
        inside.addWidget(self.reason, 2, 0, 1, 2)
        inside.addWidget(self.breakdown, 3, 0, 1, 2, right)
        inside.setColumnStretch(0, 1)
        self.table = make_table("encodingResults", self.model)
        # Fixed widths: the rows arrive one by one, a fit-to-contents header would lag behind.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(column, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(settings)
        layout.addLayout(buttons)
        layout.addWidget(self.panel)
        layout.addWidget(self.table, 1)

        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.end_button.clicked.connect(self.end)
        self.scan.scanned.connect(self.scanned)
        self.station.result.connect(self.show_result)
        self.station.status.connect(self._reader_status)
        unsubscribe = devices.subscribe(self._device_event)
        self.destroyed.connect(lambda *_: unsubscribe())
        self._paint(None)
        self._show_counts()
        self.list_readers()
        self.refresh()
        self._enable()

    # -- choices -----------------------------------------------------------------------
    def list_readers(self) -> None:
        """The readers pcscd lists now (a local call of a millisecond)."""
        chosen = self.reader.currentText()
        self.reader.clear()
        self.reader.addItem(FIRST_READER, None)
        for name in available_readers():
            self.reader.addItem(name, name)
        index = self.reader.findText(chosen)
        self.reader.setCurrentIndex(max(index, 0))

    def _device_event(self, event: ReaderEvent) -> None:
        if event.kind in (ReaderEventKind.READER_ADDED, ReaderEventKind.READER_REMOVED):
            self.list_readers()

    def refresh(self) -> None:
        chosen = self.batch.currentText()
        choices = attempt(self, lambda: _load_batches(self.db))
        if choices is None:
            return
        self.batch.clear()
        self.batch.addItem(NO_BATCH, None)
        for name in choices:
            self.batch.addItem(name, name)
        # First time: the newest batch, the one most likely to be encoded now.
        found = self.batch.findText(chosen) if chosen else min(1, self.batch.count() - 1)
        self.batch.setCurrentIndex(max(found, 0))

    # -- the session -------------------------------------------------------------------
    def start(self) -> None:
        if not self.station.open:
            options = EncodingOptions(
                write_url=self.write_url.isChecked(), protect=self.protect.isChecked()
            )
            batch, first = self.batch.currentData(), self.first.text().strip() or None
            if attempt(self, lambda: self.station.begin(options, batch, first) or "") is None:
                return
            self.model.clear()
            self._paint(None)
            self._show_counts()
        self.station.start(self.reader.currentData())
        self.reader_status.setText("Recherche du lecteur…")
        self._show_next()
        self._enable()
        self.scan.setFocus()

    def pause(self) -> None:
        self.station.pause()
        self.reader_status.setText("En pause : le lecteur est libre.")
        self._enable()

    def end(self) -> SessionStats | None:
        stats = self.station.end()
        self.reader_status.setText("Session arrêtée.")
        self.next_label.setText("")
        self._enable()
        if stats is not None and stats.total:
            show_info(
                self,
                "Session d'encodage terminée",
                f"{stats.done} carte(s) prête(s) et {stats.failed} échec(s), à "
                f"{per_minute(stats.rate_per_minute())}.",
                breakdown(stats),
            )
        return stats

    def scanned(self, text: str) -> None:
        if not self.station.open:
            self.next_label.setText("Démarrez la session d'abord.")
            return
        number = attempt(self, lambda: self.station.expect(text))
        if number is not None:
            self.next_label.setText(f"Carte suivante : {number} (scannée)")

    def _show_next(self) -> None:
        number = attempt(self, self.station.next_number)
        if number:
            self.next_label.setText(f"Carte suivante : {number}")
        elif self.batch.currentData() is None:
            self.next_label.setText("Scannez le numéro de la carte, puis posez-la.")
        else:
            self.next_label.setText("Plus de carte à associer dans ce lot.")

    def _enable(self) -> None:
        open_, running = self.station.open, self.station.running
        for widget in (self.write_url, self.protect, self.batch, self.first):
            widget.setEnabled(not open_)
        self.reader.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.start_button.setText("Reprendre" if open_ and not running else "Démarrer")
        self.pause_button.setEnabled(running)
        self.end_button.setEnabled(open_)
        self.scan.setEnabled(open_)

    def _reader_status(self, status: str, message: str) -> None:
        self.reader_status.setText(message)
        warn = status in (SessionStatus.READER_MISSING, SessionStatus.SERVICE_DOWN)
        self.reader_status.setStyleSheet("color: #a33a00; font-weight: bold;" if warn else "")

    # -- results -----------------------------------------------------------------------
    def show_result(self, result: CardResult) -> None:
        self.model.add(result)
        self._paint(result)
        self._show_counts()
        self._show_next()
        self.chime.play(result.outcome)

    def _paint(self, result: CardResult | None) -> None:
        colour, background = OUTCOME_COLOURS[result.outcome] if result else IDLE_COLOURS
        self.panel.setStyleSheet(
            f"QFrame#encodingPanel {{ background: {background}; border: 2px solid {colour};"
            " border-radius: 8px; }"
        )
        self.outcome.setStyleSheet(f"font-size: 44px; font-weight: bold; color: {colour};")
        self.detail.setStyleSheet(f"font-size: 20px; color: {colour};")
        self.reason.setStyleSheet(f"font-size: 16px; color: {colour};")
        self.panel.setProperty("outcome", result.outcome.value if result else "")
        if result is None:
            self.outcome.setText("Posez une carte")
            self.detail.setText("Réglez la session puis Démarrer.")
            self.reason.setText("")
            return
        chip = CHIP_LABELS[result.chip] if result.chip else "puce ?"
        self.outcome.setText(f"{OUTCOME_LABELS[result.outcome]}  {result.number or ''}".strip())
        self.detail.setText(f"UID {result.uid or '?'} · {chip}")
        self.reason.setText(sentence(result.reason))

    def _show_counts(self) -> None:
        stats = self.station.stats or SessionStats()
        self.count.setText(f"{stats.done} carte(s)")
        self.count.setStyleSheet("font-size: 30px; font-weight: bold; color: #1f2a36;")
        self.rate.setText(per_minute(stats.rate_per_minute()))
        self.rate.setStyleSheet("font-size: 18px; color: #1f2a36;")
        self.breakdown.setText(breakdown(stats))


def _load_batches(db: Database) -> list[str]:
    with db.session() as session:
        return card_choices(session).batches

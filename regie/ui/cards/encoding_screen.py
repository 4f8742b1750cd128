"""The encoding station: lay cards on the reader one after the other; each is paired with its
printed number, written, read back and protected, and the result shows in large type, in
its colour, with its sound, readable from a step away."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.cards.encoding import CardResult, EncodingOptions, SessionStats
from regie.cards.overview import card_choices
from regie.db import Database
from regie.devices.lease import LeaseStatus
from regie.devices.manager import DeviceManager
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.devices.simulated import reader_name
from regie.i18n import N_, _, ngettext
from regie.ui.cards.chime import Chime
from regie.ui.cards.encoding_station import Station
from regie.ui.cards.result_panel import ResultPanel, breakdown, per_minute
from regie.ui.cards.results_model import EncodingResultsModel
from regie.ui.cards.words import caption
from regie.ui.device_choice import CARD_READER, saved_device
from regie.ui.inventory.messages import attempt, show_info
from regie.ui.inventory.scan_field import ScanField
from regie.ui.inventory.table_models import make_table

COLUMN_WIDTHS = (72, 115, 88, 132, 82, 135, 48, 45)  # the reason takes the rest
FIRST_READER = N_("Le premier lecteur trouvé")
NO_BATCH = N_("(aucun : scanner le numéro de chaque carte)")


class EncodingScreen(QWidget):
    changed = Signal()  # a card was paired or encoded: the batches' counts are stale

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.devices = devices
        self.station = Station(db, devices, self)
        self.chime = Chime(self)
        self.model = EncodingResultsModel(self)
        station = self.station
        self.destroyed.connect(lambda *_: station.pause())  # never leave a reader thread behind

        self.reader = QComboBox()
        self.reader.setObjectName("encodingReader")
        self.reader.setMinimumWidth(220)
        refresh = QPushButton(_("Actualiser"))
        refresh.clicked.connect(self.list_readers)
        self.write_url = QCheckBox(_("Écr&ire l'URL"))
        self.write_url.setObjectName("encodingWriteUrl")
        self.write_url.setChecked(True)
        self.protect = QCheckBox(_("Protéger par mot de &passe"))
        self.protect.setObjectName("encodingProtect")
        self.protect.setChecked(True)
        self.sound = QCheckBox(_("S&on"))
        self.sound.setObjectName("encodingSound")
        self.sound.setChecked(True)
        self.sound.toggled.connect(lambda on: setattr(self.chime, "enabled", on))
        self.batch = QComboBox()
        self.batch.setObjectName("encodingBatch")
        self.batch.setMinimumWidth(260)
        self.first = QLineEdit()
        self.first.setObjectName("encodingFirst")
        self.first.setPlaceholderText(_("la première libre"))
        self.first.setMaximumWidth(160)
        self.scan = ScanField(_("numéro imprimé ou QR code, puis Entrée"))
        self.scan.setObjectName("encodingScan")
        self.next_label = QLabel("")
        self.next_label.setObjectName("encodingNext")
        self.start_button = QPushButton(_("Démarrer"))
        self.start_button.setObjectName("encodingStart")
        self.pause_button = QPushButton(_("Pause"))
        self.pause_button.setObjectName("encodingPause")
        self.end_button = QPushButton(_("&Terminer la session"))
        self.end_button.setObjectName("encodingEnd")
        self.reader_status = QLabel(_("Session arrêtée."))
        self.reader_status.setObjectName("encodingReaderStatus")

        settings = QGridLayout()
        settings.addWidget(caption(_("Lecteur :"), self.reader), 0, 0)
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.reader)
        reader_row.addWidget(refresh)
        for box in (self.write_url, self.protect, self.sound):
            reader_row.addSpacing(12)
            reader_row.addWidget(box)
        reader_row.addStretch(1)
        settings.addLayout(reader_row, 0, 1)
        settings.addWidget(caption(_("&Numéros du lot :"), self.batch), 1, 0)
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch)
        batch_row.addWidget(caption(_("à partir du n° :"), self.first))
        batch_row.addWidget(self.first)
        batch_row.addStretch(1)
        settings.addLayout(batch_row, 1, 1)
        settings.addWidget(caption(_("S&canner :"), self.scan), 2, 0)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.next_label, 1)
        settings.addLayout(scan_row, 2, 1)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.end_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.reader_status, 1)

        self.panel = ResultPanel()
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
        self._picked = False  # a reader picked by hand wins over the saved one
        self.reader.activated.connect(self._reader_picked)
        self.list_readers()
        self.refresh()
        self._enable()

    # -- choices -----------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._picked and self.reader.isEnabled():  # now inside the window: its settings
            self.list_readers()

    def list_readers(self) -> None:
        """The readers the device manager knows now (PC/SC and simulated); the one picked by
        hand, else the one saved in the preferences when it is plugged in, else the first."""
        chosen = self.reader.currentData() if self._picked else saved_device(self, CARD_READER)
        self.reader.clear()
        self.reader.addItem(_(FIRST_READER), None)
        for name in self.devices.reader_names():
            self.reader.addItem(reader_name(name), name)
        index = self.reader.findData(chosen) if chosen else -1
        self.reader.setCurrentIndex(max(index, 0))

    def _reader_picked(self, _index: int) -> None:
        self._picked = True

    def _device_event(self, event: ReaderEvent) -> None:
        if event.kind in (ReaderEventKind.READER_ADDED, ReaderEventKind.READER_REMOVED):
            self.list_readers()

    def refresh(self) -> None:
        chosen = self.batch.currentText()
        choices = attempt(self, lambda: _load_batches(self.db))
        if choices is None:
            return
        self.batch.clear()
        self.batch.addItem(_(NO_BATCH), None)
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
            self.panel.show_result(None, self.station.stats)
        # Before the start: a reader already there answers at once, on this thread.
        self.reader_status.setText(_("Recherche du lecteur…"))
        self.station.start(self.reader.currentData())
        self._show_next()
        self._enable()
        self.scan.setFocus()

    def pause(self) -> None:
        self.station.pause()
        self.reader_status.setText(_("En pause : le lecteur est libre."))
        self._enable()

    def end(self) -> SessionStats | None:
        stats = self.station.end()
        self.reader_status.setText(_("Session arrêtée."))
        self.next_label.setText("")
        self._enable()
        if stats is not None and stats.total:
            show_info(
                self,
                _("Session d'encodage terminée"),
                _("{done} et {failed}, à {per_minute}.").format(
                    done=ngettext("{n} carte prête", "{n} cartes prêtes", stats.done).format(
                        n=stats.done
                    ),
                    failed=ngettext("{n} échec", "{n} échecs", stats.failed).format(n=stats.failed),
                    per_minute=per_minute(stats.rate_per_minute()),
                ),
                breakdown(stats),
            )
        return stats

    def scanned(self, text: str) -> None:
        if not self.station.open:
            self.next_label.setText(_("Démarrez la session d'abord."))
            return
        number = attempt(self, lambda: self.station.expect(text))
        if number is not None:
            self.next_label.setText(_("Carte suivante : {number} (scannée)").format(number=number))

    def _show_next(self) -> None:
        number = attempt(self, self.station.next_number)
        if number:
            self.next_label.setText(_("Carte suivante : {number}").format(number=number))
        elif self.batch.currentData() is None:
            self.next_label.setText(_("Scannez le numéro de la carte, puis posez-la."))
        else:
            self.next_label.setText(_("Plus de carte à associer dans ce lot."))

    def _enable(self) -> None:
        open_, running = self.station.open, self.station.running
        for widget in (self.write_url, self.protect, self.batch, self.first):
            widget.setEnabled(not open_)
        self.reader.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.start_button.setText(_("Reprendre") if open_ and not running else _("Démarrer"))
        self.pause_button.setEnabled(running)
        self.end_button.setEnabled(open_)
        self.scan.setEnabled(open_)

    def _reader_status(self, status: str, message: str) -> None:
        self.reader_status.setText(message)
        warn = status in (LeaseStatus.READER_MISSING, LeaseStatus.SERVICE_DOWN)
        self.reader_status.setStyleSheet("color: #a33a00; font-weight: bold;" if warn else "")

    # -- results -----------------------------------------------------------------------
    def show_result(self, result: CardResult) -> None:
        self.model.add(result)
        self.panel.show_result(result, self.station.stats)
        self._show_next()
        self.chime.play(result.outcome)
        self.changed.emit()


def _load_batches(db: Database) -> list[str]:
    with db.session() as session:
        return card_choices(session).batches

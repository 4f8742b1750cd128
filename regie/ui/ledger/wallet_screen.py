"""A card's wallet: lay the card on the reader (or type its UID) → its balance per asset and
its transfers, the latest first; the desk's buttons (top-up, refund, correction) under it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from regie.cards.lookup import wallet_uid
from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.devices.readers import ReaderEvent, ReaderEventKind
from regie.i18n import _
from regie.ledger.browse import JournalFilter, filter_choices
from regie.ledger.desk import balances_of
from regie.ledger.labels import amount
from regie.ui.inventory.messages import attempt
from regie.ui.ledger.desk_bar import DeskBar
from regie.ui.ledger.desk_dialogs import Outcome
from regie.ui.ledger.journal_model import JournalModel
from regie.ui.ledger.journal_screen import size_journal_columns
from regie.ui.notices import emit

TILE = (
    "background: #f3f5f7; border: 1px solid #d5dbe1; "  # i18n: not shown
    "border-radius: 6px; padding: 8px 14px;"
)


class WalletScreen(QWidget):
    changed = Signal()  # the desk wrote on a card: the other ledger screens read again

    def __init__(self, db: Database, devices: DeviceManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.uid = ""
        self.balances: dict[str, int] = {}
        self.uid_field = QLineEdit()
        self.uid_field.setObjectName("walletUid")
        self.uid_field.setPlaceholderText(_("numéro imprimé ou UID"))
        self.uid_field.setClearButtonEnabled(True)
        self.uid_field.setMinimumWidth(240)
        show = QPushButton(_("Affi&cher"))
        show.setObjectName("walletShow")
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Posez une carte sur le lecteur, ou tapez son numéro :")))
        top.addWidget(self.uid_field)
        top.addWidget(show)
        top.addStretch(1)

        self.heading = QLabel(_("Aucune carte"))
        self.heading.setObjectName("walletHeading")
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold; color: #1f2a36;")
        self.desk = DeskBar(db)
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.heading)
        heading_row.addStretch(1)
        heading_row.addWidget(self.desk)
        self.tiles = QHBoxLayout()
        self.tiles.setSpacing(12)
        tiles_row = QHBoxLayout()
        tiles_row.addLayout(self.tiles)
        tiles_row.addStretch(1)
        self.history_title = QLabel("")
        self.history_title.setObjectName("walletHistoryTitle")
        self.history_title.setStyleSheet("font-weight: bold; margin-top: 8px;")

        self.model = JournalModel(db, parent=self)
        self.model.set_newest_first(True)
        self.table = QTableView()
        self.table.setObjectName("walletTransfers")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        size_journal_columns(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addLayout(heading_row)
        layout.addLayout(tiles_row)
        layout.addWidget(self.history_title)
        layout.addWidget(self.table, 1)

        self._asset_names: dict[str, str] = {}
        show.clicked.connect(self.show_typed)
        self.uid_field.returnPressed.connect(self.show_typed)
        self.model.ready.connect(self._history_counted)
        self.desk.operated.connect(self._operated)
        unsubscribe = devices.subscribe(self._reader_event)
        self.destroyed.connect(lambda *_: unsubscribe())
        self.show_card("")

    def _reader_event(self, event: ReaderEvent) -> None:
        # Only on screen: the same reader encodes cards and audits stickers elsewhere.
        if (
            isValid(self)
            and event.kind is ReaderEventKind.CARD_INSERTED
            and event.uid
            and self.isVisible()
        ):
            self.uid_field.setText(event.uid.hex().upper())
            self.show_card(event.uid.hex().upper())

    def show_typed(self) -> None:
        typed = self.uid_field.text().strip()
        uid = self._chip_of(typed)
        if uid:  # a printed number or a QR address: the chip's UID instead
            self.uid_field.setText(uid)
        self.show_card(uid or "".join(typed.split()).upper())

    def _chip_of(self, typed: str) -> str:
        """The chip UID of a card of ours by number, UID or QR address; "" for any other."""
        if not typed:
            return ""
        try:
            with self.db.session() as session:
                return wallet_uid(session, typed)
        except Exception:  # an unknown card is shown empty; a database error when read
            return ""

    def refresh(self) -> None:
        self.show_card(self.uid)

    def show_card(self, uid: str) -> None:
        self.uid = uid
        if not uid:
            self.heading.setText(_("Aucune carte"))
            self._show_balances({})
            self.history_title.setText("")
            self.model.set_filter(JournalFilter(card="-"))  # no card: nothing to list
            self.desk.set_card("", {})
            return

        def load() -> dict[str, int]:
            with self.db.session() as session:
                if not self._asset_names:
                    self._asset_names = dict(filter_choices(session).assets)
                return balances_of(session, uid)

        found = attempt(self, load)
        if found is None:
            return
        self.heading.setText(_("Carte {uid}").format(uid=uid))
        self._show_balances(found)
        self.model.set_filter(JournalFilter(card=uid))
        self.desk.set_card(uid, found)

    def _operated(self, outcome: Outcome) -> None:
        # The chip's UID, should the card have been typed by its printed number.
        self.uid_field.setText(outcome.uid)
        self.show_card(outcome.uid)
        emit(self.changed)

    def _show_balances(self, balances: dict[str, int]) -> None:
        self.balances = balances
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        if not self.uid:
            return
        if not balances:
            empty = QLabel(_("Aucun solde sur cette carte."))
            empty.setObjectName("walletEmpty")
            empty.setStyleSheet("color: #5b6b7a; font-size: 15px;")
            self.tiles.addWidget(empty)
            return
        for code, cents in balances.items():
            caption = f"{self._asset_names.get(code, code)} ({code})"
            tile = QLabel(
                f"<span style='color:#5b6b7a'>{caption}</span><br>"  # i18n: not shown
                f"<span style='font-size:22px; font-weight:bold'>{amount(cents, code)}</span>"
            )
            tile.setObjectName(f"walletBalance-{code}")
            tile.setFrameShape(QFrame.Shape.NoFrame)
            tile.setStyleSheet(TILE)
            self.tiles.addWidget(tile)

    def _history_counted(self) -> None:
        if not self.uid:
            return
        total = self.model.total
        self.history_title.setText(
            _("Ses opérations, les plus récentes en haut ({count})").format(count=total)
            if total
            else _("Aucune opération enregistrée pour cette carte.")
        )

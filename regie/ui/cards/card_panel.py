"""Everything about one card at a glance: number, state, batch, owner, the prestation it is lent
to, staff rights, its balances per asset (the ledger's), its history and its transfers."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from regie.cards.models import event_label, state_label
from regie.cards.monitor import CardInfo, HistoryLine
from regie.cards.reasons import shown
from regie.db import Database
from regie.i18n import N_, _, format_datetime
from regie.ledger.browse import JournalFilter
from regie.ledger.labels import amount
from regie.ui.cards.tones import STATE_COLOURS, badge_style
from regie.ui.cards.words import yes_no
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.ledger.journal_model import JournalModel
from regie.ui.ledger.journal_screen import size_journal_columns

HEADING_STYLE = "font-size: 26px; font-weight: bold; color: #1f2a36;"
MESSAGE_STYLE = "font-size: 18px; color: #33414f; margin: 12px 0;"
TILE = "background: #f3f5f7; border: 1px solid #d5dbe1; border-radius: 6px; padding: 6px 14px;"
HISTORY: list[Column[HistoryLine]] = [
    Column(N_("Date"), lambda h: format_datetime(h.at)),
    Column(N_("Quoi"), lambda h: event_label(h.kind)),
    Column(
        N_("État"), lambda h: f"{state_label(h.before)} → {state_label(h.after)}" if h.after else ""
    ),
    Column(N_("Par"), lambda h: h.who),
    Column(N_("Pourquoi"), lambda h: shown(h.why)),
]


@dataclass(frozen=True)
class Shown:
    """What the monitor read for one tap or one typed reference."""

    ref: str
    info: CardInfo | None  # None: no card of Régie has this number or UID
    staff_verdict: str = ""  # "valide", or why a terminal refuses the staff card
    chip_balances: dict[str, int] | None = None  # for a chip Régie does not know
    message: str = ""  # why nothing is shown


class CardPanel(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown: Shown | None = None
        self.balances: dict[str, str] = {}  # per asset code, as shown
        self.heading = QLabel("")
        self.heading.setObjectName("monitorHeading")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel("")
        self.state.setObjectName("monitorState")
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.state)
        top.addStretch(1)

        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        for key, label in (
            ("uid", "UID"),
            ("chip", _("Puce")),
            ("url", _("Adresse")),
            ("batch", _("Lot de cartes")),
            ("lent", _("Prêtée pour")),
            ("staff", _("Carte staff")),
            ("replacement", _("Remplacement")),
        ):
            value = QLabel("")
            value.setObjectName(f"monitor-{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(_("{label} :").format(label=label), value)
        self.balance_title = QLabel(_("Soldes"))
        self.balance_title.setStyleSheet("font-weight: bold;")
        self.tiles = QVBoxLayout()
        self.tiles.setSpacing(8)
        money = QVBoxLayout()
        money.addWidget(self.balance_title)
        money.addLayout(self.tiles)
        money.addStretch(1)
        self.details = QWidget()
        self.details.setObjectName("monitorDetails")
        form_box = QWidget()
        form_box.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        self.money = QWidget()
        self.money.setLayout(money)
        self.money.setMaximumWidth(320)
        money.setContentsMargins(0, 0, 0, 0)
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.addWidget(form_box, 3)
        middle.addSpacing(24)
        middle.addWidget(self.money, 1)
        middle.addStretch(0)

        self.history: RowsModel[HistoryLine] = RowsModel(HISTORY, parent=self)
        self.history_table = make_table("monitorHistory", self.history)
        self.transfers = JournalModel(db, parent=self)
        self.transfers.set_newest_first(True)
        self.transfer_table = QTableView()
        self.transfer_table.setObjectName("monitorTransfers")
        self.transfer_table.setModel(self.transfers)
        self.transfer_table.verticalHeader().hide()
        self.transfer_table.setAlternatingRowColors(True)
        size_journal_columns(self.transfer_table)
        header = self.transfer_table.horizontalHeader()
        for column in (5, 6):  # debit, credit: "Carte 04…" whole, the card's UID is the point
            header.resizeSection(column, 170)
        for column in (0, 9):  # the transfer's number; the point of sale, said by the account
            self.transfer_table.setColumnHidden(column, True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("monitorTabs")
        self.tabs.addTab(self.history_table, _("Historique de la carte"))
        self.tabs.addTab(self.transfer_table, _("Opérations du grand livre"))
        self.transfers.ready.connect(self._transfers_counted)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(middle)
        layout.addWidget(self.tabs, 1)
        self.form_box = form_box
        self.show_card(None)

    def show_card(self, shown: Shown | None) -> None:
        self.shown = shown
        info = shown.info if shown else None
        for field in self.fields.values():
            field.setText("")
        self.state.setText("")
        self.state.setStyleSheet("")
        self.form_box.setVisible(info is not None)
        if shown is None or info is None:
            # Nothing, or a chip Régie does not know: what the ledger holds for it, if anything.
            balances = shown.chip_balances if shown else None
            self.heading.setText(
                shown.message if shown else _("Aucune carte : posez-en une sur le lecteur.")
            )
            self.heading.setStyleSheet(MESSAGE_STYLE)
            self.history.set_rows([])
            self._show_balances(balances)
            self.money.setVisible(balances is not None)
            self.tabs.setVisible(balances is not None)
            self.tabs.setTabEnabled(0, False)
            self.tabs.setCurrentIndex(1)
            self._show_transfers(shown.ref if shown and balances is not None else "")
            return
        self.money.setVisible(True)
        self.tabs.setVisible(True)
        if not self.tabs.isTabEnabled(0):  # after an unknown chip: back to the history
            self.tabs.setTabEnabled(0, True)
            self.tabs.setCurrentIndex(0)
        self.heading.setText(_("Carte {number}").format(number=info.number))
        self.heading.setStyleSheet(HEADING_STYLE)
        self.state.setText(_(info.state_label).upper())
        self.state.setStyleSheet(badge_style(STATE_COLOURS[info.state]))
        uid = info.uid or (
            _("{tag_id} (4 premiers octets)").format(tag_id=info.tag_id)
            if info.tag_id
            else _("pas de puce")
        )
        self.fields["uid"].setText(uid)
        chip = _("modèle inconnu") if info.chip == "?" else info.chip
        self.fields["chip"].setText(
            _("{chip}, {encoding} — adresse écrite : {written}, protégée : {protected}").format(
                chip=chip,
                encoding=_(info.encoding_label),
                written=yes_no(info.url_written),
                protected=yes_no(info.protected),
            )
        )
        self.fields["url"].setText(info.url)
        lot = _(", lot d'inventaire {lot}").format(lot=info.lot) if info.lot else ""
        self.fields["batch"].setText(f"{info.batch} — {info.owner}{lot}")
        self.fields["lent"].setText(", ".join(info.lent_to) or "—")
        self.fields["staff"].setText(self._staff(shown))
        replacement = []
        if info.replaced_by:
            replacement.append(_("remplacée par la carte {number}").format(number=info.replaced_by))
        if info.replaces:
            replacement.append(_("remplace la carte {number}").format(number=info.replaces))
        self.fields["replacement"].setText(", ".join(replacement) or "—")
        self.history.set_rows(info.history)
        self.tabs.setTabText(
            0, _("Historique de la carte ({count})").format(count=len(info.history))
        )
        if not info.history:  # nothing done at the office yet: what the terminals did
            self.tabs.setCurrentIndex(1)
        self._show_balances(info.balances)
        self._show_transfers(info.uid or "")

    def _staff(self, shown: Shown) -> str:
        staff = shown.info.staff if shown.info else None
        if staff is None:
            return _("non")
        places = (
            _("tous les points de vente")
            if "*" in staff.points_of_sale
            else ", ".join(staff.points_of_sale)
        )
        manager = _(", mode gérant") if staff.manager else ""
        until = (
            _(", jusqu'au {moment}").format(moment=format_datetime(staff.expires_at))
            if staff.expires_at
            else ""
        )
        return f"{staff.person} — {places}{manager}{until} ({shown.staff_verdict})"

    def _show_balances(self, balances: dict[str, int] | None) -> None:
        self.balances = {code: amount(cents, code) for code, cents in (balances or {}).items()}
        while self.tiles.count():
            item = self.tiles.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if balances is None:
            self.balance_title.setText(_("Soldes : pas de puce associée") if self.shown else "")
            return
        self.balance_title.setText(_("Soldes (grand livre)"))
        if not balances:
            empty = QLabel(_("Aucun solde sur cette carte."))
            empty.setObjectName("monitorNoBalance")
            empty.setStyleSheet("color: #5b6b7a;")
            self.tiles.addWidget(empty)
            return
        for code, cents in balances.items():
            tile = QLabel(
                f"<span style='color:#5b6b7a'>{code}</span><br>"
                f"<span style='font-size:22px; font-weight:bold'>{amount(cents, code)}</span>"
            )
            tile.setObjectName(f"monitorBalance-{code}")
            tile.setStyleSheet(TILE)
            self.tiles.addWidget(tile)

    def _show_transfers(self, uid: str) -> None:
        self.tabs.setTabText(1, _("Opérations du grand livre"))
        self.transfers.set_filter(JournalFilter(card=uid or "-"))  # "-": no card, no row

    def _transfers_counted(self) -> None:
        self.tabs.setTabText(
            1, _("Opérations du grand livre ({total})").format(total=self.transfers.total)
        )

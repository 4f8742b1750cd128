"""Rapprochement: Stripe against the ledger for a prestation's dates, and the mismatches to
settle by a ledger entry, one by one or all the automatic ones at once, each confirmed."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, ngettext
from regie.settlement.events import window_of
from regie.settlement.reconcile import KINDS, Mismatch, Reconciliation, reconcile
from regie.settlement.resolve import AUTOMATIC, Resolved, resolve, resolve_all
from regie.settlement.stripe_sync import last_sync
from regie.ui.inventory.messages import confirm, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.settlement.screen import Screen, say, single_row, status_line
from regie.ui.settlement.words import ORIGINS, capitalised, euros, moment, stamp
from regie.ui.tasks import Task


def proposal(m: Mismatch) -> str:
    """The ledger entry that settles it, or what the office must do."""
    if m.resolution:
        return m.resolution
    if m.kind == "missing_in_ledger":
        return _("recharge de {amount} sur la carte à indiquer ci-dessous").format(
            amount=euros(m.stripe_cents)
        )
    return _("à régler chez Stripe, puis resynchroniser")


COLUMNS: list[Column[Mismatch]] = [
    Column(N_("Écart"), lambda m: capitalised(m.label)),
    Column(N_("Référence"), lambda m: m.reference),
    Column(N_("Carte"), lambda m: m.card or "—"),
    Column(N_("Stripe"), lambda m: euros(m.stripe_cents), numeric=True),
    Column(N_("Grand livre"), lambda m: euros(m.ledger_cents), numeric=True),
    Column(N_("Date"), lambda m: stamp(m.at)),
    Column(N_("Écriture proposée"), proposal),
]


@dataclass(frozen=True)
class Reading:
    found: Reconciliation
    last: str  # when Stripe was last read, in words


class ReconcileScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.found: Reconciliation | None = None
        self.limited = QCheckBox(
            _("Seulement les dates de la prestation (60 jours avant, 45 après)")
        )
        self.limited.setObjectName("reconcileLimited")
        self.limited.setChecked(True)
        self.refresh_button = QPushButton(_("Actualise&r"))
        self.refresh_button.setObjectName("reconcileRefresh")
        top = QHBoxLayout()
        top.addWidget(self.limited)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        self.synced = status_line("reconcileSynced")
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        for index, (name, title) in enumerate(
            (
                ("matched", _("Recharges rapprochées :")),
                ("topups", _("Recharges payées par carte :")),
                ("fees", _("Frais Stripe :")),
                ("payouts", _("Virements Stripe :")),
                ("refunds", _("Remboursements Stripe :")),
            )
        ):
            value = QLabel("—")
            value.setObjectName(f"reconcile-{name}")
            grid.addWidget(QLabel(title), index // 2, (index % 2) * 2)
            grid.addWidget(value, index // 2, (index % 2) * 2 + 1)
            self.figures[name] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.verdict = status_line("reconcileVerdict")
        self.model: RowsModel[Mismatch] = RowsModel(COLUMNS, parent=self)
        self.table = single_row(make_table("mismatchTable", self.model, stretch=6))
        self.table.selectionModel().selectionChanged.connect(self.settle_controls)
        self.card = QLineEdit()
        self.card.setObjectName("resolveCard")
        self.card.setPlaceholderText(_("Carte (UID) quand Stripe ne la nomme pas"))
        self.resolve_button = QPushButton(_("Régler l'é&cart…"))
        self.resolve_button.setObjectName("resolveOne")
        self.resolve_all_button = QPushButton(_("Tout rég&ler…"))
        self.resolve_all_button.setObjectName("resolveAll")
        actions = QHBoxLayout()
        actions.addWidget(self.card, 1)
        actions.addWidget(self.resolve_button)
        actions.addStretch(1)
        actions.addWidget(self.resolve_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.synced)
        layout.addLayout(grid)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the room while there is no mismatch to list
        layout.addLayout(actions)
        self.refresh_button.clicked.connect(self.refresh)
        self.limited.toggled.connect(self.refresh)
        self.resolve_button.clicked.connect(self.ask_resolve)
        self.resolve_all_button.clicked.connect(self.ask_resolve_all)
        self.settle_controls()

    def controls(self) -> list[QWidget]:
        return [self.refresh_button, self.limited, self.resolve_button, self.resolve_all_button]

    def settle_controls(self) -> None:
        if self.busy:
            return
        self.limited.setEnabled(bool(self.prestation))
        chosen = self.selected()
        self.resolve_button.setEnabled(chosen is not None)
        self.card.setEnabled(chosen is not None and not chosen.card)
        mismatches = self.found.mismatches if self.found else []
        self.resolve_all_button.setEnabled(any(m.kind in AUTOMATIC for m in mismatches))

    def event_window(self) -> str | None:
        return self.prestation if self.prestation and self.limited.isChecked() else None

    # -- reading -----------------------------------------------------------------------
    def refresh(self) -> None:
        db, event = self.db, self.event_window()

        def read(_task: Task) -> Reading:
            with db.session() as session:
                found = reconcile(session, window_of(session, event))
            last = last_sync(db)
            when = f"{moment(last[1])} ({_(ORIGINS.get(last[0], last[0]))})" if last else ""
            return Reading(found, when)

        say(self.verdict, _("Rapprochement en cours…"))
        self.run("reconcile", read, self._shown)

    def _shown(self, reading: Reading) -> None:
        found = self.found = reading.found
        if reading.last:
            say(self.synced, _("Stripe lu le {when}.").format(when=reading.last), bold=False)
        else:
            say(
                self.synced,
                _(
                    "Rien de Stripe pour l'instant : synchronisez depuis Stripe ou "
                    "importez un rapport de virements (onglet Stripe)."
                ),
                "warn",
            )
        self.figures["matched"].setText(f"{found.matched} ({euros(found.matched_cents)})")
        self.figures["topups"].setText(
            _("Stripe {stripe} · grand livre {ledger}").format(
                stripe=euros(found.stripe_topups_cents), ledger=euros(found.ledger_topups_cents)
            )
        )
        self.figures["fees"].setText(
            _("{amount} (comptabilisés {booked})").format(
                amount=euros(found.fees_cents), booked=euros(found.fees_booked_cents)
            )
        )
        self.figures["payouts"].setText(
            _("{amount} (en banque {booked})").format(
                amount=euros(found.payouts_cents), booked=euros(found.payouts_booked_cents)
            )
        )
        self.figures["refunds"].setText(euros(found.refunds_cents))
        self.model.set_rows(found.mismatches)
        self.table.setVisible(bool(found.mismatches))
        if not found.synced:
            say(self.verdict, _("Rien à rapprocher tant que Stripe n'a pas été lu."), "warn")
        elif found.mismatches:
            kinds = " ; ".join(
                f"{_(KINDS[kind])} : {count}" for kind, count in found.by_kind().items()
            )
            say(
                self.verdict,
                ngettext(
                    "{count} écart à régler : {kinds}.",
                    "{count} écarts à régler : {kinds}.",
                    len(found.mismatches),
                ).format(count=len(found.mismatches), kinds=kinds),
                "warn",
            )
        else:
            say(self.verdict, _("Aucun écart : Stripe et le grand livre concordent."), "ok")
        self.settle_controls()

    def selected(self) -> Mismatch | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # -- settling ----------------------------------------------------------------------
    def ask_resolve(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        card = self.card.text().strip().upper()
        what = proposal(chosen)
        if chosen.kind == "missing_in_ledger" and not chosen.card:
            what = _("recharge de {amount} sur la carte {card}").format(
                amount=euros(chosen.stripe_cents), card=card or "?"
            )
        confirm(
            self,
            _("Régler un écart"),
            _("{mismatch} ({reference}).\n\nÉcriture passée au grand livre : {entry}.").format(
                mismatch=chosen.label, reference=chosen.reference, entry=what
            ),
            _("&Passer l'écriture"),
            lambda: self.resolve(chosen.key, card),
        )

    def resolve(self, key: str, card: str = "") -> None:
        db, event = self.db, self.event_window()

        def work(_task: Task) -> str:
            with db.session() as session:
                resolve(session, key, card=card, window=window_of(session, event))
            return key

        say(self.verdict, _("Écriture en cours…"))
        self.run("resolve", work, self._resolved)

    def _resolved(self, _key: str) -> None:
        self.card.clear()
        self.changed.emit()
        self.refresh()

    def ask_resolve_all(self) -> None:
        todo = [m for m in (self.found.mismatches if self.found else []) if m.kind in AUTOMATIC]
        if not todo:
            return
        confirm(
            self,
            _("Tout régler"),
            ngettext(
                "Passer {count} écriture au grand livre : frais, virements, recharges et "
                "remboursements manquants ? Les autres écarts (montants différents, recharges "
                "inconnues de Stripe) se règlent un par un.",
                "Passer {count} écritures au grand livre : frais, virements, recharges et "
                "remboursements manquants ? Les autres écarts (montants différents, recharges "
                "inconnues de Stripe) se règlent un par un.",
                len(todo),
            ).format(count=len(todo)),
            _("&Tout régler"),
            self.resolve_all,
        )

    def resolve_all(self) -> None:
        db, event = self.db, self.event_window()

        def work(_task: Task) -> Resolved:
            with db.session() as session:
                return resolve_all(session, window=window_of(session, event))

        say(self.verdict, _("Écritures en cours…"))
        self.run("resolve-all", work, self._resolved_all)

    def _resolved_all(self, done: Resolved) -> None:
        if done.failed:
            reasons = "\n".join(f"• {why}" for _key, why in done.failed[:10])
            show_info(
                self,
                _("Écarts réglés en partie"),
                _("{posted} ; {failed} :").format(
                    posted=ngettext(
                        "{n} écriture passée", "{n} écritures passées", done.posted
                    ).format(n=done.posted),
                    failed=ngettext(
                        "{n} écart non réglé", "{n} écarts non réglés", len(done.failed)
                    ).format(n=len(done.failed)),
                ),
                reasons,
            )
        self.changed.emit()
        self.refresh()

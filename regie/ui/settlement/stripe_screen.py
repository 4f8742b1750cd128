"""Stripe: the secret key (in the system keyring, never in the database), the synchronisation
from Stripe's API with a progress bar and a cancel, and the offline path, Stripe's itemized
payout report (CSV)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, ngettext
from regie.people.roles import Permission
from regie.settlement import counts
from regie.settlement.stripe_report import ReportResult, import_report
from regie.settlement.stripe_sync import SyncResult, last_sync, sync_stripe
from regie.stripe_key import (
    KeyringUnavailable,
    clear_stripe_secret_key,
    masked,
    require_stripe_key,
    set_stripe_secret_key,
    stripe_secret_key,
)
from regie.ui.forms.file_dialogs import open_path
from regie.ui.inventory.messages import confirm
from regie.ui.permissions import behind, guard
from regie.ui.settlement.screen import Screen, failure_text, say, status_line
from regie.ui.settlement.words import ORIGINS, euros, moment
from regie.ui.tasks import Task

# The lists sync_stripe reads, in its order; the progress bar moves one step per list.
STEPS = ("payment_intents", "charges", "refunds", "balance_transactions", "payouts")
STEP_WORDS = (
    N_("Lecture des paiements : {count}"),
    N_("Lecture des débits : {count}"),
    N_("Lecture des remboursements : {count}"),
    N_("Lecture des mouvements du solde : {count}"),
    N_("Lecture des virements : {count}"),
)


def key_status() -> tuple[str, str]:
    """(text, tone) saying whether a key is there; reads the keyring (in a worker)."""
    try:
        key = stripe_secret_key()
    except KeyringUnavailable as error:
        text = _("La clé Stripe ne peut pas être lue : {reason}.")
        return text.format(reason=error), "error"
    except Exception as error:  # a keyring backend failing its own way: still say it
        return _("Trousseau de clés illisible : {reason}").format(
            reason=failure_text(error)
        ), "error"
    if not key:
        return (
            _(
                "Aucune clé Stripe enregistrée : ni synchronisation par Internet ni remboursement "
                "(le rapport CSV s'importe sans clé). Collez la clé secrète ci-dessous : elle va "
                "dans le trousseau du système, jamais dans la base."
            ),
            "error",
        )
    return _("Clé enregistrée : {key} (dans le trousseau du système).").format(
        key=masked(key)
    ), "ok"


class StripeScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.has_key = False
        key_box = QGroupBox(_("Clé secrète Stripe"))
        self.key_status = status_line("stripeKeyStatus")
        self.key_field = QLineEdit()
        self.key_field.setObjectName("stripeKeyField")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText(_("sk_live_… ou rk_live_… (clé restreinte)"))
        self.key_save = QPushButton(_("&Enregistrer la clé"))
        self.key_save.setObjectName("stripeKeySave")
        self.key_clear = QPushButton(_("Oublie&r la clé…"))
        self.key_clear.setObjectName("stripeKeyClear")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.key_save)
        key_row.addWidget(self.key_clear)
        key_layout = QVBoxLayout(key_box)
        key_layout.addWidget(self.key_status)
        key_layout.addLayout(key_row)

        sync_box = QGroupBox(_("Synchroniser depuis Stripe"))
        explain = QLabel(
            _(
                "Lit les paiements, débits, remboursements, mouvements du solde et virements, "
                "puis enregistre tout d'un coup : une synchronisation annulée n'enregistre rien."
            )
        )
        explain.setWordWrap(True)
        self.sync_button = QPushButton(_("S&ynchroniser"))
        self.sync_button.setObjectName("stripeSync")
        self.cancel_button = QPushButton(_("Annu&ler la synchronisation"))
        self.cancel_button.setObjectName("stripeSyncCancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("stripeSyncProgress")
        self.progress.setRange(0, len(STEPS) + 1)
        self.progress.setFormat("")
        self.progress.hide()  # until a synchronisation runs
        sync_row = QHBoxLayout()
        sync_row.addWidget(self.sync_button)
        sync_row.addWidget(self.progress, 1)
        sync_row.addStretch(0)  # takes the room while the bar is hidden
        sync_row.addWidget(self.cancel_button)
        self.sync_status = status_line("stripeSyncStatus")
        sync_layout = QVBoxLayout(sync_box)
        sync_layout.addWidget(explain)
        sync_layout.addLayout(sync_row)
        sync_layout.addWidget(self.sync_status)

        report_box = QGroupBox(_("Sans Internet : le rapport des virements (CSV)"))
        report_explain = QLabel(
            _(
                "Dans le tableau de bord Stripe : Rapports → Rapprochement des virements → "
                "« Détaillé », export CSV. Un fichier avec une ligne fausse n'importe rien."
            )
        )
        report_explain.setWordWrap(True)
        self.report_button = QPushButton(_("Importer un rapport &CSV…"))
        self.report_button.setObjectName("stripeReport")
        self.report_status = status_line("stripeReportStatus")
        report_layout = QVBoxLayout(report_box)
        report_layout.addWidget(report_explain)
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_button)
        report_row.addStretch(1)
        report_layout.addLayout(report_row)
        report_layout.addWidget(self.report_status)

        self.last = status_line("stripeLast")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(key_box)
        layout.addWidget(sync_box)
        layout.addWidget(report_box)
        layout.addWidget(self.last)
        layout.addStretch(1)
        self.key_save.clicked.connect(self.save_key)
        self.key_field.returnPressed.connect(self.save_key)
        self.key_clear.clicked.connect(self.ask_clear_key)
        self.sync_button.clicked.connect(self.sync)
        self.cancel_button.clicked.connect(self.cancel)
        self.report_button.clicked.connect(self.ask_report)
        # an administrator changes the key; a manager uses it
        self.may_change_key = guard(self.key_save, db, Permission.MANAGE_SECRETS)
        guard(self.key_clear, db, Permission.MANAGE_SECRETS)
        self.may_use_key = guard(self.sync_button, db, Permission.USE_STRIPE)
        guard(self.report_button, db, Permission.USE_STRIPE)

    def controls(self) -> list[QWidget]:
        return [self.key_save, self.key_clear, self.sync_button, self.report_button]

    def settle_controls(self) -> None:
        self.cancel_button.setEnabled(False)
        self.key_save.setEnabled(self.may_change_key)
        self.sync_button.setEnabled(self.may_use_key)
        self.report_button.setEnabled(self.may_use_key)
        if not self.busy:
            # nothing to forget without a key
            self.key_clear.setEnabled(self.may_change_key and self.has_key)

    # -- the key and the last synchronisation -----------------------------------------
    def refresh(self) -> None:
        db = self.db

        def read(_task: Task) -> tuple[tuple[str, str], str]:
            last = last_sync(db)
            when = (
                _("Dernière lecture de Stripe : {when} ({origin}).").format(
                    when=moment(last[1]), origin=_(ORIGINS.get(last[0], last[0]))
                )
                if last
                else _("Stripe n'a encore jamais été lu pour cette base.")
            )
            return key_status(), when

        self.run("stripe-status", read, self._status)

    def _status(self, status: tuple[tuple[str, str], str]) -> None:
        (text, tone), when = status
        say(self.key_status, text, tone)
        self.has_key = tone == "ok"
        self.settle_controls()
        say(self.last, when, bold=False)

    def save_key(self) -> None:
        key = self.key_field.text()
        if not key.strip():
            return

        def store(_task: Task) -> None:
            set_stripe_secret_key(key)

        self.key_field.clear()
        self.run(
            "stripe-key",
            behind(self.db, Permission.MANAGE_SECRETS, store),
            lambda _none: self.refresh(),
        )

    def ask_clear_key(self) -> None:
        confirm(
            self,
            _("Oublier la clé Stripe"),
            _(
                "Retirer la clé Stripe du trousseau du système ? Il faudra la coller à nouveau "
                "pour synchroniser ou rembourser."
            ),
            _("&Oublier la clé"),
            self.clear_key,
            destructive=True,
        )

    def clear_key(self) -> None:
        forget = behind(self.db, Permission.MANAGE_SECRETS, lambda _task: clear_stripe_secret_key())
        self.run("stripe-key", forget, self._key_cleared)

    def _key_cleared(self, _was_there: bool) -> None:
        self.refresh()

    # -- synchronisation ---------------------------------------------------------------
    def sync(self) -> None:
        db = self.db

        def work(task: Task) -> SyncResult:
            key = require_stripe_key()

            def progress(step: str, fetched: int) -> bool:
                return task.report(STEPS.index(step), fetched)

            return sync_stripe(db, key, progress)

        self.progress.setValue(0)
        self.progress.setFormat(_("Connexion à Stripe…"))
        self.progress.show()
        say(self.sync_status, "")
        if self.run(
            "stripe-sync",
            behind(db, Permission.USE_STRIPE, work),
            self._synced,
            progress=self._progressed,
            failed=self._sync_failed,
        ):
            self.cancel_button.setEnabled(True)

    def _progressed(self, step: int, fetched: int) -> None:
        self.progress.setValue(step + 1)
        self.progress.setFormat(_(STEP_WORDS[step]).format(count=fetched))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat(_("Annulation…"))

    def _synced(self, result: SyncResult) -> None:
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat(_("Terminé"))
        text = _(
            "Stripe lu : {payments}, {charges}, {refunds}, {movements}, {payouts} ({itemised})."
        ).format(
            payments=counts.payments(result.payments),
            charges=ngettext("{n} débit", "{n} débits", result.charges).format(n=result.charges),
            refunds=counts.refunds(result.refunds),
            movements=ngettext(
                "{n} mouvement", "{n} mouvements", result.balance_transactions
            ).format(n=result.balance_transactions),
            payouts=counts.payouts(result.payouts),
            itemised=ngettext("{n} détaillé", "{n} détaillés", result.payouts_itemised).format(
                n=result.payouts_itemised
            ),
        )
        warnings = "".join(
            "\n" + _("Attention : {warning}").format(warning=warning) for warning in result.warnings
        )
        say(self.sync_status, text + warnings, "warn" if warnings else "ok")
        self.changed.emit()
        self.refresh()

    def _sync_failed(self, error: BaseException) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("")
        say(self.sync_status, failure_text(error), "error")

    # -- the payout report ---------------------------------------------------------------
    def ask_report(self) -> None:
        path = open_path(
            self, _("Rapport des virements Stripe"), _("Rapports CSV (*.csv);;Tous (*)")
        )
        if path:
            self.import_report(path)

    def import_report(self, path: Path) -> None:
        db = self.db
        say(self.report_status, _("Import de {file}…").format(file=path.name))
        self.run(
            "stripe-report",
            behind(db, Permission.USE_STRIPE, lambda _task: import_report(db, path)),
            lambda result: self._imported(path, result),
            failed=lambda error: say(self.report_status, failure_text(error), "error"),
        )

    def _imported(self, path: Path, result: ReportResult) -> None:
        say(
            self.report_status,
            _("{file} : {lines}, {charges}, {refunds}, {payouts}, frais {fees}.").format(
                file=path.name,
                lines=counts.lines(result.lines),
                charges=counts.payments(result.charges),
                refunds=counts.refunds(result.refunds),
                payouts=counts.payouts(result.payouts),
                fees=euros(result.fees_cents),
            ),
            "ok",
        )
        self.changed.emit()
        self.refresh()

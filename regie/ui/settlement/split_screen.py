"""Partage: the convention's split for the prestation, with every input, the formula, the
phase, what remains to amortise and the result; another scheme to compare (flat rate,
SoTicket); « Enregistrer » retains it as a new version (the difference with the one before is
shown); « Facturer » draws the cooperative's invoice from the recorded version; the statement
as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, format_number, ngettext
from regie.money import MoneyFormatError, parse_cents
from regie.people.roles import Permission
from regie.settlement.convention import SCHEMES, TYPED, Statement, Term, settle
from regie.settlement.statement import FIGURE_LABELS
from regie.settlement.versions import Recorded, cooperative_invoice, record
from regie.ui.forms.file_dialogs import save_path
from regie.ui.inventory.messages import confirm, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.permissions import guard
from regie.ui.settlement.screen import Screen, failure_text, fit_rows, say, status_line
from regie.ui.settlement.words import SCHEMES as SCHEME_WORDS
from regie.ui.settlement.words import day, euros, rate
from regie.ui.tasks import Task

Row = tuple[str, str]
INPUT_COLUMNS: list[Column[Row]] = [
    Column(N_("Entrée"), lambda r: r[0]),
    Column(N_("Valeur"), lambda r: r[1], numeric=True),
]
RESULT_COLUMNS: list[Column[Row]] = [
    Column(N_("Poste"), lambda r: r[0]),
    Column(N_("Montant"), lambda r: r[1], numeric=True),
]


@dataclass(frozen=True)
class Inputs:
    scheme: str
    turnover_cents: int | None
    cachet_days: int | None
    travel_cents: int


def source_text(s: Statement) -> str:
    """Where the turnover comes from: the invoices' references, or « saisi » translated."""
    return _(TYPED) if s.turnover_source == TYPED else s.turnover_source


def term_text(term: Term) -> str:
    """A line of the formula in the language shown (recorded and printed in French)."""
    return term.text({"bp": rate, "cents": euros, "n": format_number, "word": _}, _)


def input_rows(s: Statement) -> list[Row]:
    rows = [
        (
            _("Chiffre d'affaires HT hors cachet ({source})").format(source=source_text(s)),
            euros(s.base_cents),
        ),
        (_("Matériel de la coopérative (inventaire, au coût)"), euros(s.invested_equipment_cents)),
        (
            _("Hébergement et frais bancaires à amortir"),
            euros(s.invested_hosting_cents + s.invested_bank_fees_cents),
        ),
        (_("Montant à amortir"), euros(s.invested_cents)),
        (_("Déjà récupéré par les prestations précédentes"), euros(s.recovered_before_cents)),
        (_("Reste à amortir avant cette prestation"), euros(s.remaining_before_cents)),
        (_("Amortissement comptable du matériel (information)"), euros(s.book_amortised_cents)),
    ]
    if s.scheme == "convention":
        rows += [
            (_("Jours de cachet"), str(s.cachet_days)),
            (_("Euros fondus pendant la période de la prestation"), euros(s.melted_cents)),
        ]
    return rows


def result_rows(s: Statement) -> list[Row]:
    rows = [
        (
            _("Part : {base} × {rate}").format(base=euros(s.base_cents), rate=rate(s.rate_bp)),
            euros(s.raw_share_cents),
        )
    ]
    if s.clamp:
        rows.append(
            (_("Part retenue (bornée au {bound})").format(bound=_(s.clamp)), euros(s.share_cents))
        )
    if s.scheme == "convention" and s.kind != "own":
        days = ngettext("Cachet : {n} jour × {rate}", "Cachet : {n} jours × {rate}", s.cachet_days)
        rows.append(
            (
                days.format(n=s.cachet_days, rate=euros(s.settings.cents("cachet_day_rate_cents"))),
                euros(s.cachet_cents),
            )
        )
    if s.scheme == "convention":
        rows += [
            (
                _("Frais partagés : {cost}").format(cost=_(line.label))
                + (f" {line.detail}" if line.detail else ""),
                euros(line.cents),
            )
            for line in s.costs
        ]
        rows.append(
            (
                _("Monnaie fondante reversée par la coopérative (à déduire)"),
                "− " + euros(s.melting_payback_cents),
            )
        )
    return rows


def version_text(s: Statement) -> str:
    """Draft, recorded version n, or a draft that differs from recorded version n (and how)."""
    if s.version:
        return _("Version {version} enregistrée.").format(version=s.version)
    if not s.previous_version:
        return _("Projet : pas encore enregistré.")
    changes = ", ".join(
        _("{figure} {before} → {now}").format(
            figure=_(FIGURE_LABELS.get(name, name)),
            before=rate(before) if name.endswith("_bp") else euros(before),
            now=rate(now) if name.endswith("_bp") else euros(now),
        )
        for name, (before, now) in s.differences().items()
    )
    return _("Projet : diffère de la version {version} enregistrée ({changes}).").format(
        version=s.previous_version, changes=changes
    )


class SplitScreen(Screen):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(db, parent)
        self.statement: Statement | None = None
        self.scheme = QComboBox()
        self.scheme.setObjectName("splitScheme")
        for name in SCHEMES:
            self.scheme.addItem(_(SCHEME_WORDS[name]), name)
        self.turnover = QLineEdit()
        self.turnover.setObjectName("splitTurnover")
        self.turnover.setPlaceholderText(_("d'après les factures de la prestation"))
        self.days = QSpinBox()
        self.days.setObjectName("splitDays")
        self.days.setRange(-1, 365)
        self.days.setSpecialValueText(_("selon les dates"))
        self.days.setValue(-1)
        self.travel = QLineEdit()
        self.travel.setObjectName("splitTravel")
        self.travel.setPlaceholderText(_("0,00"))
        form = QFormLayout()
        form.addRow(_("Schéma :"), self.scheme)
        form.addRow(_("Chiffr&e d'affaires HT hors cachet (€) :"), self.turnover)
        form.addRow(_("&Jours de cachet :"), self.days)
        form.addRow(_("Déplacements refacturés (€) :"), self.travel)
        self.compute_button = QPushButton(_("&Calculer"))
        self.compute_button.setObjectName("splitCompute")
        self.record_button = QPushButton(_("En&registrer"))
        self.record_button.setObjectName("splitRecord")
        self.invoice_button = QPushButton(_("Facturer &le partenaire"))
        self.invoice_button.setObjectName("splitInvoice")
        self.invoice_button.setToolTip(
            _("La facture de la coopérative au partenaire, tirée du règlement enregistré")
        )
        self.pdf_button = QPushButton(_("E&xporter en PDF…"))
        self.pdf_button.setObjectName("splitPdf")
        buttons = QVBoxLayout()
        for button in (
            self.compute_button,
            self.record_button,
            self.invoice_button,
            self.pdf_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form_box = QWidget()
        form_box.setLayout(form)
        form_box.setMaximumWidth(620)
        form.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(form_box, 1)
        top.addSpacing(12)
        top.addLayout(buttons)
        top.addStretch(0)
        self.phase = QLabel("")
        self.phase.setObjectName("splitPhase")
        self.phase.setWordWrap(True)
        self.phase.setStyleSheet("font-size: 16px; font-weight: bold; color: #1f2a36;")
        self.context = QLabel("")
        self.context.setObjectName("splitContext")
        self.context.setWordWrap(True)
        self.context.setStyleSheet("color: #5b6b7a;")
        self.status = status_line("splitStatus")
        self.inputs: RowsModel[Row] = RowsModel(INPUT_COLUMNS, parent=self)
        self.results: RowsModel[Row] = RowsModel(RESULT_COLUMNS, parent=self)
        self.inputs_table = make_table("splitInputs", self.inputs, stretch=0)
        self.results_table = make_table("splitResults", self.results, stretch=0)
        self.formula = QLabel("")
        self.formula.setObjectName("splitFormula")
        self.formula.setWordWrap(True)
        self.total = QLabel("")
        self.total.setObjectName("splitTotal")
        self.total.setStyleSheet("font-size: 16px; font-weight: bold; color: #0b6b2f;")
        self.remaining = QLabel("")
        self.remaining.setObjectName("splitRemaining")
        self.remaining.setWordWrap(True)
        tables = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel(_("<b>Entrées</b>")))
        left.addWidget(self.inputs_table)
        left.addWidget(QLabel(_("<b>Formule</b>")))
        left.addWidget(self.formula)
        left.addStretch(1)
        right.addWidget(QLabel(_("<b>Résultat</b>")))
        right.addWidget(self.results_table)
        right.addWidget(self.total)
        right.addWidget(self.remaining)
        right.addStretch(1)
        tables.addLayout(left, 1)
        tables.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.phase)
        layout.addWidget(self.context)
        layout.addWidget(self.status)
        layout.addLayout(tables, 1)
        self.compute_button.clicked.connect(self.refresh)
        self.scheme.currentIndexChanged.connect(self.refresh)
        self.turnover.returnPressed.connect(self.refresh)
        self.travel.returnPressed.connect(self.refresh)
        self.record_button.clicked.connect(self.ask_record)
        self.pdf_button.clicked.connect(self.ask_pdf)
        self.invoice_button.clicked.connect(self.ask_invoice)
        # recording and invoicing are a manager's (the core checks again)
        self.may_settle = guard(self.record_button, db, Permission.SETTLE)
        guard(self.invoice_button, db, Permission.SETTLE)
        self.settle_controls()

    def controls(self) -> list[QWidget]:
        return [
            self.compute_button,
            self.record_button,
            self.invoice_button,
            self.pdf_button,
            self.scheme,
        ]

    def settle_controls(self) -> None:
        if not self.busy:
            self.pdf_button.setEnabled(self.statement is not None)
            self.record_button.setEnabled(self.may_settle and self.statement is not None)
            self.invoice_button.setEnabled(
                self.may_settle and self.statement is not None and self.statement.version > 0
            )
            self.compute_button.setEnabled(bool(self.prestation))

    def read_inputs(self) -> Inputs:
        """What is typed (raises MoneyFormatError on an unreadable amount)."""
        turnover = self.turnover.text().strip()
        travel = self.travel.text().strip()
        return Inputs(
            self.scheme.currentData(),
            parse_cents(turnover) if turnover else None,
            None if self.days.value() < 0 else self.days.value(),
            parse_cents(travel) if travel else 0,
        )

    def load(self, prestation: str, year: int | None = None) -> None:
        if prestation != self.prestation:  # what was typed belongs to the other prestation
            self.turnover.clear()
            self.travel.clear()
            self.days.setValue(-1)
        super().load(prestation, year)

    def refresh(self) -> None:
        if not self.prestation:
            self._clear(_("Aucune prestation : ajoutez-en une dans l'inventaire."))
            return
        try:
            inputs = self.read_inputs()
        except MoneyFormatError as error:
            say(self.status, str(error), "error")
            return

        db, name = self.db, self.prestation

        def work(_task: Task) -> Statement:
            with db.session() as session:
                return settle(
                    session,
                    name,
                    scheme=inputs.scheme,
                    turnover_cents=inputs.turnover_cents,
                    cachet_days=inputs.cachet_days,
                    travel_cents=inputs.travel_cents,
                )

        say(self.status, _("Calcul…"))
        self.run("settle", work, self._shown, failed=lambda e: self._clear(failure_text(e)))

    def _clear(self, why: str) -> None:
        self.statement = None
        for model in (self.inputs, self.results):
            model.set_rows([])
        for table in (self.inputs_table, self.results_table):
            fit_rows(table)
        for label in (self.phase, self.context, self.formula, self.total, self.remaining):
            label.setText("")
        say(self.status, why, "error")
        self.settle_controls()

    def _shown(self, s: Statement) -> None:
        self.statement = s
        event = s.event
        self.phase.setText(
            _("Phase : {phase} · reste à amortir avant cette prestation : {remaining}").format(
                phase=_(s.phase), remaining=euros(s.remaining_before_cents)
            )
        )
        self.context.setText(
            ngettext(
                "{scheme} · {client}, {n} jour · réglages en vigueur le {day}",
                "{scheme} · {client}, {n} jours · réglages en vigueur le {day}",
                event.days,
            ).format(
                scheme=_(SCHEME_WORDS[s.scheme]),
                client=event.client,
                n=event.days,
                day=day(s.settings.day),
            )
            + (" · " + _("événement propre du partenaire") if s.kind == "own" else "")
            + "\n"
            + version_text(s)
        )
        say(self.status, "")
        self.inputs.set_rows(input_rows(s))
        self.results.set_rows(result_rows(s))
        for table in (self.inputs_table, self.results_table):
            fit_rows(table)
        self.formula.setText("\n".join(f"• {term_text(term)}" for term in s.formula))
        self.total.setText(
            _("Total dû à la coopérative : {total}").format(total=euros(s.total_cents))
            if s.total_cents >= 0
            else _("Total dû par la coopérative à {partner} : {total}").format(
                partner=s.settings.text("partner"), total=euros(-s.total_cents)
            )
        )
        extra = (
            " "
            + _("Dont redistribution locale : {amount}.").format(
                amount=euros(s.redistribution_cents)
            )
            if s.redistribution_cents
            else ""
        )
        self.remaining.setText(
            _(
                "Compté dans l'amortissement : {recovered} · reste à amortir après cette "
                "prestation : {remaining}."
            ).format(recovered=euros(s.recovery_cents), remaining=euros(s.remaining_after_cents))
            + extra
        )
        self.settle_controls()

    # -- record and print ------------------------------------------------------------------
    def ask_record(self) -> None:
        s = self.statement
        if s is None:
            return
        confirm(
            self,
            _("Enregistrer le règlement"),
            _(
                "Retenir ce règlement de {prestation} ({scheme}, total {total}) ? Il compte dans "
                "l'amortissement des prestations suivantes ; s'il en existe déjà un, celui-ci "
                "devient la version suivante (les versions précédentes restent)."
            ).format(
                prestation=s.event.name,
                scheme=_(SCHEME_WORDS[s.scheme]),
                total=euros(s.total_cents),
            ),
            _("&Enregistrer"),
            self.record,
        )

    def record(self) -> None:
        db, statement = self.db, self.statement
        if statement is None:
            return

        def work(_task: Task) -> tuple[Statement, Recorded]:  # the statement shown, confirmed
            with db.session() as session:
                done = record(session, statement)
            return statement, done

        self.run("settle-record", work, self._recorded)

    def _recorded(self, result: tuple[Statement, Recorded]) -> None:
        s, done = result
        self._shown(s)
        text = (
            _("Règlement de {prestation} enregistré (version {version}) : {total}.")
            if done.created
            else _("Règlement de {prestation} inchangé (version {version}) : {total}.")
        ).format(prestation=s.event.name, version=done.version, total=euros(s.total_cents))
        if done.now_differ:
            text += " " + _(
                "Les règlements enregistrés de {names} diffèrent maintenant : "
                "enregistrez-les à nouveau."
            ).format(names=", ".join(done.now_differ))
        say(self.status, text, "ok")
        self.changed.emit()

    def ask_invoice(self) -> None:
        s = self.statement
        if s is None or not s.version:
            return
        confirm(
            self,
            _("Facturer le partenaire"),
            _(
                "Émettre la facture de la coopérative pour le règlement de {prestation} "
                "(version {version}, total {total}) ? Une facture émise n'est jamais supprimée."
            ).format(prestation=s.event.name, version=s.version, total=euros(s.total_cents)),
            _("É&mettre"),
            self.invoice,
        )

    def invoice(self) -> None:
        db, statement = self.db, self.statement
        if statement is None:
            return

        def work(_task: Task) -> str:
            with db.session() as session:
                return cooperative_invoice(session, statement.event.name).reference

        self.run("settle-invoice", work, self._invoiced)

    def _invoiced(self, reference: str) -> None:
        say(
            self.status,
            _("Facture de la coopérative émise : {reference}.").format(reference=reference),
            "ok",
        )
        self.changed.emit()

    def ask_pdf(self) -> None:
        if self.statement is None:
            return
        offered = f"reglement-{self.statement.event.name}.pdf".replace(" ", "-")
        path = save_path(self, _("Relevé de règlement"), offered, _("PDF (*.pdf)"))
        if path:
            self.export_pdf(path)

    def export_pdf(self, path: Path) -> None:
        from regie.settlement.statement_pdf import statement_pdf  # reportlab: 0.2 s to import

        statement = self.statement
        assert statement is not None
        self.run("settle-pdf", lambda _task: statement_pdf(statement, path), self._exported)

    def _exported(self, path: Path) -> None:
        show_info(
            self,
            _("Relevé enregistré"),
            _("Relevé de règlement enregistré : {file}").format(file=path),
        )
        say(self.status, _("Relevé enregistré : {file}").format(file=path), "ok")

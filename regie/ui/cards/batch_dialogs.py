"""The two ways a batch comes in: a factory file (TiBillet's format), or generated for the printer.

The import runs in a worker thread (17,000 lines take about a second): the dialog stays
alive and a file with errors lists every bad line, by line and field; nothing of it is
imported. Generating is quick and runs at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from regie.cards.batches import (
    GeneratedBatch,
    ImportRejected,
    ImportResult,
    LineError,
    generate_batch,
    import_factory_csv,
)
from regie.cards.overview import CardChoices
from regie.db import Database
from regie.i18n import N_, _
from regie.ui.cards.words import caption
from regie.ui.forms.file_dialogs import open_path, save_path
from regie.ui.inventory.messages import attempt, report_failure, show_error
from regie.ui.inventory.table_models import Column, RowsModel, make_table
from regie.ui.tasks import Task

ERROR_COLUMNS: list[Column[LineError]] = [
    Column(N_("Ligne"), lambda e: str(e.line), numeric=True),
    Column(N_("Champ"), lambda e: e.field),
    Column(N_("Problème"), lambda e: e.message),
]
OK_STYLE = "color: #0b6b2f; font-weight: bold;"
BAD_STYLE = "color: #b3261e; font-weight: bold;"


class OwnerAndLot:
    """The owner organisation and, among its inventory lots of cards, the batch's lot."""

    def __init__(self, choices: CardChoices, prefix: str) -> None:
        self.choices = choices
        self.owner = QComboBox()
        self.owner.setObjectName(f"{prefix}Owner")
        self.owner.addItems(choices.owners)
        self.lot = QComboBox()
        self.lot.setObjectName(f"{prefix}Lot")
        self.owner.currentTextChanged.connect(self._owner_chosen)
        self._owner_chosen(self.owner.currentText())

    def _owner_chosen(self, owner: str) -> None:
        self.lot.clear()
        lots = [lot.name for lot in self.choices.card_lots if lot.owner == owner]
        for name in lots:
            self.lot.addItem(name, name)
        if not lots:
            self.lot.addItem(_("(aucun lot de cartes à ce propriétaire)"), None)

    def values(self) -> tuple[str, str | None]:
        return self.owner.currentText(), self.lot.currentData()


def file_row(field: QLineEdit, browse: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(browse)
    return row


class FactoryImportDialog(QDialog):
    imported = Signal(object)  # ImportResult

    def __init__(self, db: Database, choices: CardChoices, parent: QWidget) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("factoryImport")
        self.setWindowTitle(_("Importer un fichier d'usine"))
        self.resize(760, 460)
        self.task: Task | None = None
        self.outcome: ImportResult | None = None
        intro = QLabel(
            _(
                "Le fichier de l'imprimeur au format TiBillet, sans en-tête : "
                "<tt>url,number,tag_id</tt> (tag_id vide pour une carte pas encore associée). "
                "Une seule ligne fausse et rien n'est importé."
            )
        )
        intro.setWordWrap(True)
        self.path = QLineEdit()
        self.path.setObjectName("factoryFile")
        self.path.setPlaceholderText(_("Fichier .csv"))
        browse = QPushButton(_("&Parcourir…"))
        browse.clicked.connect(self.ask_file)
        self.where = OwnerAndLot(choices, "factory")
        self.name = QLineEdit()
        self.name.setObjectName("factoryName")
        self.name.setPlaceholderText(_("le nom du fichier"))
        form = QFormLayout()
        form.addRow(caption(_("&Fichier :"), self.path), file_row(self.path, browse))
        form.addRow(_("Pr&opriétaire :"), self.where.owner)
        form.addRow(_("Lot d'in&ventaire :"), self.where.lot)
        form.addRow(_("&Nom du lot de cartes :"), self.name)
        self.status = QLabel("")
        self.status.setObjectName("factoryStatus")
        self.status.setWordWrap(True)
        self.errors: RowsModel[LineError] = RowsModel(ERROR_COLUMNS, parent=self)
        self.error_table = make_table("factoryErrors", self.errors)
        self.error_table.hide()
        self.start_button = QPushButton(_("&Importer"))
        self.start_button.setObjectName("factoryStart")
        self.start_button.setDefault(True)
        close = QPushButton(_("Fer&mer"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.error_table, 1)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        close.clicked.connect(self.reject)

    def ask_file(self) -> None:
        path = open_path(
            self, _("Fichier d'usine"), _("Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)")
        )
        if path:
            self.path.setText(str(path))

    def start(self) -> None:
        text = self.path.text().strip()
        if not text:
            self._say(_("Choisissez le fichier à importer."), BAD_STYLE)
            return
        path = Path(text)
        owner, lot = self.where.values()
        name = self.name.text().strip() or None

        def work(_task: Task) -> ImportResult:
            with self.db.session() as session:
                return import_factory_csv(session, path, owner=owner, lot=lot, batch_name=name)

        self.errors.set_rows([])
        self.error_table.hide()
        self._say(_("Import de {name} en cours…").format(name=path.name), "")
        self.start_button.setEnabled(False)
        self.task = Task("cards-import", work, self)
        self.task.succeeded.connect(self._imported)
        self.task.failed.connect(self._failed)
        self.task.finished.connect(lambda: self.start_button.setEnabled(True))
        self.task.start()

    def _imported(self, result: ImportResult) -> None:
        self.outcome = result
        lot = (
            _(", lot d'inventaire {lot}").format(lot=result.lot)
            if result.lot
            else _(", sans lot d'inventaire")
        )
        self._say(
            _("{cards} cartes importées : lot {batch} ({owner}{lot}).").format(
                cards=result.cards, batch=result.batch, owner=result.owner, lot=lot
            ),
            OK_STYLE,
        )
        self.imported.emit(result)

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ImportRejected):
            self._say(str(error), BAD_STYLE)
            self.errors.set_rows(error.errors)
            self.error_table.show()
        else:
            self._say("", "")
            report_failure(self, error)

    def _say(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)


class GenerateDialog(QDialog):
    generated = Signal(object)  # GeneratedBatch

    def __init__(self, db: Database, choices: CardChoices, parent: QWidget) -> None:
        super().__init__(parent)
        self.db = db
        self.setObjectName("batchGenerate")
        self.setWindowTitle(_("Générer un lot à imprimer"))
        self.setMinimumWidth(620)
        self.outcome: GeneratedBatch | None = None
        intro = QLabel(
            _(
                "De nouvelles cartes : une adresse <tt>…/qr/&lt;uuid&gt;</tt> et un numéro imprimé "
                "chacune (sans numéro qu'un tableur abîmerait). Le fichier de l'imprimeur "
                "(<tt>url,number,</tt>) se ré-importe tel quel ; le lot est enregistré tout de "
                "suite."
            )
        )
        intro.setWordWrap(True)
        self.count = QSpinBox()
        self.count.setObjectName("generateCount")
        self.count.setRange(1, 100_000)
        self.count.setValue(1000)
        self.count.setGroupSeparatorShown(True)
        self.base_url = QLineEdit("https://")
        self.base_url.setObjectName("generateBaseUrl")
        self.base_url.setPlaceholderText("https://festival.example")
        self.where = OwnerAndLot(choices, "generate")
        self.name = QLineEdit()
        self.name.setObjectName("generateName")
        self.name.setPlaceholderText(_("le nom du fichier"))
        self.path = QLineEdit()
        self.path.setObjectName("generateFile")
        self.path.setPlaceholderText(_("Fichier .csv pour l'imprimeur"))
        browse = QPushButton(_("&Parcourir…"))
        browse.clicked.connect(self.ask_file)
        form = QFormLayout()
        form.addRow(_("&Nombre de cartes :"), self.count)
        form.addRow(_("&Adresse de base :"), self.base_url)
        form.addRow(_("Pr&opriétaire :"), self.where.owner)
        form.addRow(_("Lot d'in&ventaire :"), self.where.lot)
        form.addRow(_("Nom du lo&t de cartes :"), self.name)
        form.addRow(caption(_("&Fichier :"), self.path), file_row(self.path, browse))
        self.start_button = QPushButton(_("&Générer"))
        self.start_button.setObjectName("generateStart")
        self.start_button.setDefault(True)
        cancel = QPushButton(_("Annuler"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.start_button.clicked.connect(self.start)
        cancel.clicked.connect(self.reject)

    def ask_file(self) -> None:
        path = save_path(
            self, _("Fichier pour l'imprimeur"), "cartes.csv", _("Fichiers CSV (*.csv)")
        )
        if path:
            self.path.setText(str(path))

    def start(self) -> None:
        text = self.path.text().strip()
        if not text:
            show_error(self, _("Choisissez où écrire le fichier de l'imprimeur."))
            return
        owner, lot = self.where.values()

        def run() -> GeneratedBatch:
            with self.db.session() as session:
                return generate_batch(
                    session,
                    self.count.value(),
                    self.base_url.text(),
                    Path(text),
                    owner=owner,
                    lot=lot,
                    name=self.name.text().strip() or None,
                )

        result = attempt(self, run)
        if result is not None:
            self.outcome = result
            self.generated.emit(result)
            self.accept()

"""One terminal's configuration bundle: what it carries, its version and SHA-256, what changes
from the version the terminal runs; saved as JSON for a terminal configured another way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from regie.db import Database
from regie.i18n import N_, _, format_number, ngettext
from regie.ledger.labels import fingerprint
from regie.terminals.bundle import Bundle, prepare_config, running_config
from regie.terminals.diff import diff_configs
from regie.terminals.registry import list_terminals
from regie.terminals.sizes import size_text
from regie.ui.forms.file_dialogs import save_path
from regie.ui.inventory.messages import attempt, report_failure, show_info
from regie.ui.inventory.table_models import Column, RowsModel, make_table, money
from regie.ui.tasks import Task
from regie.ui.terminals.words import vat_text

PRODUCT_COLUMNS: list[Column[dict[str, Any]]] = [
    Column(N_("Produit"), lambda p: p["name"]),
    Column(N_("Catégorie"), lambda p: p["category"] or "—"),
    Column(N_("Prix TTC"), lambda p: money(p["price"]), numeric=True),
    Column(N_("TVA"), lambda p: vat_text(p["vat"]), numeric=True),
]


@dataclass(frozen=True)
class ConfigView:
    bundle: Bundle
    running: int | None
    changes: list[str]


def read_config(db: Database, name: str) -> ConfigView:
    with db.session() as session:
        bundle = prepare_config(session, name)
        running = running_config(session, name)
    if running is not None and running.hash == bundle.hash:
        changes = [_("le terminal a déjà cette version")]
    else:
        changes = diff_configs(running.data if running else None, bundle.data)
    return ConfigView(bundle, running.version if running else None, changes)


class ConfigScreen(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.view: ConfigView | None = None
        self.work: Task | None = None
        self.picker = QComboBox()
        self.picker.setObjectName("configTerminal")
        self.picker.setMinimumContentsLength(16)
        self.save_button = QPushButton(_("&Enregistrer le paquet JSON…"))
        self.save_button.setObjectName("configSave")
        self.save_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Terminal :")))
        top.addWidget(self.picker)
        top.addStretch(1)
        top.addWidget(self.save_button)

        self.facts = {
            key: QLabel("…")
            for key in ("version", "pos", "server", "wifi", "assets", "cards", "printer")
        }
        form = QFormLayout()
        labels = (
            _("Version :"),
            _("Point de vente :"),
            _("Serveur :"),
            _("Wi-Fi :"),
            _("Monnaies (ordre de paiement) :"),
            _("Cartes :"),
            _("Impression :"),
        )
        for (key, label), text in zip(self.facts.items(), labels, strict=True):
            label.setObjectName(f"config-{key}")
            label.setWordWrap(True)
            form.addRow(text, label)
        self.changes = QListWidget()
        self.changes.setObjectName("configChanges")
        self.products = RowsModel(PRODUCT_COLUMNS, parent=self)
        self.product_table = make_table("configProducts", self.products, stretch=0)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(QLabel(_("Ce qui change pour le terminal :")))
        left.addWidget(self.changes, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel(_("Produits et prix :")))
        right.addWidget(self.product_table, 1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        self.picker.currentTextChanged.connect(self.show_terminal)
        self.save_button.clicked.connect(self.ask_save)
        self.refresh()

    def refresh(self) -> None:
        def names() -> list[str]:
            with self.db.session() as session:
                return [t.name for t in list_terminals(session)]

        found = attempt(self, names) or []
        current = self.picker.currentText()
        self.picker.blockSignals(True)
        self.picker.clear()
        self.picker.addItems(found)
        if current in found:
            self.picker.setCurrentText(current)
        self.picker.blockSignals(False)
        self.show_terminal(self.picker.currentText())

    def show_terminal(self, name: str) -> None:
        if not name:
            return
        self.view = None
        self.save_button.setEnabled(False)
        for label in self.facts.values():
            label.setText("…")
        work = Task("config-read", lambda _w: read_config(self.db, name), self, responsive=False)
        work.succeeded.connect(self._shown)
        work.failed.connect(self._failed)
        self.work = work.start()

    def _failed(self, error: Exception) -> None:
        self.view = None
        self.save_button.setEnabled(False)
        for label in self.facts.values():
            label.setText("—")
        self.changes.clear()
        self.changes.addItem(str(error))
        self.products.set_rows([])
        report_failure(self, error)

    def _shown(self, view: ConfigView) -> None:
        if view.bundle.terminal != self.picker.currentText():
            return  # the user picked another terminal meanwhile
        self.view = view
        data = view.bundle.data
        running = (
            _("v{version} en service").format(version=view.running)
            if view.running
            else _("rien en service")
        )
        self.facts["version"].setText(
            _("v{version} ({size}, {fingerprint}) — {running}").format(
                version=view.bundle.version,
                size=size_text(len(view.bundle.body)),
                fingerprint=fingerprint(view.bundle.hash),
                running=running,
            )
        )
        self.facts["pos"].setText(
            f"{data['pos']['name']} ({data['event'] or _('événement sans nom')})"
        )
        server = data["server"]
        secret = (
            _("clé d'API")
            if "api_key" in server
            else _("code d'appairage {pin}").format(pin=server.get("pin", ""))
        )
        self.facts["server"].setText(f"{server['url'] or '—'} ; {secret}")
        password = _("donné") if data["wifi"]["password"] else _("vide")
        self.facts["wifi"].setText(
            _("{network} (mot de passe {password})").format(
                network=data["wifi"]["ssid"] or "—", password=password
            )
        )
        self.facts["assets"].setText(
            ", ".join(f"{a['name']} ({a['code']})" for a in data["assets"])
        )
        self.facts["cards"].setText(
            ngettext("{n} carte staff", "{n} cartes staff", len(data["staff"])).format(
                n=format_number(len(data["staff"]))
            )
            + ", "
            + ngettext("{n} carte bloquée", "{n} cartes bloquées", len(data["blocked"])).format(
                n=format_number(len(data["blocked"]))
            )
        )
        self.facts["printer"].setText(
            _("{width} caractères par ligne, {locale}").format(
                width=data["printer"]["width"], locale=data["locale"]
            )
        )
        self.changes.clear()
        self.changes.addItems(view.changes)
        self.products.set_rows(data["products"])
        self.save_button.setEnabled(True)

    def ask_save(self) -> None:
        if self.view is None:
            return
        bundle = self.view.bundle
        path = save_path(
            self,
            _("Enregistrer le paquet"),
            f"{bundle.terminal}-v{bundle.version}.json",
            _("Configuration (*.json)"),
        )
        if path:
            self.save_to(path)

    def save_to(self, path: Path) -> None:
        assert self.view is not None
        bundle = self.view.bundle
        if attempt(self, lambda: path.write_bytes(bundle.body)) is not None:
            show_info(
                self,
                _("Paquet enregistré"),
                _("{file} : v{version}, {fingerprint}").format(
                    file=path, version=bundle.version, fingerprint=fingerprint(bundle.hash)
                ),
            )

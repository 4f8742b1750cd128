"""The main sections of the window. Each page says what lives there until it is built."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from regie.db import Database
from regie.devices.manager import DeviceManager
from regie.i18n import N_, _


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    summary: str
    coming: str
    # "module:Class" of the page once it is built; called with (db, devices). None: placeholder.
    page: str | None = None


SECTIONS = (
    Section(
        "dashboard",
        N_("Tableau de bord"),
        N_("Le festival d'un coup d'œil."),
        N_(
            "La prestation en cours, le matériel sorti, les cartes, les ventes et recharges "
            "du jour, les terminaux, la dernière clôture et ce qu'il reste à faire."
        ),
        page="regie.ui.dashboard.page:DashboardPage",
    ),
    Section(
        "inventory",
        N_("Inventaire"),
        N_("Le matériel partagé par la coopérative et le collectif."),
        N_(
            "Terminaux, TPE, bornes Wi-Fi et lots de cartes ; réservations, prêts et retours, "
            "audits au scanner, casse, vol, perte, réparations et amortissement par propriétaire."
        ),
        page="regie.ui.inventory.page:InventoryPage",
    ),
    Section(
        "cards",
        N_("Cartes"),
        N_("Les cartes NFC du festival."),
        N_(
            "Import des lots d'usine, encodage au lecteur USB (UID, URL, mot de passe), "
            "moniteur de carte en direct, cartes perdues, bloquées et remplacées, cartes staff."
        ),
        page="regie.ui.cards.page:CardsPage",
    ),
    Section(
        "terminals",
        N_("Terminaux"),
        N_("Les caisses Sunmi et les boîtiers cashless."),
        N_(
            "Configuration poussée par câble USB (points de vente, produits, Wi-Fi, liste de "
            "blocage) et récupération des transactions enregistrées hors ligne."
        ),
        page="regie.ui.terminals.page:TerminalsPage",
    ),
    Section(
        "ledger",
        N_("Grand livre"),
        N_("Chaque centime, de la carte à la clôture."),
        N_(
            "Recharges, ventes, remboursements, plusieurs monnaies, clôtures X et Z, "
            "monnaie fondante, compensation entre organisations, exports FEC et hledger."
        ),
        page="regie.ui.ledger.page:LedgerPage",
    ),
    Section(
        "settlement",
        N_("Règlement"),
        N_("Après le festival : qui reçoit quoi."),
        N_(
            "Rapprochement Stripe, remboursement des soldes restants, partage selon la "
            "convention, rapport de l'événement."
        ),
        page="regie.ui.settlement.page:SettlementPage",
    ),
    Section(
        "invoices",
        N_("Factures"),
        N_("Factures et avoirs."),
        N_(
            "Numérotation sans trou par série et par année, mentions légales, TVA par taux, "
            "PDF et Factur-X."
        ),
        page="regie.ui.settlement.invoices_page:InvoicesPage",
    ),
    Section(
        "people",
        N_("Utilisateurs et audit"),
        N_("Qui fait quoi, et qui l'a fait."),
        N_(
            "Le journal d'audit de chaque changement d'argent ou de matériel, et les "
            "utilisateurs avec leur rôle et leur code PIN."
        ),
        page="regie.ui.people.page:PeoplePage",
    ),
)


def build_page(section: Section, db: Database, devices: DeviceManager) -> QWidget:
    """The section's page, or a placeholder that says what will live there."""
    if section.page is None:
        return PlaceholderPage(section)
    module_name, _colon, class_name = section.page.partition(":")
    page_class = getattr(importlib.import_module(module_name), class_name)
    page: QWidget = page_class(db, devices)
    page.setObjectName(f"page-{section.key}")
    return page


class PendingPage(QWidget):
    """Holds a section's place in the window until it is first shown and built."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName(f"pending-{section.key}")


class PlaceholderPage(QWidget):
    """A section not built yet: its title and what it will hold."""

    def __init__(self, section: Section, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page-{section.key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        title = QLabel(_(section.title))
        title.setObjectName("pageTitle")
        summary = QLabel(_(section.summary))
        summary.setObjectName("pageSummary")
        coming = QLabel(_("Bientôt ici : {what}").format(what=_(section.coming)))
        coming.setObjectName("pageComing")
        coming.setWordWrap(True)
        for label in (title, summary, coming):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        layout.addStretch(1)

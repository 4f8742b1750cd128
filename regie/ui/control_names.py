"""What a screen reader says for each control that has no words of its own.

A button says its text, a field its form label (``QFormLayout`` or ``QLabel.setBuddy``); the
others (tables, filter lists, search fields) are named here, by their object name, once per
screen as it is built (``name_controls``: the main window's pages, the sections' tabs).
``tests/test_gui_screens_fit.py`` walks every main screen and fails on a control left unnamed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from regie.i18n import N_, _

NAMES: dict[str, str] = {
    # the window
    "navigation": N_("Sections de Régie"),
    # inventory
    "assetSearch": N_("Rechercher du matériel"),
    "assetTable": N_("Liste du matériel"),
    "assetHistory": N_("Historique du matériel choisi"),
    "statusFilter": N_("Filtrer par statut"),
    "ownerFilter": N_("Filtrer par propriétaire"),
    "modelFilter": N_("Filtrer par modèle"),
    "prestationFilter": N_("Filtrer par prestation"),
    "amortisationTable": N_("Amortissement par propriétaire"),
    "auditScan": N_("Scanner une étiquette pour l'audit"),
    "auditScope": N_("Ce que couvre l'audit"),
    "bookingList": N_("Réservations de la prestation"),
    "bookingItems": N_("Matériel à réserver"),
    "bookingScan": N_("Scanner du matériel à réserver"),
    "bookingLot": N_("Lot à réserver"),
    "bookingLotQuantity": N_("Quantité du lot à réserver"),
    "bookingStartText": N_("Début de la réservation"),
    "bookingEndText": N_("Fin de la réservation"),
    "incidentFilter": N_("Montrer aussi les incidents clos"),
    "incidentTable": N_("Liste des incidents"),
    "kitList": N_("Liste des valises"),
    "kitContents": N_("Contenu de la valise"),
    "kitScan": N_("Scanner du matériel pour la valise"),
    "openLoans": N_("Prêts en cours"),
    "overdueLoans": N_("Prêts en retard"),
    "referenceKinds": N_("Listes du référentiel"),
    # cards
    "batchTable": N_("Lots de cartes"),
    "encodingResults": N_("Cartes encodées"),
    "returnsMissing": N_("Cartes non rendues"),
    "staffTable": N_("Cartes staff"),
    # terminals
    "fleetTable": N_("Parc de terminaux"),
    "configTerminal": N_("Terminal à configurer"),
    "configChanges": N_("Changements depuis la dernière configuration"),
    "configProducts": N_("Produits de la configuration"),
    # ledger
    "journalTable": N_("Lignes du journal"),
    "journalCard": N_("Filtrer par carte"),
    "journalEvent": N_("Filtrer par prestation"),
    "journalPos": N_("Filtrer par point de vente"),
    "journalAsset": N_("Filtrer par actif"),
    "journalOp": N_("Filtrer par opération"),
    "journalSince": N_("Journal depuis"),
    "journalUntil": N_("Journal jusqu'à"),
    "balanceAccount": N_("Filtrer par compte"),
    "balanceAsset": N_("Filtrer par actif"),
    "balanceCard": N_("Filtrer par carte"),
    "balanceTable": N_("Soldes"),
    "walletUid": N_("Carte à afficher"),
    "walletTransfers": N_("Mouvements de la carte"),
    "closureTable": N_("Clôtures X et Z"),
    "meltMonths": N_("Mois sans mouvement avant la fonte"),
    "meltTable": N_("Cartes à fondre"),
    "clearingPositions": N_("Positions par organisation"),
    "clearingPayments": N_("Règlements à faire"),
    "salesTable": N_("Ventes par point de vente"),
    "salesTopups": N_("Recharges"),
    # settlement and invoices
    "resolveCard": N_("Carte de l'écart à régler"),
    "stripeKeyField": N_("Clé secrète Stripe"),
    "splitInputs": N_("Chiffres du partage"),
    "splitResults": N_("Résultat du partage"),
    "settingsAtText": N_("Réglages en vigueur le"),
    "settingsTable": N_("Réglages de la convention"),
    "settingsHistory": N_("Historique du réglage choisi"),
    "indicatorsYear": N_("Année des indicateurs"),
    "indicatorsTable": N_("Indicateurs par prestation"),
    "seasonYear": N_("Saison"),
    "seasonTable": N_("Prestations de la saison"),
    "seasonStructures": N_("Structures de la saison"),
    "invoiceYear": N_("Année des factures"),
    "invoiceTable": N_("Factures et avoirs"),
    "invoiceDetail": N_("Détail de la facture choisie"),
    # people
    "trailPerson": N_("Filtrer par personne"),
    "trailAction": N_("Filtrer par action"),
    "trailSinceText": N_("Journal d'audit depuis le"),
    "trailUntilText": N_("Journal d'audit jusqu'au"),
    "trailTable": N_("Journal d'audit"),
    "usersTable": N_("Utilisateurs"),
}


def name_controls(root: QWidget) -> None:
    """Give ``root`` and its children without an accessible name the one listed here."""
    for widget in (root, *root.findChildren(QWidget)):
        name = NAMES.get(widget.objectName())
        if name is not None and not widget.accessibleName():
            widget.setAccessibleName(_(name))

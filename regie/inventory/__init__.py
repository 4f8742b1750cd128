"""Inventory of the shared equipment: models, assets, stock lots."""

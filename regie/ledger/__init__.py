"""The event ledger: an append-only double-entry journal in integer cents per asset."""
